use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nines::cloud::{TrialOutcome, World};
use nines::montecarlo::{run_trials, run_until_ci, Shard, ShardSpec};
use nines::report::{self, MergeError};
use nines::scenario::{self, Method, Scenario};

use super::args::{Cli, Command, MethodArg, PrintArgs, RunArgs};
use super::progress::TrialProgress;
use super::CliError;

pub fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check { scenario } => check(&scenario),
        Command::Merge {
            dirs,
            out,
            scenario,
            print,
        } => merge(&dirs, &out, scenario.as_deref(), &print),
        Command::Compare(args) => super::compare::compare(args),
        Command::Sweep(args) => super::sweep::sweep(args),
    }
}

fn check(path: &Path) -> Result<(), CliError> {
    let s = scenario::load(path)?;
    let runs = match s.simulation.method {
        Method::MonteCarlo => format!(
            "{} trials × {:.0} d",
            s.simulation.trials,
            s.simulation.horizon.as_secs_f64() / 86_400.0
        ),
        Method::FailureBiasing { .. } => format!("failure biasing, {} cycles", s.simulation.trials),
    };
    say(&format!(
        "{}: ok — \"{}\", {} zone(s), {} instance(s), {runs}",
        path.display(),
        s.name,
        s.zones.len(),
        s.fleet.desired,
    ));
    Ok(())
}

/// Reads the scenario and applies the command-line overrides; every problem here is exit 2.
fn prepare(args: &RunArgs) -> Result<Scenario, CliError> {
    // Through the scenario reader, so that the method's checks name the keys in the way.
    let method = args.method.map(|m| {
        let value = match m {
            MethodArg::MonteCarlo => "\"monte_carlo\"",
            MethodArg::FailureBiasing => "\"failure_biasing\"",
        };
        ("simulation.method".to_string(), value.to_string())
    });
    let mut s = scenario::load_with_overrides(&args.scenario, method.as_slice())?;
    if let Some(trials) = args.trials {
        if trials == 0 {
            return Err(CliError::usage("--trials: must be at least 1"));
        }
        s.simulation.trials = trials;
    }
    if let Some(seed) = args.seed {
        s.simulation.seed = seed;
    }
    if let Some(n) = args.trace {
        if n >= s.simulation.trials {
            return Err(CliError::usage(format!(
                "--trace {n}: the run has trials 0..{}",
                s.simulation.trials
            )));
        }
    }
    Ok(s)
}

fn run(args: RunArgs) -> Result<(), CliError> {
    let mut s = prepare(&args)?;
    if s.simulation.method != Method::MonteCarlo {
        return super::rare::run(&args, s);
    }
    let shard = match args.shard {
        None => None,
        Some(ShardSpec::Fixed(shard)) => Some(shard),
        Some(ShardSpec::Auto) => {
            Some(Shard::from_env(|var| std::env::var(var).ok(), args.shard_count).map_err(CliError::usage)?)
        }
    };
    if let Some(rel) = args.until_ci {
        if !(rel > 0.0 && rel < 1.0) {
            return Err(CliError::usage(format!(
                "--until-ci {rel}: give a relative half-width in (0, 1), e.g. 0.1"
            )));
        }
    }
    let trials = shard.unwrap_or(Shard::ALL).trials(s.simulation.trials);
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario, shard));

    let threads = args.threads.map(usize::from);
    let quiet = args.print.quiet || args.print.json;
    let started = Instant::now();
    // Rows stream to disk in trial order as the trials finish; the file gets its name when all are in.
    let mut trials_csv = report::TrialsWriter::create(&out)?;
    let mut write_rows = |rows: &[TrialOutcome]| trials_csv.write(rows).map_err(CliError::from);
    let results = match args.until_ci {
        None => {
            let progress = TrialProgress::new(trials.end - trials.start, quiet);
            progress.run(|| run_trials(&s, trials.clone(), threads, &|| progress.tick(), &mut write_rows))?
        }
        Some(rel) => {
            let max = args.max_trials.unwrap_or(1_000_000);
            let progress = TrialProgress::new(max, quiet);
            let batch = args.batch.unwrap_or(1_000);
            let (results, stop) =
                progress.run(|| run_until_ci(&s, rel, max, batch, threads, &|| progress.tick(), &mut write_rows))?;
            // The run is the trials it took; summary.json says so.
            s.simulation.trials = stop.trials;
            if !quiet {
                eprintln!(
                    "--until-ci {rel}: {} after {} trials (unavailability {:.3e} ± {:.1} %)",
                    if stop.met {
                        "target met"
                    } else {
                        "target NOT met; stopped at --max-trials"
                    },
                    stop.trials,
                    stop.unavailability,
                    stop.relative_half_width * 100.0
                );
            }
            results
        }
    };
    trials_csv.finish()?;
    let elapsed = started.elapsed();

    let (summary, distributions) = super::review::summarise(&s, &results);
    report::write_run(&out, &summary, &distributions)?;
    if let Some(n) = args.trace {
        let (_, records) = World::new(&s).run_trial_traced(n);
        report::write_trace(&out.join(format!("trace-{n}.csv")), &records)?;
    }
    super::review::write_report(&out, Some(&s), &summary, &distributions)?;

    if args.print.json {
        print_json(&summary)?;
    } else if !args.print.quiet {
        let n = results.trials();
        let years = n as f64 * s.simulation.horizon.as_secs_f64() / (365.0 * 86_400.0);
        say(&report::render_table(&summary));
        say(&format!(
            "  {} trials in {:.2} s ({:.0} trials/s, {:.0} trial-years/s); wrote {}",
            n,
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64().max(1e-9),
            years / elapsed.as_secs_f64().max(1e-9),
            out.display()
        ));
    }
    Ok(())
}

fn merge(dirs: &[PathBuf], out: &Path, scenario: Option<&Path>, print: &PrintArgs) -> Result<(), CliError> {
    // Shards that do not add up to one run are a problem with the arguments: exit 2, and
    // nothing is written (every check before the first write).
    let merged = report::merge_runs(dirs).map_err(CliError::usage)?;
    let summary = &merged.summary;
    let scenario = scenario
        .map(|p| super::review::merged_scenario(p, summary))
        .transpose()?;
    merged.write_trials(out).map_err(|e| match e {
        MergeError::Write(e) => CliError::failed(e),
        e => CliError::usage(e),
    })?;
    report::write_run(out, summary, &merged.distributions)?;
    super::review::write_report(out, scenario.as_ref(), summary, &merged.distributions)?;
    if print.json {
        print_json(summary)?;
    } else if !print.quiet {
        say(&report::render_table(summary));
        say(&format!("  merged {} shard(s); wrote {}", dirs.len(), out.display()));
    }
    Ok(())
}

/// `results/<file stem>/`, or `results/<file stem>-shard-K-of-N/` for a shard.
pub(super) fn default_out(scenario: &Path, shard: Option<Shard>) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let name = match shard {
        Some(sh) => format!("{stem}-shard-{}-of-{}", sh.index, sh.count),
        None => stem,
    };
    Path::new("results").join(name)
}

pub(super) fn print_json(summary: &impl serde::Serialize) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(summary).map_err(CliError::failed)?;
    say(&json);
    Ok(())
}

/// Prints to stdout; a closed pipe (`nines run … | head`) is not an error.
pub(super) fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}
