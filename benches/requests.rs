//! Request-level throughput: simulated requests per second on one core (arrival, routing,
//! queueing, service, histogram), for an M/M/8 instance pair at 75 % utilisation; and a fluid
//! trial-year of the diurnal example scenarios for comparison with the availability-only one.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nines::cloud::World;
use nines::scenario;

const REQUESTS: &str = r#"
[simulation]
horizon = "10m"
trials = 1
[[zones]]
name = "a"
[fleet]
zones = ["a"]
desired = 2
[fleet.instance]
concurrency = 8
[load_balancer]
algorithm = "round_robin"
[traffic]
rate = 600.0
service_time = { dist = "exponential", mean = "20ms" }
timeout = "2s"
model = "requests"
"#;

fn bench(c: &mut Criterion) {
    let s = scenario::parse(REQUESTS, "<bench>", "requests").expect("bench scenario");
    let expected = 600.0 * 600.0;
    let mut g = c.benchmark_group("request model, one core");
    g.throughput(Throughput::Elements(expected as u64));
    g.sample_size(10);
    for algorithm in ["round_robin", "least_outstanding_requests", "random"] {
        let text = REQUESTS.replace("\"round_robin\"", &format!("\"{algorithm}\""));
        let s = scenario::parse(&text, "<bench>", "requests").expect("bench scenario");
        let mut world = World::new(&s);
        let mut trial = 0;
        g.bench_function(format!("10 min at 600 req/s, {algorithm}"), |b| {
            b.iter(|| {
                trial += 1;
                world.run_trial(trial)
            })
        });
    }
    g.finish();
    drop(s);

    let mut g = c.benchmark_group("fluid trial-year, one core");
    g.throughput(Throughput::Elements(1));
    for name in ["multi-az", "single-az"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.toml"));
        let s = scenario::load(&path).expect("example scenario");
        let mut world = World::new(&s);
        let mut trial = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                trial += 1;
                world.run_trial(trial)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
