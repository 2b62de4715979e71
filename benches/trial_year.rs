//! Trial-years per second of the example scenarios, one core (criterion reports the throughput
//! in trial-years; multiply by the cores for a parallel run), and a parallel run over all cores
//! including aggregation into a summary.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nines::cloud::{TrialOutcome, World};
use nines::montecarlo::run_trials;
use nines::report::Summary;
use nines::scenario;
use rayon::ThreadPoolBuildError;

const EXAMPLES: [&str; 3] = ["single-az", "multi-az", "az-outage-drill"];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("trial-year, one core");
    for name in EXAMPLES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.toml"));
        let mut s = scenario::load(&path).expect("example scenario");
        // Availability only: the example without its [traffic] section (traffic has its own bench).
        s.traffic = None;
        let years = s.simulation.horizon.as_secs_f64() / (365.0 * 86_400.0);
        let mut world = World::new(&s);
        let mut trial = 0u64;
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("{name} ({years:.2} y per trial), availability only"), |b| {
            b.iter(|| {
                trial += 1;
                world.run_trial(trial)
            })
        });
    }
    g.finish();

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/multi-az.toml");
    let mut s = scenario::load(&path).expect("example scenario");
    s.traffic = None;
    let mut g = c.benchmark_group("multi-az availability only, 20k trial-years, all cores, with aggregation");
    g.throughput(Throughput::Elements(20_000));
    g.sample_size(10);
    g.bench_function("run + summary", |b| {
        b.iter(|| {
            let no_rows = &mut |_: &[TrialOutcome]| Ok::<(), ThreadPoolBuildError>(());
            let results = run_trials(&s, 0..20_000, None, &|| {}, no_rows).expect("pool");
            Summary::of_run(&s, &results)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
