//! Design-review outputs end to end: charts and report.html of a run, `compare`, `sweep`, and
//! the report of merged shards. Every test runs the real binary in its own temp dir.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nines::report::stats::MetricSummary;
use nines::report::Summary;

/// How the report prints a number.
type Format = dyn Fn(f64) -> String;

fn nines(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nines"))
        .args(args)
        .output()
        .expect("the nines binary runs")
}

/// Runs nines and fails the test with its stderr unless it exits 0.
fn ok(args: &[&str]) -> Output {
    let out = nines(args);
    assert!(
        out.status.success(),
        "nines {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn summary(dir: &Path) -> Summary {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json decodes")
}

/// Width and height from a PNG's IHDR chunk (the first chunk, right after the signature).
fn png_size(file: &Path) -> (u32, u32) {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: not a PNG", file.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{}: no IHDR first", file.display());
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Width and height attributes of an SVG document's root element.
fn svg_size(file: &Path) -> (u32, u32) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let start = text
        .find("<svg")
        .unwrap_or_else(|| panic!("{}: no <svg>", file.display()));
    let tag = &text[start..start + text[start..].find('>').expect("the root tag closes")];
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let from = tag
            .find(&key)
            .unwrap_or_else(|| panic!("{}: no {name}", file.display()))
            + key.len();
        tag[from..from + tag[from..].find('"').unwrap()].parse().unwrap()
    };
    assert!(text.trim_end().ends_with("</svg>"), "{}: truncated", file.display());
    (attr("width"), attr("height"))
}

/// Checks `<stem>.png` and `<stem>.svg` exist in `dir` at 1200 × 700.
fn assert_chart(dir: &Path, stem: &str) {
    assert_eq!(png_size(&dir.join(format!("{stem}.png"))), (1200, 700), "{stem}.png");
    assert_eq!(svg_size(&dir.join(format!("{stem}.svg"))), (1200, 700), "{stem}.svg");
}

/// The `<tr data-metric="…">` row of the report's metrics table.
fn row<'a>(html: &'a str, metric: &str) -> &'a str {
    let key = format!("<tr data-metric=\"{metric}\">");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("report.html has no {metric} row"));
    &html[start..start + html[start..].find("</tr>").expect("the row closes")]
}

