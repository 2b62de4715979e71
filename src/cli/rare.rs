//! `nines run` with `method = "failure_biasing"`: regenerative cycles instead of trials. Writes
//! `summary.json` only (a cycle is not a trial, so there is no `trials.csv`, no charts and
//! nothing to merge) and prints its own table.

use std::time::Instant;

use nines::montecarlo::rare::{run_cycles, run_cycles_until_ci, RareEventError};
use nines::report::{self, RareEventSummary};
use nines::scenario::Scenario;

use super::args::RunArgs;
use super::commands::{default_out, print_json, say};
use super::progress::TrialProgress;
use super::CliError;

/// Cycles per batch of `--until-ci`: a batch takes well under a second.
const DEFAULT_BATCH: u64 = 10_000;
const DEFAULT_MAX_CYCLES: u64 = 10_000_000;

pub fn run(args: &RunArgs, mut s: Scenario) -> Result<(), CliError> {
    if args.shard.is_some() {
        return Err(CliError::usage(
            "--shard: failure biasing runs on one machine (its cycles take seconds, and its summary does not merge); \
             leave out --shard",
        ));
    }
    if args.trace.is_some() {
        return Err(CliError::usage(
            "--trace: failure biasing runs busy periods with biased clocks, not trials; trace a trial with \
             --method monte_carlo",
        ));
    }
    if let Some(rel) = args.until_ci.filter(|&r| !(r > 0.0 && r < 1.0)) {
        return Err(CliError::usage(format!(
            "--until-ci {rel}: give a relative half-width in (0, 1), e.g. 0.1"
        )));
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.scenario, None));
    let threads = args.threads.map(usize::from);
    let quiet = args.print.quiet || args.print.json;
    let started = Instant::now();
    let results = match args.until_ci {
        None => {
            let cycles = s.simulation.trials;
            let progress = TrialProgress::cycles(cycles, quiet);
            progress.run(|| run_cycles(&s, 0..cycles, threads, &|| progress.tick()))
        }
        Some(rel) => {
            let max = args.max_trials.unwrap_or(DEFAULT_MAX_CYCLES);
            let batch = args.batch.unwrap_or(DEFAULT_BATCH);
            let progress = TrialProgress::cycles(max, quiet);
            progress
                .run(|| run_cycles_until_ci(&s, rel, max, batch, threads, &|| progress.tick()))
                .map(|(results, met)| {
                    if !quiet {
                        eprintln!(
                            "--until-ci {rel}: {} after {} cycles",
                            if met {
                                "target met"
                            } else {
                                "target NOT met; stopped at --max-trials"
                            },
                            results.estimate.cycles
                        );
                    }
                    results
                })
        }
    }
    .map_err(|e| match e {
        // The world cannot return to all-working: the method does not fit this scenario.
        RareEventError::NoRegeneration(_) => CliError::usage(e),
        RareEventError::Threads(_) => CliError::failed(e),
    })?;
    let elapsed = started.elapsed();
    s.simulation.trials = results.estimate.cycles;

    let summary = RareEventSummary::build(&s, &results);
    report::write_rare_summary(&out, &summary).map_err(CliError::failed)?;
    if let (Some(warning), false) = (&summary.likelihood_ratio_warning, args.print.quiet) {
        eprintln!("warning: {warning}");
    }
    if args.print.json {
        print_json(&summary)?;
    } else if !args.print.quiet {
        say(&report::render_rare_table(&summary));
        say(&format!(
            "  {} cycles in {:.2} s ({:.0} cycles/s); wrote {}",
            summary.cycles,
            elapsed.as_secs_f64(),
            summary.cycles as f64 / elapsed.as_secs_f64().max(1e-9),
            out.join(report::SUMMARY_FILE).display()
        ));
    }
    Ok(())
}
