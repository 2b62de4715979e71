//! Every class of bad input: exit code 2, a message naming the key (and line where TOML gives
//! one), no panic, and nothing written.

use std::path::Path;
use std::process::{Command, Output};

const GOOD: &str = r#"
name = "ok"
[simulation]
horizon = "30d"
trials = 5
[[zones]]
name = "a"
[fleet]
zones = ["a"]
desired = 2
"#;

/// Runs `nines run` on `text` with a fresh output folder; returns the output and whether the
/// folder was created.
fn run_text(text: &[u8]) -> (Output, bool) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out_dir = tmp.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_nines"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    (out, out_dir.exists())
}

/// Asserts the scenario is refused with exit 2, nothing written, and a message containing each
/// of `needles`.
fn refused(text: &str, needles: &[&str]) {
    let (out, wrote) = run_text(text.as_bytes());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2 for:\n{text}\nstderr: {err}"
    );
    assert!(!wrote, "output written for a bad scenario");
    assert!(!err.contains("panicked"), "panic: {err}");
    for n in needles {
        assert!(err.contains(n), "message {err:?} does not mention {n:?}");
    }
}

fn with(extra: &str) -> String {
    format!("{GOOD}{extra}")
}

#[test]
fn the_good_scenario_runs() {
    let (out, wrote) = run_text(GOOD.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(wrote);
}

#[test]
fn syntax_errors_name_the_line() {
    refused("[simulation\nhorizon = 1", &["s.toml:1:"]);
    refused(&with("[fleet.instance]\nprice_per_hour = = 3\n"), &["s.toml:12:"]);
}

#[test]
fn unknown_keys_are_refused() {
    refused(&with("[fleet.instance]\nconcurency = 4\n"), &["concurency"]);
    refused(&GOOD.replace("horizon", "horizn"), &["horizn"]);
    refused(&with("[surprise]\nx = 1\n"), &["surprise"]);
}

#[test]
fn durations_need_units() {
    refused(&GOOD.replace("\"30d\"", "30"), &["simulation.horizon", "unit"]);
    refused(&GOOD.replace("\"30d\"", "\"30 fortnights\""), &["simulation.horizon"]);
    refused(&GOOD.replace("\"30d\"", "\"0s\""), &["simulation.horizon"]);
    refused(&GOOD.replace("\"30d\"", "\"-3d\""), &["simulation.horizon"]);
}

#[test]
fn group_sizes_must_nest() {
    refused(
        &GOOD.replace("desired = 2", "desired = 2\nmin = 3\nmax = 4"),
        &["fleet.min"],
    );
    refused(
        &GOOD.replace("desired = 2", "desired = 5\nmin = 1\nmax = 4"),
        &["fleet"],
    );
}

#[test]
fn zones_must_be_declared() {
    refused(
        &GOOD.replace("zones = [\"a\"]", "zones = [\"a\", \"b\"]"),
        &["fleet.zones", "b"],
    );
    refused(
        &with("[[inject]]\nat = \"1d\"\nfault = \"zone_outage\"\nzone = \"z\"\nduration = \"1h\"\n"),
        &["inject[0].zone"],
    );
}

#[test]
fn health_check_limits_follow_aws() {
    let hc = |v: &str| with(&format!("[load_balancer]\nhealth_check = {{ {v} }}\n"));
    refused(&hc("healthy_threshold = 1"), &["healthy_threshold"]);
    refused(&hc("unhealthy_threshold = 11"), &["unhealthy_threshold"]);
    refused(&hc("interval = \"10s\", timeout = \"10s\""), &["timeout"]);
    refused(&hc("interval = \"4s\", timeout = \"2s\""), &["interval"]);
    refused(&hc("interval = \"301s\""), &["interval"]);
}

#[test]
fn probabilities_and_distribution_parameters_are_checked() {
    refused(&with("[slo]\nmax_error_rate = 1.5\n"), &["slo.max_error_rate"]);
    refused(
        &with("[[fleet.failure_modes]]\nname = \"x\"\nkind = \"crash\"\ntime_between = { dist = \"weibull\", shape = -1.0, scale = \"30d\" }\n"),
        &["fleet.failure_modes[0].time_between", "shape"],
    );
    refused(
        &with("[[fleet.failure_modes]]\nname = \"x\"\nkind = \"crash\"\ntime_between = { dist = \"exponential\", mean = \"0s\" }\n"),
        &["fleet.failure_modes[0].time_between"],
    );
}

#[test]
fn counts_are_checked() {
    refused(&GOOD.replace("trials = 5", "trials = 0"), &["simulation.trials"]);
    refused(&GOOD.replace("trials = 5", "trials = -5"), &["simulation.trials"]);
    refused(
        &GOOD.replace("desired = 2", "desired = 99999999999999"),
        &["fleet.desired"],
    );
    refused(
        &GOOD.replace("trials = 5", "trials = 99999999999999999999999"),
        &["s.toml:5:", "simulation.trials"],
    );
}

#[test]
fn unsupported_features_are_refused_not_ignored() {
    // Step scaling is the one AWS policy kind not simulated: refused by name, never ignored.
    refused(
        &with("[[fleet.scaling]]\nkind = \"step\"\n"),
        &["fleet.scaling[0].kind", "step", "target_tracking"],
    );
    // Target tracking without traffic has nothing to measure.
    refused(
        &with("[[fleet.scaling]]\nkind = \"target_tracking\"\nmetric = \"cpu\"\ntarget = 60.0\n"),
        &["fleet.scaling[0].metric", "needs traffic"],
    );
}

#[test]
fn empty_binary_and_missing_files() {
    refused("", &["empty"]);
    refused("# only a comment\n", &["empty"]);
    let (out, wrote) = run_text(&[0x00, 0xff, 0xfe, 0x01, 0x02]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!wrote);
    let out = Command::new(env!("CARGO_BIN_EXE_nines"))
        .args(["check", "no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml"));
}

#[test]
fn bad_arguments_exit_2_without_output() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(&file, GOOD).unwrap();
    let out_dir = tmp.path().join("out");
    for args in [
        vec!["--trials", "0"],
        vec!["--shard", "4/3"],
        vec!["--threads", "0"],
        vec!["--trace", "99"],
        vec!["--seed", "minus-one"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_nines"))
            .arg("run")
            .arg(&file)
            .args(&args)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!Path::new(&out_dir).exists(), "{args:?} wrote output");
    }
}

#[test]
fn check_accepts_every_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = Command::new(env!("CARGO_BIN_EXE_nines"))
                .arg("check")
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