#[test]
fn a_run_writes_every_chart_and_a_self_contained_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    ok(&[
        "run",
        &scenario("multi-az.toml"),
        "--trials",
        "200",
        "--quiet",
        "--out",
        path(&out),
    ]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();

    // multi-az.toml has traffic, so the latency chart is there too.
    for stem in [
        "availability",
        "downtime-exceedance",
        "timeline",
        "incident-durations",
        "latency",
    ] {
        assert_chart(&out, stem);
        assert!(
            html.contains(&format!("href=\"{stem}.svg\"")),
            "report does not link {stem}.svg"
        );
        assert!(
            html.contains(&format!("href=\"{stem}.png\"")),
            "report does not link {stem}.png"
        );
        assert!(
            html.contains(&format!("aria-label=\"{stem} chart\"")),
            "report does not show {stem} inline"
        );
    }

    // Self-contained: nothing from the network, no scripts.
    for needle in [
        "http://",
        "https://",
        "src=\"//",
        "href=\"//",
        "url(",
        "<script",
        "@import",
    ] {
        assert!(!html.contains(needle), "report.html contains {needle:?}");
    }

    // The table shows summary.json's numbers (formats chosen by the report: percentages with 5
    // decimals, nines with 3, the rest as written below).
    let s = summary(&out);
    let m = &s.metrics;
    let pct = |x: f64| format!("{:.5}%", x * 100.0);
    let f1 = |x: f64| format!("{x:.1}");
    let f2 = |x: f64| format!("{x:.2}");
    let f3 = |x: f64| format!("{x:.3}");
    let rows: [(&str, &MetricSummary, &Format); 10] = [
        ("availability", &m.availability, &pct),
        ("request_success_ratio", &m.request_success_ratio, &pct),
        ("downtime_minutes", &m.downtime_minutes, &f2),
        ("incidents", &m.incidents, &f2),
        ("longest_incident_minutes", &m.longest_incident_minutes, &f2),
        ("cost_usd", &m.cost_usd, &f2),
        ("instance_hours", &m.instance_hours, &f1),
        ("instance_failures", &m.instance_failures, &f2),
        ("replacements", &m.replacements, &f2),
        ("zone_outages", &m.zone_outages, &f3),
    ];
    for (metric, ms, fmt) in rows {
        let r = row(&html, metric);
        let cells = format!(
            "<td>{}</td><td>[{}, {}]</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            fmt(ms.mean),
            fmt(ms.ci95_low),
            fmt(ms.ci95_high),
            fmt(ms.p5),
            fmt(ms.p50),
            fmt(ms.p95),
            fmt(ms.min),
            fmt(ms.max)
        );
        assert!(r.contains(&cells), "{metric}: row {r:?} lacks {cells:?}");
    }
    let nines_row = row(&html, "nines");
    let n = |x: Option<f64>| x.map(f3).unwrap_or_else(|| "∞".into());
    assert!(nines_row.contains(&format!(
        "<td>{}</td><td>[{}, {}]</td>",
        n(m.nines.mean),
        n(m.nines.ci95_low),
        n(m.nines.ci95_high)
    )));
    let latency = m.latency_ms.expect("multi-az has traffic");
    assert!(row(&html, "latency_ms").contains(&format!("p99 {}", f2(latency.p99))));
    assert!(html.contains(&format!("seed {}", s.run.seed)));
    assert!(html.contains("200 trials"));
    assert!(html.contains("SLO availability 99.95 %"));
}

/// Reads a CSV into its header and rows.
fn csv_rows(file: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Equal up to the last bit: the CSV holds the exact value, but serde_json's default float
/// parser (without its `float_roundtrip` feature) may round the last bit of summary.json's
/// numbers differently. The byte-for-byte check of the summary files covers exactness.
fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 2.0 * f64::EPSILON * a.abs().max(b.abs())
}

fn col<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[i]
}

#[test]
fn compare_ranks_multi_az_higher_and_matches_separate_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let (single, multi) = (scenario("single-az.toml"), scenario("multi-az.toml"));
    ok(&[
        "compare",
        &single,
        &multi,
        "--trials",
        "200",
        "--seed",
        "7",
        "--quiet",
        "--out",
        path(&out),
    ]);
    assert_chart(&out, "compare-nines");
    assert_chart(&out, "compare-cost-availability");

    let (header, rows) = csv_rows(&out.join("comparison.csv"));
    assert_eq!(rows.len(), 2);
    for (file, folder, rank) in [(&single, "single-az", "2"), (&multi, "multi-az", "1")] {
        let r = rows
            .iter()
            .find(|r| col(&header, r, "folder") == folder)
            .expect("a row per scenario");
        assert_eq!(col(&header, r, "rank_availability"), rank, "{folder}");

        // The same scenario run on its own, with the same trials and seed.
        let alone = tmp.path().join(format!("alone-{folder}"));
        ok(&[
            "run",
            file,
            "--trials",
            "200",
            "--seed",
            "7",
            "--quiet",
            "--out",
            path(&alone),
        ]);
        let s = summary(&alone);
        let m = &s.metrics;
        for (name, ms) in [
            ("availability", &m.availability),
            ("request_success_ratio", &m.request_success_ratio),
            ("downtime_minutes", &m.downtime_minutes),
            ("incidents", &m.incidents),
            ("longest_incident_minutes", &m.longest_incident_minutes),
            ("cost_usd", &m.cost_usd),
        ] {
            for (field, value) in [
                ("mean", ms.mean),
                ("ci95_low", ms.ci95_low),
                ("ci95_high", ms.ci95_high),
                ("p5", ms.p5),
                ("p50", ms.p50),
                ("p95", ms.p95),
                ("min", ms.min),
                ("max", ms.max),
                ("std_dev", ms.std_dev),
            ] {
                let csv: f64 = col(&header, r, &format!("{name}_{field}")).parse().unwrap();
                assert!(same(csv, value), "{folder}: {name}_{field}: {csv} vs {value}");
            }
        }
        let nines_csv: f64 = col(&header, r, "nines_mean").parse().unwrap();
        assert!(same(nines_csv, m.nines.mean.unwrap()), "{folder}: nines_mean");
        // The scenario's own folder in the comparison is the separate run, file for file.
        for file in ["summary.json", "trials.csv", "distributions.json"] {
            let a = std::fs::read(out.join(folder).join(file)).unwrap();
            let b = std::fs::read(alone.join(file)).unwrap();
            assert!(a == b, "{folder}/{file} differs from a separate run");
        }
    }

    // Multi-AZ is better, and the paired test says the difference is real.
    let multi_row = rows.iter().find(|r| col(&header, r, "folder") == "multi-az").unwrap();
    let diff: f64 = col(&header, multi_row, "availability_diff_mean").parse().unwrap();
    assert!(diff > 0.0, "multi-AZ should gain availability: {diff}");
    assert_eq!(col(&header, multi_row, "availability_diff_significant"), "true");
}

