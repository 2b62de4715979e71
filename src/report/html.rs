//! `report.html`: one self-contained page per run for a design review: the verdict, the metrics
//! with their 95 % CIs, every chart inline (SVG), and the scenario's settings. No scripts, no
//! fonts or styles from the network: it opens offline, attached to a mail or a ticket.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use rayon::prelude::*;

use crate::scenario::{
    Algorithm, DurationDist, FailureKind, Fault, HealthCheckType, LoadBalancerType, Outage, OutageKind, ScalingPolicy,
    Scenario, TrafficShape,
};

use super::accumulate::MetricAccumulator;
use super::charts::{self, style, RenderError, Rendered};
use super::stats::MetricSummary;
use super::{Distributions, Summary};

/// The report's file name in a run's output folder.
pub const REPORT_FILE: &str = "report.html";

/// What a run's charts and report are made from.
pub struct ReportInput<'a> {
    /// The checked scenario, when known (a merge of shards does not know it): adds the settings
    /// and the timeline of a representative trial.
    pub scenario: Option<&'a Scenario>,
    /// The run's summary, as written to `summary.json`.
    pub summary: &'a Summary,
    /// The run's accumulated metrics and pooled histograms (latency too, with traffic).
    pub distributions: &'a Distributions,
}

/// Draws the run's charts (`*.svg`, `*.png`) into `dir` and writes `report.html` there, which
/// shows them inline. The charts are drawn in parallel. With the scenario known, the timeline
/// replays the median trial, found by one pass over `dir/trials.csv`.
pub fn write_charts_and_report(dir: &Path, input: &ReportInput) -> Result<(), RenderError> {
    let rendered = draw_charts(dir, input)?;
    let path = dir.join(REPORT_FILE);
    fs::write(&path, render_html(input, &rendered)).map_err(|e| RenderError {
        path: path.clone(),
        message: e.to_string(),
    })
}

type Job<'a> = Box<dyn Fn() -> Result<Rendered, RenderError> + Send + Sync + 'a>;

fn draw_charts(dir: &Path, input: &ReportInput) -> Result<Vec<Rendered>, RenderError> {
    let s = input.summary;
    let downtime = &input.distributions.metrics.downtime_minutes;
    let availability = charts::AvailabilityChart::new(s, downtime);
    let exceedance = charts::ExceedanceChart::new(s, downtime);
    let incidents = charts::IncidentChart::new(s, input.distributions);
    let median = match input.scenario {
        Some(_) => median_trial(dir, downtime)?,
        None => None,
    };
    let timeline = match (input.scenario, median) {
        (Some(scenario), Some(trial)) => {
            let (outcome, timeline) = charts::Timeline::replay(scenario, trial);
            Some(charts::TimelineChart::new(
                &s.run.scenario,
                timeline,
                "the median trial by downtime",
                s.trials,
                &outcome,
            ))
        }
        _ => None,
    };
    let latency = input
        .distributions
        .latency_histogram()
        .map(|h| charts::LatencyChart::new(s, &h));

    let mut jobs: Vec<Job> = vec![
        Box::new(|| charts::render(&availability, dir)),
        Box::new(|| charts::render(&exceedance, dir)),
    ];
    if let Some(t) = &timeline {
        jobs.push(Box::new(move || charts::render(t, dir)));
    }
    jobs.push(Box::new(|| charts::render(&incidents, dir)));
    if let Some(l) = &latency {
        jobs.push(Box::new(move || charts::render(l, dir)));
    }
    jobs.par_iter().map(|job| job()).collect()
}

/// The trial whose downtime is nearest the median (the lower one of an even count), estimated
/// from the downtime histogram — exact when the median's bucket holds one value, as zero and
/// whole minutes do; ties go to the lowest trial index. One streaming pass over `trials.csv`.
fn median_trial(dir: &Path, downtime: &MetricAccumulator) -> Result<Option<u64>, RenderError> {
    let Some(last) = downtime.count().checked_sub(1) else {
        return Ok(None);
    };
    let mut nearest = charts::NearestTrial::new(downtime.order_statistic(last / 2));
    super::files::scan_downtime(dir, |trial, d| nearest.offer(trial, d)).map_err(|e| RenderError {
        path: dir.join(super::TRIALS_FILE),
        message: e.to_string(),
    })?;
    Ok(nearest.trial())
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A share as a percentage with 5 decimals: `99.99338%`.
pub fn pct(x: f64) -> String {
    format!("{:.5}%", x * 100.0)
}

/// Nines with 3 decimals, or ∞.
pub fn nines_text(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "∞".into())
}

