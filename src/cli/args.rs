use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use nines::montecarlo::ShardSpec;

/// How available, how fast and how costly will this deployment be?
///
/// nines reads a scenario (TOML: zones, load balancer, Auto Scaling group, failures, traffic,
/// SLO, injected faults), runs thousands of seeded trials of a discrete-event model of it, and
/// reports availability (nines, downtime, incidents) with 95 % confidence intervals.
///
/// Start from an example:  nines run scenarios/multi-az.toml
#[derive(Parser, Debug)]
#[command(
    name = "nines",
    version,
    about,
    long_about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and report availability, downtime, incidents and cost.
    ///
    /// Writes summary.json, trials.csv, charts (SVG and PNG) and a self-contained report.html into
    /// --out (default results/<scenario file stem>/) and prints a summary table. The same
    /// scenario and seed give the same numbers whatever --threads and however the trials are
    /// sharded.
    Run(RunArgs),
    /// Check a scenario for errors without running it (exit 2 and the key at fault if wrong).
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// Combine the output folders of every shard of a run into the run they add up to.
    ///
    /// The result equals a single run of all trials exactly.
    Merge {
        /// Shard output folders (each written by `nines run --shard K/N --out DIR`).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged summary.json, trials.csv, charts and report.html.
        #[arg(long)]
        out: PathBuf,
        /// The scenario the shards ran: adds its settings and the timeline chart to report.html,
        /// so that the merged folder equals a single run's file for file.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Run several scenarios on the same trials and tell which is more available, and whether
    /// the difference is real.
    ///
    /// Every scenario runs trials 0..N with one seed (the first scenario's, unless --seed and
    /// --trials say otherwise), so trial i of each sees the same random draws (common random
    /// numbers) and each difference is judged on the per-trial pairs (paired t-test). The first
    /// scenario is the baseline. Writes comparison.csv, comparison charts and each scenario's own
    /// run folder into --out (default results/compare-<stem1>-vs-<stem2>.../).
    Compare(CompareArgs),
    /// Run a scenario over a grid of settings and find the cheapest one that meets the SLO.
    ///
    /// Each --set KEY=V1,V2,... sweeps one scenario key (dotted path, e.g. fleet.desired or
    /// zones[0].outage.duration.median); the grid is every combination. All points run trials
    /// 0..N with one seed (common random numbers), so differences between points are sharp.
    /// Writes sweep.csv and a chart per metric into --out (default results/sweep-<stem>/).
    Sweep(SweepArgs),
}

/// Trials, seed and threads of a comparison or sweep.
#[derive(Args, Debug)]
pub struct PairedArgs {
    /// Number of trials of every scenario (default: the first scenario's simulation.trials).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed of every scenario (default: the first scenario's simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub paired: PairedArgs,
    #[command(flatten)]
    pub print: PrintArgs,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// A key and the values to sweep it over, e.g. --set fleet.desired=2,4,6 (repeatable).
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    pub set: Vec<String>,
    #[command(flatten)]
    pub paired: PairedArgs,
    #[command(flatten)]
    pub print: PrintArgs,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Number of trials, or of cycles with failure biasing (overrides simulation.trials).
    #[arg(long, value_name = "N")]
    pub trials: Option<u64>,
    /// Master seed (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// How to estimate availability (overrides simulation.method). failure_biasing is for
    /// designs DOWN so rarely that plain trials see almost nothing; it writes summary.json only.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub method: Option<MethodArg>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output folder (default: results/<scenario file stem>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (1-based) of the trials; combine the shards with `nines merge`.
    /// `auto` reads the shard from a job array: Slurm (SLURM_ARRAY_TASK_ID), Kubernetes Indexed
    /// Jobs (JOB_COMPLETION_INDEX, with --shard-count) or AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX,
    /// with --shard-count).
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<ShardSpec>,
    /// With --shard auto: the number of shards, where the scheduler does not say it.
    #[arg(long, value_name = "N", requires = "shard", value_parser = clap::value_parser!(u64).range(1..))]
    pub shard_count: Option<u64>,
    /// Run batches of trials until the 95 % CI half-width of the unavailability is at most REL
    /// of the estimate (e.g. 0.1 for ±10 %), or --max-trials ran. The stop does not depend on
    /// --threads.
    #[arg(long, value_name = "REL", conflicts_with = "shard")]
    pub until_ci: Option<f64>,
    /// With --until-ci: the most trials to run (default 1,000,000; with failure biasing, cycles,
    /// default 10,000,000).
    #[arg(long, value_name = "N", requires = "until_ci", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_trials: Option<u64>,
    /// With --until-ci: trials per batch (default 1,000; with failure biasing, cycles, default
    /// 10,000).
    #[arg(long, value_name = "N", requires = "until_ci", value_parser = clap::value_parser!(u64).range(2..))]
    pub batch: Option<u64>,
    /// Also write the event log of trial N to trace-N.csv in the output folder.
    #[arg(long, value_name = "N")]
    pub trace: Option<u64>,
    #[command(flatten)]
    pub print: PrintArgs,
}

/// `--method`: the values of `simulation.method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum MethodArg {
    /// Independent trials of simulation.horizon each.
    MonteCarlo,
    /// Regenerative cycles with biased failure clocks (README: rare-event availability).
    FailureBiasing,
}

#[derive(Args, Debug)]
pub struct PrintArgs {
    /// Print the result (summary.json, or the comparison or sweep) as JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors, and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