/// One zone, no zone outages: only instances fail (crash and hang, each every 20 days on
/// average) and are replaced (detection ≈ 20 s with 10 s checks, then a 3 min launch and 3
/// passing checks: ≈ 4 min without the instance).
///
/// With `max_error_rate = 0.6` the service is DOWN only while more than 60 % of requests go to
/// broken instances:
/// - 1 instance: every failure is DOWN until the replacement is in service (≈ 9 failures in
///   90 days × ≈ 4 min ≈ 35 min per trial);
/// - 2 instances: one broken instance gets 50 % of requests (UP); DOWN needs the other to fail
///   too before the first is replaced: rate ≈ 2 · 9 · (4 min / 10 d) ≈ 0.005 per trial;
/// - 3 instances: DOWN needs two broken in service at once (2/3 > 60 %), i.e. the second fails
///   within the ≈ 20 s detection of the first, or all three within a replacement: rarer still;
/// - 4 instances: two broken of four is 50 % (UP); DOWN needs three at once: rarer again.
///
/// So downtime falls with each instance added, by orders of magnitude, far more than the
/// extra failures add: availability is non-decreasing in `desired`, and with common random
/// numbers a fixed seed shows it.
const SPARES: &str = r#"
name = "spares in one zone"
[simulation]
horizon = "90d"
trials = 1000
seed = 11
[[zones]]
name = "a"
[load_balancer]
health_check = { interval = "10s", timeout = "5s", healthy_threshold = 3, unhealthy_threshold = 2 }
[fleet]
zones = ["a"]
desired = 1
max = 8
health_check_type = "elb"
[fleet.instance]
launch_time = "3m"
price_per_hour = 0.1
[[fleet.failure_modes]]
name = "crash"
time_between = { dist = "exponential", mean = "20d" }
kind = "crash"
[[fleet.failure_modes]]
name = "hang"
time_between = { dist = "exponential", mean = "20d" }
kind = "hang"
[slo]
availability = 0.99999
max_error_rate = 0.6
"#;

fn write_spares(dir: &Path) -> PathBuf {
    let file = dir.join("spares.toml");
    std::fs::write(&file, SPARES).unwrap();
    file
}

