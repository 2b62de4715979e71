use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use nines::montecarlo::Shard;

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
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Number of trials (overrides simulation.trials).
    #[arg(long, value_name = "N")]
    pub trials: Option<u64>,
    /// Master seed (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output folder (default: results/<scenario file stem>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (1-based) of the trials; combine the shards with `nines merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Also write the event log of trial N to trace-N.csv in the output folder.
    #[arg(long, value_name = "N")]
    pub trace: Option<u64>,
    #[command(flatten)]
    pub print: PrintArgs,
}

#[derive(Args, Debug)]
pub struct PrintArgs {
    /// Print summary.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors, and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
