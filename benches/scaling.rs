//! Trial-years per second of the scaling and spot examples: one core (criterion reports the
//! throughput in trial-years), and a parallel run over all cores with aggregation into a summary
//! (the number the issue asks about: thousands of trial-years per second over both cores).
//!
//! A year of `autoscaling-diurnal.toml` is ~730 scale-outs and as many scale-ins, each with its
//! launch, health checks and warm-up, under fluid traffic: about 3,900 events. The metric's one
//! point per minute (525,600 a year) costs no event of its own.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nines::cloud::{TrialOutcome, World};
use nines::montecarlo::run_trials;
use nines::report::Summary;
use nines::scenario::{self, Scenario};
use rayon::ThreadPoolBuildError;

fn example(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    scenario::load(&path).expect("example scenario")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("trial-year, one core");
    g.throughput(Throughput::Elements(1));
    for name in ["autoscaling-diurnal", "spot-heavy"] {
        let s = example(name);
        let mut world = World::new(&s);
        let mut trial = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                trial += 1;
                world.run_trial(trial)
            })
        });
    }
    g.finish();

    let s = example("autoscaling-diurnal");
    let trials = 4_000;
    let mut g = c.benchmark_group("autoscaling-diurnal, 4k trial-years, all cores, with aggregation");
    g.throughput(Throughput::Elements(trials));
    g.sample_size(10);
    g.bench_function("run + summary", |b| {
        b.iter(|| {
            let no_rows = &mut |_: &[TrialOutcome]| Ok::<(), ThreadPoolBuildError>(());
            let results = run_trials(&s, 0..trials, None, &|| {}, no_rows).expect("pool");
            Summary::of_run(&s, &results)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