/// One row of the metrics table: how a metric is named and printed.
struct Row<'a> {
    key: &'static str,
    label: String,
    m: &'a MetricSummary,
    fmt: fn(f64) -> String,
}

fn fixed1(x: f64) -> String {
    format!("{x:.1}")
}

fn fixed2(x: f64) -> String {
    format!("{x:.2}")
}

fn fixed3(x: f64) -> String {
    format!("{x:.3}")
}

/// The metrics table: `data-metric` names each row by its `summary.json` key.
fn metrics_table(out: &mut String, s: &Summary, per: &str) {
    let m = &s.metrics;
    let rows = [
        Row {
            key: "availability",
            label: "availability".into(),
            m: &m.availability,
            fmt: pct,
        },
        Row {
            key: "request_success_ratio",
            label: "request success ratio".into(),
            m: &m.request_success_ratio,
            fmt: pct,
        },
        Row {
            key: "downtime_minutes",
            label: format!("downtime (min per {per})"),
            m: &m.downtime_minutes,
            fmt: fixed2,
        },
        Row {
            key: "incidents",
            label: format!("incidents (per {per})"),
            m: &m.incidents,
            fmt: fixed2,
        },
        Row {
            key: "longest_incident_minutes",
            label: "longest incident (min)".into(),
            m: &m.longest_incident_minutes,
            fmt: fixed2,
        },
        Row {
            key: "cost_usd",
            label: format!("cost (USD per {per})"),
            m: &m.cost_usd,
            fmt: fixed2,
        },
        Row {
            key: "instance_hours",
            label: "instance-hours".into(),
            m: &m.instance_hours,
            fmt: fixed1,
        },
        Row {
            key: "instance_failures",
            label: "instance failures".into(),
            m: &m.instance_failures,
            fmt: fixed2,
        },
        Row {
            key: "replacements",
            label: "replacements".into(),
            m: &m.replacements,
            fmt: fixed2,
        },
        Row {
            key: "zone_outages",
            label: "zone outages".into(),
            m: &m.zone_outages,
            fmt: fixed3,
        },
    ];
    out.push_str(
        "<table class=\"metrics\">\n<thead><tr><th>metric</th><th>mean</th><th>95 % CI of the mean</th>\
         <th>p5</th><th>median</th><th>p95</th><th>min</th><th>max</th></tr></thead>\n<tbody>\n",
    );
    let mut first = true;
    for r in rows {
        let f = r.fmt;
        let _ = writeln!(
            out,
            "<tr data-metric=\"{}\"><th>{}</th><td>{}</td><td>[{}, {}]</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.key,
            escape(&r.label),
            f(r.m.mean),
            f(r.m.ci95_low),
            f(r.m.ci95_high),
            f(r.m.p5),
            f(r.m.p50),
            f(r.m.p95),
            f(r.m.min),
            f(r.m.max)
        );
        if first {
            // Nines right under availability, which they restate.
            let _ = writeln!(
                out,
                "<tr data-metric=\"nines\"><th>nines</th><td>{}</td><td>[{}, {}]</td><td colspan=\"5\" class=\"note\">−log₁₀(1 − availability), of the mean and its CI</td></tr>",
                nines_text(m.nines.mean),
                nines_text(m.nines.ci95_low),
                nines_text(m.nines.ci95_high)
            );
            first = false;
        }
    }
    if let Some(l) = &m.latency_ms {
        let _ = writeln!(
            out,
            "<tr data-metric=\"latency_ms\"><th>latency (ms)</th><td colspan=\"7\">p50 {}, p90 {}, p99 {}, p99.9 {}, mean {} (all answered requests of all trials)</td></tr>",
            fixed2(l.p50),
            fixed2(l.p90),
            fixed2(l.p99),
            fixed2(l.p999),
            fixed2(l.mean)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The SLO verdicts as a banner: met (green), met on the mean only (amber), not met (red).
fn verdict(out: &mut String, s: &Summary) {
    let slo = &s.slo;
    let Some(target) = slo.availability_target else {
        out.push_str(
            "<p class=\"verdict none\">No availability target in the scenario (<code>slo.availability</code>): \
             nothing to judge.</p>\n",
        );
        return;
    };
    let (class, text) = match (slo.availability_met, slo.availability_met_at_95) {
        (_, Some(true)) => ("met", "met: the whole 95 % CI of availability is above the target"),
        (Some(true), _) => (
            "atrisk",
            "met on the mean, but the 95 % CI reaches below the target: run more trials or add margin",
        ),
        _ => ("missed", "NOT met: mean availability is below the target"),
    };
    let _ = write!(
        out,
        "<p class=\"verdict {class}\"><strong>SLO availability {}</strong> — {}",
        escape(&format!("{} %", style::number(target * 100.0, 4))),
        escape(text)
    );
    if let (Some(t), Some(met)) = (slo.latency_p99_target_ms, slo.latency_p99_met) {
        let _ = write!(
            out,
            "<br><strong>SLO latency p99 {} ms</strong> — {}",
            style::number(t, 1),
            if met { "met" } else { "NOT met" }
        );
    }
    out.push_str("</p>\n");
}

/// The headline numbers as tiles.
fn tiles(out: &mut String, s: &Summary, per: &str) {
    let m = &s.metrics;
    let tile = |out: &mut String, value: String, label: String| {
        let _ = write!(
            out,
            "<div class=\"tile\"><div class=\"value\">{}</div><div class=\"label\">{}</div></div>",
            escape(&value),
            escape(&label)
        );
    };
    out.push_str("<div class=\"tiles\">");
    tile(out, pct(m.availability.mean), "mean availability".into());
    tile(out, nines_text(m.nines.mean), "nines".into());
    tile(
        out,
        format!("{} min", fixed1(m.downtime_minutes.mean)),
        format!(
            "downtime per {per}; 1 {per} in 20: ≥ {} min",
            fixed1(m.downtime_minutes.p95)
        ),
    );
    tile(out, fixed2(m.incidents.mean), format!("incidents per {per}"));
    tile(
        out,
        format!("${}", style::thousands(m.cost_usd.mean)),
        format!("cost per {per}"),
    );
    out.push_str("</div>\n");
}

/// How to read each chart.
fn caption(stem: &str, s: &Summary, per: &str) -> String {
    let down = format!(
        "DOWN means more than {} of requests would fail (<code>slo.max_error_rate</code>)",
        escape(&style::percent(s.slo.max_error_rate))
    );
    match stem {
        "availability" => format!(
            "Each bar is the share of trials (simulated {per}s) with that much downtime. The dark line is \
             the mean, the grey band its 95 % confidence interval; the dashed red line is the downtime the \
             SLO allows per {per}. {down}."
        ),
        "downtime-exceedance" => format!(
            "Read it as “in y % of {per}s, downtime is x minutes or more” (log scale, so rare bad {per}s \
             stay visible). Dots mark the 1-in-2, 1-in-20 and 1-in-100 {per}s; where the curve crosses the \
             dashed line, the SLO is missed."
        ),
        "timeline" => format!(
            "The trial with the median downtime, replayed. Stacked bands: instances in service per zone (the \
             load balancer's view: registered and healthy). Bars above them: when a zone (or the whole \
             region) was dark. Red: the service was DOWN. Dashed lines: injected faults. At the scale of a \
             whole trial a short dip is narrower than a pixel, so each column shows the fewest instances in \
             service during its time and short spans are widened to stay visible; the lower panel zooms in \
             on the longest incident at true scale. {down}."
        ),
        "incident-durations" => "How long DOWN periods last, pooled over all trials, on a log scale of minutes. \
             Lines mark the median and the 95th percentile."
            .to_string(),
        "latency" => "Latency of answered requests over all trials, by percentile: read across from 99 % for \
             the p99. The dashed line is the SLO's p99 target."
            .to_string(),
        _ => String::new(),
    }
}

const CSS: &str = r#"
:root { --ink: #222b36; --muted: #5f6b7a; --line: #e4e7eb; --bg: #f6f7f9; --blue: #2f6fb0; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 32px 28px 48px; }
header h1 { font-size: 30px; margin: 0 0 4px; }
header .lede { margin: 0 0 6px; color: var(--muted); }
header .meta { margin: 0; color: var(--muted); font-size: 14px; }
h2 { font-size: 21px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 24px 0 16px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.tile .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .label { font-size: 13px; color: var(--muted); }
.verdict { border-radius: 8px; padding: 12px 16px; margin: 0; border: 1px solid; }
.verdict.met { background: #e9f6ee; border-color: #9fd3b1; }
.verdict.atrisk { background: #fff6e0; border-color: #f0cf7c; }
.verdict.missed { background: #fdecec; border-color: #eea5a5; }
.verdict.none { background: #fff; border-color: var(--line); color: var(--muted); }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-size: 14.5px; }
th, td { padding: 7px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: #eef1f4; font-weight: 600; }
table.metrics td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.metrics td.note { text-align: left; color: var(--muted); white-space: normal; }
table.metrics tbody th { font-weight: 500; white-space: nowrap; }
table.settings th { width: 210px; font-weight: 500; color: var(--muted); }
figure { margin: 0 0 28px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 12px 8px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 14px; color: var(--muted); padding: 8px 6px 2px; }
figcaption a, footer a { color: var(--blue); }
code { font-size: 13.5px; background: #eef1f4; padding: 1px 4px; border-radius: 4px; }
footer { margin-top: 36px; font-size: 13px; color: var(--muted); }
@media print { body { background: #fff; } figure { break-inside: avoid; } }
"#;

/// The whole page.
pub fn render_html(input: &ReportInput, charts: &[Rendered]) -> String {
    let s = input.summary;
    let per = style::per_horizon(s.run.horizon_seconds);
    let mut out = String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let name = escape(&s.run.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{name} — nines report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<header>\n<h1>{name}</h1>\n"
    );
    if let Some(d) = input.scenario.and_then(|sc| sc.description.as_deref()) {
        let _ = writeln!(out, "<p class=\"lede\">{}</p>", escape(d));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} trials × {} · seed {} · traffic model {} · nines {}</p>\n</header>",
        style::thousands(s.trials as f64),
        escape(&per),
        s.run.seed,
        escape(&s.run.traffic_model),
        env!("CARGO_PKG_VERSION")
    );
    tiles(&mut out, s, &per);
    verdict(&mut out, s);

    out.push_str("<h2>Results</h2>\n");
    metrics_table(&mut out, s, &per);

    out.push_str("<h2>Charts</h2>\n");
    for c in charts {
        let stem = escape(&c.stem);
        let _ = write!(
            out,
            "<figure id=\"{stem}\">\n{}\n<figcaption>{} Files: <a href=\"{stem}.svg\">{stem}.svg</a> · \
             <a href=\"{stem}.png\">{stem}.png</a></figcaption>\n</figure>\n",
            inline_svg(&c.svg, &c.stem),
            caption(&c.stem, s, &per)
        );
    }
    if input.scenario.is_none() {
        out.push_str(
            "<p class=\"note\">No timeline: this report was made from shard outputs without the scenario \
             (give <code>nines merge … --scenario FILE</code> to add it).</p>\n",
        );
    }

    out.push_str("<h2>Scenario</h2>\n");
    match input.scenario {
        Some(sc) => settings(&mut out, sc, s),
        None => out.push_str("<p>The scenario's settings are not in shard outputs.</p>\n"),
    }

    let ranges: Vec<String> = s.trial_ranges.iter().map(|(a, b)| format!("{a}–{}", b - 1)).collect();
    let _ = writeln!(
        out,
        "<footer>{} of {} trials (indices {}), seed {}, scenario fingerprint <code>{}</code>. The same \
         scenario, seed and trial indices give the same numbers on any machine and thread count. Files \
         beside this report: <a href=\"summary.json\">summary.json</a>, <a href=\"trials.csv\">trials.csv</a>, \
         <a href=\"distributions.json\">distributions.json</a>.</footer>\n</main>\n</body>\n</html>",
        style::thousands(s.trials as f64),
        style::thousands(s.run.trials_total as f64),
        escape(&ranges.join(", ")),
        s.run.seed,
        escape(&s.run.scenario_fingerprint)
    );
    out
}

/// A plotters SVG document as an inline `<svg>` element: no XML namespace URL (HTML does not need
/// one), and a label for screen readers.
fn inline_svg(svg: &str, stem: &str) -> String {
    let body = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    body.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{} chart\" ", escape(stem)),
        1,
    )
}

fn duration(t: crate::kernel::SimTime) -> String {
    style::duration(t.as_secs_f64())
}

fn dist(d: &DurationDist) -> String {
    let secs = style::duration;
    match d {
        DurationDist::Constant(t) => format!("always {}", duration(*t)),
        DurationDist::Exponential { mean_s } => format!("exponential, mean {}", secs(*mean_s)),
        DurationDist::Weibull { shape, scale_s } => {
            format!("Weibull, shape {}, scale {}", style::number(*shape, 2), secs(*scale_s))
        }
        DurationDist::LogNormal { median_s, sigma } => {
            format!("lognormal, median {}, σ {}", secs(*median_s), style::number(*sigma, 2))
        }
        DurationDist::Uniform { min_s, max_s } => format!("uniform, {} to {}", secs(*min_s), secs(*max_s)),
        DurationDist::Empirical(v) => format!("resampled from {} observations", v.len()),
    }
}

fn outage(o: &Option<Outage>) -> String {
    match o {
        None => "never fails".into(),
        Some(o) => format!(
            "{} outages; time between: {}; duration: {}",
            match o.kind {
                OutageKind::Isolation => "isolation",
                OutageKind::Power => "power",
            },
            dist(&o.time_between),
            dist(&o.duration)
        ),
    }
}

/// The scenario's key settings, in the order of the scenario file.
fn settings(out: &mut String, sc: &Scenario, s: &Summary) {
    let mut rows: Vec<(String, String)> = vec![(
        "simulation".into(),
        format!(
            "{} trials of {} each, seed {}",
            style::thousands(s.run.trials_total as f64),
            duration(sc.simulation.horizon),
            s.run.seed
        ),
    )];
    for z in &sc.zones {
        rows.push((format!("zone {}", z.name), outage(&z.outage)));
    }
    if sc.region.outage.is_some() {
        rows.push(("region".into(), outage(&sc.region.outage)));
    }
    let lb = &sc.load_balancer;
    let hc = lb.health_check;
    rows.push((
        "load balancer".into(),
        format!(
            "{}, {}, cross-zone {}; health check every {}, timeout {}, healthy after {}, unhealthy after {}; \
             DNS failover {}",
            match lb.lb_type {
                LoadBalancerType::Alb => "ALB",
                LoadBalancerType::Nlb => "NLB",
                LoadBalancerType::Clb => "CLB",
            },
            match lb.algorithm {
                Algorithm::RoundRobin => "round robin",
                Algorithm::LeastOutstandingRequests => "least outstanding requests",
                Algorithm::Random => "random",
            },
            if lb.cross_zone { "on" } else { "off" },
            duration(hc.interval),
            duration(hc.timeout),
            hc.healthy_threshold,
            hc.unhealthy_threshold,
            duration(lb.dns_failover_delay)
        ),
    ));
    let f = &sc.fleet;
    let zones: Vec<&str> = f.zones.iter().map(|&z| sc.zones[z].name.as_str()).collect();
    rows.push((
        "Auto Scaling group".into(),
        format!(
            "{} × {} (min {}, max {}) over {}; replaces what {} finds unhealthy; grace period {}; ${}/h on demand",
            f.desired,
            f.instance.instance_type,
            f.min,
            f.max,
            zones.join(", "),
            match f.health_check_type {
                HealthCheckType::Elb => "EC2 status checks or the load balancer",
                HealthCheckType::Ec2 => "EC2 status checks",
            },
            duration(f.health_check_grace_period),
            style::number(f.instance.price_per_hour, 4)
        ),
    ));
    rows.push(("launch time".into(), dist(&f.instance.launch_time)));
    for m in &f.failure_modes {
        rows.push((
            format!("failure: {}", m.name),
            format!(
                "{}; time between: {}",
                match m.kind {
                    FailureKind::Crash => "crash (EC2 and the load balancer see it)",
                    FailureKind::Hang => "hang (only the load balancer's checks see it)",
                },
                dist(&m.time_between)
            ),
        ));
    }
    if let Some(spot) = &f.spot {
        rows.push((
            "spot".into(),
            format!(
                "{} on demand, then {} % on demand; ${}/h; reclaims: {}",
                spot.on_demand_base,
                spot.on_demand_percentage_above_base,
                style::number(spot.price_per_hour, 4),
                dist(&spot.reclaim.time_between)
            ),
        ));
    }
    for p in &f.scaling {
        let text = match p {
            ScalingPolicy::TargetTracking { target, .. } => format!("target tracking at {}", style::number(*target, 2)),
            ScalingPolicy::Scheduled { at, desired, .. } => format!(
                "scheduled at {} → desired {}",
                duration(*at),
                desired.map(|d| d.to_string()).unwrap_or_else(|| "unchanged".into())
            ),
        };
        rows.push(("scaling".into(), text));
    }
    if let Some(t) = &sc.traffic {
        rows.push((
            "traffic".into(),
            format!(
                "{} req/s{}; service time: {}; timeout {}",
                style::number(t.rate, 2),
                match t.shape {
                    TrafficShape::Constant => String::new(),
                    TrafficShape::Diurnal { peak_to_trough, .. } => {
                        format!(", diurnal, peak/trough {}", style::number(peak_to_trough, 2))
                    }
                },
                dist(&t.service_time),
                duration(t.timeout)
            ),
        ));
    }
    let slo = &sc.slo;
    rows.push((
        "SLO".into(),
        format!(
            "availability {}; latency p99 {}; DOWN while more than {} of requests would fail",
            slo.availability
                .map(|a| format!("{} %", style::number(a * 100.0, 4)))
                .unwrap_or_else(|| "no target".into()),
            slo.latency_p99.map(duration).unwrap_or_else(|| "no target".into()),
            style::percent(slo.max_error_rate)
        ),
    ));
    for i in &sc.inject {
        let what = match &i.fault {
            Fault::ZoneOutage { zone, duration: d, .. } => {
                format!("zone {} dark for {}", sc.zones[*zone].name, duration(*d))
            }
            Fault::RegionOutage { duration: d } => format!("region dark for {}", duration(*d)),
            Fault::InstanceCrash { count, .. } => format!("{count} instance(s) crash"),
            Fault::InstanceHang { count, .. } => format!("{count} instance(s) hang"),
            Fault::SpotReclaim { fraction, .. } => format!("spot reclaim of {}", style::percent(*fraction)),
            Fault::TrafficSpike {
                multiplier,
                duration: d,
            } => {
                format!("traffic ×{} for {}", style::number(*multiplier, 2), duration(*d))
            }
        };
        rows.push((format!("injected at {}", duration(i.at)), what));
    }

    out.push_str("<table class=\"settings\">\n<tbody>\n");
    for (k, v) in rows {
        let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(&k), escape(&v));
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn inline_svg_drops_the_namespace_url() {
        let svg =
            "<svg width=\"1200\" height=\"700\" viewBox=\"0 0 1200 700\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>";
        let inline = inline_svg(svg, "timeline");
        assert!(!inline.contains("http"));
        assert!(inline.starts_with("<svg role=\"img\" aria-label=\"timeline chart\" width=\"1200\""));
    }
}