#[test]
fn sweeping_the_fleet_size_never_loses_availability() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_spares(tmp.path());
    let out = tmp.path().join("sweep");
    ok(&[
        "sweep",
        path(&file),
        "--set",
        "fleet.desired=1,2,3,4",
        "--quiet",
        "--out",
        path(&out),
    ]);
    for stem in ["sweep-nines", "sweep-downtime", "sweep-cost"] {
        assert_chart(&out, stem);
    }
    let (header, rows) = csv_rows(&out.join("sweep.csv"));
    assert_eq!(header[0], "fleet.desired");
    let desired: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(desired, ["1", "2", "3", "4"]);
    let availability: Vec<f64> = rows
        .iter()
        .map(|r| col(&header, r, "availability_mean").parse().unwrap())
        .collect();
    eprintln!("availability by fleet size 1..4: {availability:?}");
    for w in availability.windows(2) {
        assert!(w[1] >= w[0], "availability fell with a bigger fleet: {availability:?}");
    }
    // The spare makes a clear difference: 2 instances beat 1 beyond their CIs.
    let low2: f64 = col(&header, &rows[1], "availability_ci95_low").parse().unwrap();
    let high1: f64 = col(&header, &rows[0], "availability_ci95_high").parse().unwrap();
    assert!(low2 > high1, "{low2} vs {high1}");
    // 99.999 %: one instance misses it, two meet it and are the cheapest that do.
    let cheapest: Vec<&str> = rows.iter().map(|r| col(&header, r, "cheapest_meeting_slo")).collect();
    assert_eq!(cheapest, ["false", "true", "false", "false"]);
}

#[test]
fn sweep_refuses_bad_keys_and_values_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write_spares(tmp.path());
    let out = tmp.path().join("never");
    for (set, needle) in [
        ("fleet.desird=1,2", "fleet.desird"),
        ("fleet.desired=2,lots", "fleet.desired"),
        ("fleet.desired=2,,4", "fleet.desired"),
        ("fleet.desired", "fleet.desired"),
        ("zones[5].name=b", "zones[5]"),
        ("simulation.seed=1,2", "simulation.seed"),
    ] {
        let o = nines(&["sweep", path(&file), "--set", set, "--quiet", "--out", path(&out)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--set {set}: {err}");
        assert!(err.contains(needle), "--set {set}: {err:?} does not name {needle}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "--set {set}: output written");
    }
    // A bad second point (desired above max = 8) is found before the good first point runs.
    let o = nines(&[
        "sweep",
        path(&file),
        "--set",
        "fleet.desired=2,9",
        "--quiet",
        "--out",
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn compare_refuses_a_bad_scenario_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[simulation]\nhorizn = \"1d\"\n").unwrap();
    let out = tmp.path().join("never");
    let o = nines(&[
        "compare",
        &scenario("multi-az.toml"),
        path(&bad),
        "--quiet",
        "--out",
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("horizn"));
    assert!(!out.exists());
}

#[test]
fn merged_shards_with_their_scenario_give_a_single_runs_report() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("az-outage-drill.toml");
    let whole = tmp.path().join("whole");
    ok(&["run", &s, "--trials", "60", "--quiet", "--out", path(&whole)]);
    let shards = common::run_shards(tmp.path(), &s, 2, &["--trials", "60"]);
    let merged = tmp.path().join("merged");
    ok(&[
        "merge",
        path(&shards[0]),
        path(&shards[1]),
        "--scenario",
        &s,
        "--quiet",
        "--out",
        path(&merged),
    ]);
    for file in [
        "report.html",
        "timeline.svg",
        "timeline.png",
        "availability.png",
        "incident-durations.svg",
    ] {
        let a = std::fs::read(whole.join(file)).unwrap();
        let b = std::fs::read(merged.join(file)).unwrap();
        assert!(a == b, "{file} of the merge differs from the single run's");
    }

    // Another scenario is refused, and nothing is written.
    let wrong = tmp.path().join("wrong");
    let o = nines(&[
        "merge",
        path(&shards[0]),
        path(&shards[1]),
        "--scenario",
        &scenario("multi-az.toml"),
        "--quiet",
        "--out",
        path(&wrong),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--scenario"));
    assert!(!wrong.exists());
}
