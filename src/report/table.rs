//! The summary table printed on a terminal.

use std::fmt::Write;

use super::stats::MetricSummary;
use super::Summary;

/// A human summary: availability as a percentage and as nines, downtime, incidents, cost, all
/// with 95 % CIs, and the SLO verdict.
pub fn render_table(s: &Summary) -> String {
    let m = &s.metrics;
    let horizon_days = s.run.horizon_seconds as f64 / 86_400.0;
    let per = if (horizon_days - 365.0).abs() < 1e-9 {
        "year".to_string()
    } else if horizon_days >= 1.0 {
        format!("{horizon_days:.0} d")
    } else {
        format!("{:.0} h", horizon_days * 24.0)
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} trials × {per}, seed {}",
        s.run.scenario, s.trials, s.run.seed
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<26} {:>14}   {:<29} {:>12} {:>12}",
        "metric", "mean", "95% CI", "p5", "p95"
    );
    let pct = |x: f64| format!("{:.4}%", x * 100.0);
    row(&mut out, "availability", &m.availability, pct);
    let nines = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "∞".into());
    let _ = writeln!(
        out,
        "  {:<26} {:>14}   [{}, {}]",
        "nines",
        nines(m.nines.mean),
        nines(m.nines.ci95_low),
        nines(m.nines.ci95_high)
    );
    let num = |x: f64| format!("{x:.1}");
    row(&mut out, &format!("downtime (min per {per})"), &m.downtime_minutes, num);
    row(&mut out, &format!("incidents (per {per})"), &m.incidents, |x| {
        format!("{x:.2}")
    });
    row(&mut out, "longest incident (min)", &m.longest_incident_minutes, num);
    row(&mut out, "request success ratio", &m.request_success_ratio, pct);
    if let Some(l) = &m.latency_ms {
        let _ = writeln!(
            out,
            "  {:<26} p50 {:.1} ms, p90 {:.1}, p99 {:.1}, p99.9 {:.1}, mean {:.1}",
            "latency", l.p50, l.p90, l.p99, l.p999, l.mean
        );
    }
    row(&mut out, "cost (USD)", &m.cost_usd, |x| format!("{x:.2}"));
    row(&mut out, "instance failures", &m.instance_failures, |x| {
        format!("{x:.2}")
    });
    row(&mut out, "zone outages", &m.zone_outages, |x| format!("{x:.2}"));
    let _ = writeln!(out);
    if let Some(target) = s.slo.availability_target {
        let verdict = match (s.slo.availability_met, s.slo.availability_met_at_95) {
            (_, Some(true)) => "met (the whole 95% CI is above the target)",
            (Some(true), _) => "met on the mean, but the 95% CI reaches below the target",
            _ => "NOT met",
        };
        let _ = writeln!(out, "  SLO availability {}: {verdict}", pct(target));
    }
    if let (Some(target), Some(met)) = (s.slo.latency_p99_target_ms, s.slo.latency_p99_met) {
        let _ = writeln!(
            out,
            "  SLO latency p99 {target:.0} ms: {}",
            if met { "met" } else { "NOT met" }
        );
    }
    out
}

fn row(out: &mut String, name: &str, m: &MetricSummary, fmt: impl Fn(f64) -> String) {
    let _ = writeln!(
        out,
        "  {:<26} {:>14}   {:<29} {:>12} {:>12}",
        name,
        fmt(m.mean),
        format!("[{}, {}]", fmt(m.ci95_low), fmt(m.ci95_high)),
        fmt(m.p5),
        fmt(m.p95)
    );
}
