//! How much failure biasing buys over plain Monte Carlo: the work-normalised variance ratio
//!
//!   gain = (variance per plain trial-year × time per trial-year) / (variance per cycle × time per cycle),
//!
//! i.e. how many times longer plain trials take to reach the same CI. Run with
//!
//!   cargo run --release --example rare_event_efficiency [-- THREADS]
//!
//! Plain trials see almost nothing of the 10⁻⁷ designs (three zones, impairments every 30 days),
//! so both methods are measured on the same designs with impairments every 5 days (U ≈ 2·10⁻⁵),
//! and plain Monte Carlo's variance is extrapolated to 10⁻⁷: when DOWN periods are rare (a Poisson number
//! per year, with lengths d), a trial-year's unavailability has variance ≈ rate · E[d²] / T² =
//! U · (E[d²]/E[d]) / T, and the length of an all-dark period depends on how outages overlap,
//! not on how often they come (mean time between ≫ duration in both designs). So the variance per
//! trial-year scales with U. (Roughly so where instance failures add DOWN periods of their own, as
//! in the shipped example: their share of U is not the same at both rates.) Failure biasing and
//! plain trials' time per trial-year are measured on the 10⁻⁷ designs themselves.

use std::time::Instant;

use nines::montecarlo::rare::run_cycles;
use nines::montecarlo::run_trials;
use nines::scenario::{self, Scenario};

/// The three-zone design of tests/rare_event.rs with zone impairments every `every`.
fn three_zones(every: &str) -> Scenario {
    let zone = |name: &str, duration: &str| {
        format!(
            "[[zones]]\nname = \"{name}\"\noutage = {{ time_between = {{ dist = \"exponential\", mean = \"{every}\" }}, duration = {duration} }}\n"
        )
    };
    let text = format!(
        "[simulation]\nseed = 5\n{}{}{}{}",
        zone("a", "{ dist = \"exponential\", mean = \"200m\" }"),
        zone("b", "{ dist = \"lognormal\", median = \"3h\", sigma = 0.5 }"),
        zone("c", "\"3h\""),
        r#"
[load_balancer]
dns_failover_delay = "0s"
[fleet]
zones = ["a", "b", "c"]
desired = 3
health_check_type = "ec2"
[slo]
max_error_rate = 0.9
"#
    );
    scenario::parse(&text, "<example>", "three zones").expect("valid scenario")
}

/// Per-unit variance of the unavailability estimate and seconds per unit, from plain trials.
fn plain(s: &Scenario, trials: u64, threads: Option<usize>) -> (f64, f64, f64) {
    let started = Instant::now();
    let mut u: Vec<f64> = Vec::with_capacity(trials as usize);
    let mut rows = |chunk: &[nines::cloud::TrialOutcome]| -> Result<(), rayon::ThreadPoolBuildError> {
        u.extend(chunk.iter().map(|o| 1.0 - o.availability));
        Ok(())
    };
    run_trials(s, 0..trials, threads, &|| {}, &mut rows).expect("thread pool");
    let seconds = started.elapsed().as_secs_f64();
    let n = u.len() as f64;
    let mean = u.iter().sum::<f64>() / n;
    let variance = u.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, variance, seconds / n)
}

/// The same from failure biasing's cycles: n · SE² is the variance per cycle.
fn biased(s: &Scenario, cycles: u64, threads: Option<usize>) -> (f64, f64, f64) {
    let mut s = s.clone();
    s.simulation.method = scenario::Method::FailureBiasing { bias: None };
    let started = Instant::now();
    let results = run_cycles(&s, 0..cycles, threads, &|| {}).expect("regenerates");
    let seconds = started.elapsed().as_secs_f64();
    let e = &results.estimate;
    if let Some(w) = &e.warning {
        eprintln!("warning: {w}");
    }
    let se = e.unavailability.half_width / 1.96;
    (e.unavailability.mean, se * se * cycles as f64, seconds / cycles as f64)
}

/// Units needed for a 95 % CI of ±10 % from a per-unit variance.
fn units_for_ten_percent(mean: f64, variance: f64) -> f64 {
    variance * (1.96 / (0.1 * mean)).powi(2)
}

/// `scenarios/three-az-rare.toml` with zone impairments every `every`.
fn shipped_example(every: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/three-az-rare.toml");
    let overrides: Vec<(String, String)> = (0..3)
        .map(|z| (format!("zones[{z}].outage.time_between.mean"), format!("\"{every}\"")))
        .collect();
    scenario::load_with_overrides(&path, &overrides).expect("valid scenario")
}

/// Measures `design` with impairments every 5 d (both methods) and every 30 d (failure biasing;
/// plain trials only timed), and prints the gains.
fn compare(name: &str, design: fn(&str) -> Scenario, trial_years: u64, threads: Option<usize>) {
    println!("\n{name}");
    let often = design("5d");
    let (u_plain, var_plain, t_plain) = plain(&often, trial_years, threads);
    let (u_fb, var_fb, t_fb) = biased(&often, 100_000, threads);
    println!("  impairments every 5 d:");
    println!(
        "    plain trials    U = {u_plain:.3e} ± {:.1e}; variance per trial-year {var_plain:.3e}, {:.1} µs per trial-year",
        1.96 * (var_plain / trial_years as f64).sqrt(),
        t_plain * 1e6
    );
    println!(
        "    failure biasing U = {u_fb:.3e} ± {:.1e}; variance per cycle {var_fb:.3e}, {:.1} µs per cycle",
        1.96 * (var_fb / 100_000.0).sqrt(),
        t_fb * 1e6
    );
    println!("    efficiency gain {:.0}", (var_plain * t_plain) / (var_fb * t_fb));

    let rare = design("30d");
    let (_, _, t_plain_rare) = plain(&rare, trial_years / 4, threads);
    let (u_rare, var_fb_rare, t_fb_rare) = biased(&rare, 200_000, threads);
    let var_plain_rare = var_plain * u_rare / u_plain;
    let years = units_for_ten_percent(u_rare, var_plain_rare);
    let cycles = units_for_ten_percent(u_rare, var_fb_rare);
    println!("  impairments every 30 d:");
    println!(
        "    failure biasing U = {u_rare:.3e} ± {:.1e}; variance per cycle {var_fb_rare:.3e}, {:.1} µs per cycle",
        1.96 * (var_fb_rare / 200_000.0).sqrt(),
        t_fb_rare * 1e6
    );
    println!(
        "    plain trials    {:.1} µs per trial-year (measured); variance per trial-year {var_plain_rare:.3e} \
         (extrapolated: × U ratio {:.2e})",
        t_plain_rare * 1e6,
        u_rare / u_plain
    );
    println!(
        "    efficiency gain {:.0}",
        (var_plain_rare * t_plain_rare) / (var_fb_rare * t_fb_rare)
    );
    println!(
        "    to ±10 % at 95 %: plain trials {years:.2e} trial-years ({:.0} s), failure biasing {cycles:.0} cycles ({:.2} s)",
        years * t_plain_rare,
        cycles * t_fb_rare
    );
}

fn main() {
    let threads = std::env::args().nth(1).map(|t| t.parse().expect("THREADS is a number"));
    println!(
        "threads: {}",
        threads.map_or("all".to_string(), |t: usize| t.to_string())
    );
    compare(
        "three zones, isolation outages only (tests/rare_event.rs)",
        three_zones,
        40_000,
        threads,
    );
    compare(
        "scenarios/three-az-rare.toml (ELB checks, crashes and hangs, cross-zone off)",
        shipped_example,
        4_000,
        threads,
    );
}
