//! One representative trial as a timeline: instances in service per zone (stacked), zone and
//! region outages and DOWN periods shaded, injected faults marked; a second panel zooms in on
//! the trial's longest incident, since at a year's scale one pixel is seven hours.

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::cloud::{TraceRecord, TrialOutcome, World};
use crate::scenario::{Fault, Scenario};

use super::style::{self, LegendEntry};
use super::{Chart, DrawError};

/// A span of simulated time [s], start included, end excluded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// Start [s].
    pub start: f64,
    /// End [s].
    pub end: f64,
}

impl Span {
    fn len(&self) -> f64 {
        self.end - self.start
    }
}

/// What happened in one trial, rebuilt from its trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The trial's index.
    pub trial: u64,
    /// The trial's length [s].
    pub horizon_s: f64,
    /// The group's zones, in the group's order.
    pub zones: Vec<String>,
    /// Per zone: `(time [s], instances in service from then on)`, starting at time 0. "In service"
    /// is the load balancer's view: registered and healthy.
    pub in_service: Vec<Vec<(f64, u32)>>,
    /// `(index into zones, when the zone was dark)`.
    pub zone_outages: Vec<(usize, Span)>,
    /// When every zone was dark.
    pub region_outages: Vec<Span>,
    /// When the service was DOWN.
    pub down: Vec<Span>,
    /// `(time [s], what)` of each injected fault.
    pub injections: Vec<(f64, String)>,
}

impl Timeline {
    /// Plays `trial` of `scenario` again with its trace on, and rebuilds its timeline.
    pub fn replay(scenario: &Scenario, trial: u64) -> (TrialOutcome, Timeline) {
        let (outcome, records) = World::new(scenario).run_trial_traced(trial);
        let zones = scenario
            .fleet
            .zones
            .iter()
            .map(|&z| scenario.zones[z].name.clone())
            .collect();
        let horizon_s = scenario.simulation.horizon.as_secs_f64();
        let mut timeline = Timeline::from_trace(trial, horizon_s, zones, &records);
        timeline.injections = scenario
            .inject
            .iter()
            .map(|i| (i.at.as_secs_f64(), describe(&i.fault, scenario)))
            .collect();
        (outcome, timeline)
    }

    /// Rebuilds a timeline from a trace (`--trace` records). Injected faults are not read from the
    /// trace; [`Timeline::replay`] names them from the scenario.
    pub fn from_trace(trial: u64, horizon_s: f64, zones: Vec<String>, records: &[TraceRecord]) -> Timeline {
        let zone_of = |name: &str| zones.iter().position(|z| z == name);
        let mut healthy: HashMap<&str, usize> = HashMap::new();
        let mut counts = vec![0u32; zones.len()];
        let mut in_service: Vec<Vec<(f64, u32)>> = vec![vec![(0.0, 0)]; zones.len()];
        let mut zone_depth = vec![(0u32, 0.0f64); zones.len()];
        let (mut region_depth, mut region_since) = (0u32, 0.0);
        let mut down_since: Option<f64> = None;
        let mut zone_outages = Vec::new();
        let mut region_outages = Vec::new();
        let mut down = Vec::new();

        for r in records {
            let t = r.time_s;
            match r.event.as_str() {
                "target_healthy" => {
                    if let Some(z) = zone_of(&r.zone) {
                        if healthy.insert(&r.instance, z).is_none() {
                            counts[z] += 1;
                            step(&mut in_service[z], t, counts[z]);
                        }
                    }
                }
                "target_unhealthy" | "target_initial" | "instance_terminate" => {
                    if let Some(z) = healthy.remove(r.instance.as_str()) {
                        counts[z] -= 1;
                        step(&mut in_service[z], t, counts[z]);
                    }
                }
                "zone_outage_start" => {
                    if let Some(z) = zone_of(&r.zone) {
                        let (depth, since) = &mut zone_depth[z];
                        if *depth == 0 {
                            *since = t;
                        }
                        *depth += 1;
                    }
                }
                "zone_outage_end" => {
                    if let Some(z) = zone_of(&r.zone) {
                        let (depth, since) = &mut zone_depth[z];
                        *depth = depth.saturating_sub(1);
                        if *depth == 0 {
                            zone_outages.push((z, Span { start: *since, end: t }));
                        }
                    }
                }
                "region_outage_start" => {
                    if region_depth == 0 {
                        region_since = t;
                    }
                    region_depth += 1;
                }
                "region_outage_end" => {
                    region_depth = region_depth.saturating_sub(1);
                    if region_depth == 0 {
                        region_outages.push(Span {
                            start: region_since,
                            end: t,
                        });
                    }
                }
                "service_down" => down_since = Some(t),
                "service_up" => {
                    if let Some(start) = down_since.take() {
                        down.push(Span { start, end: t });
                    }
                }
                _ => {}
            }
        }
        // Whatever is still going on ends with the trial.
        for (z, &(depth, since)) in zone_depth.iter().enumerate() {
            if depth > 0 {
                zone_outages.push((
                    z,
                    Span {
                        start: since,
                        end: horizon_s,
                    },
                ));
            }
        }
        if region_depth > 0 {
            region_outages.push(Span {
                start: region_since,
                end: horizon_s,
            });
        }
        if let Some(start) = down_since {
            down.push(Span { start, end: horizon_s });
        }
        zone_outages.sort_by(|a, b| a.1.start.total_cmp(&b.1.start));
        Timeline {
            trial,
            horizon_s,
            zones,
            in_service,
            zone_outages,
            region_outages,
            down,
            injections: Vec::new(),
        }
    }

    /// Minutes DOWN: the sum of the DOWN spans.
    pub fn downtime_minutes(&self) -> f64 {
        self.down.iter().map(|s| s.len()).sum::<f64>() / 60.0
    }

    /// The span the zoom panel shows: the first injected fault (a drill is what the scenario is
    /// about), or else the longest DOWN period (with the outage it fell in, if that is shorter
    /// than half a day), or else the longest outage.
    fn zoom(&self) -> Option<(Span, String)> {
        let longest = |spans: &mut dyn Iterator<Item = Span>| spans.max_by(|a, b| a.len().total_cmp(&b.len()));
        let outages = || {
            self.zone_outages
                .iter()
                .map(|z| z.1)
                .chain(self.region_outages.iter().copied())
        };
        let (focus, what) = if let Some((at, fault)) = self.injections.first() {
            // The outage the injection started, if it was one; else the minutes after it.
            let end = outages()
                .filter(|o| o.start == *at)
                .map(|o| o.end)
                .fold(at + 600.0, f64::max)
                .min(at + 43_200.0);
            (Span { start: *at, end }, format!("the injected fault ({fault})"))
        } else if let Some(s) = longest(&mut self.down.iter().copied()) {
            let mut focus = s;
            for o in outages() {
                if o.start <= s.end && s.start <= o.end && o.len() < 43_200.0 {
                    focus.start = focus.start.min(o.start);
                    focus.end = focus.end.max(o.end);
                }
            }
            (
                focus,
                format!("the longest incident, {} DOWN", style::duration(s.len())),
            )
        } else if let Some(s) = longest(&mut outages()) {
            (s, format!("the longest outage, {}", style::duration(s.len())))
        } else {
            return None;
        };
        let width = (focus.len() * 1.4).max(1800.0).min(self.horizon_s);
        let start = (focus.start - (width - focus.len()) / 2.0).clamp(0.0, self.horizon_s - width);
        let span = Span {
            start,
            end: start + width,
        };
        Some((span, format!("zoom on {what}, {}", clock(focus.start))))
    }
}

/// Appends a change of the in-service count at `t`.
fn step(series: &mut Vec<(f64, u32)>, t: f64, count: u32) {
    match series.last_mut() {
        Some(last) if last.0 == t => last.1 = count,
        _ => series.push((t, count)),
    }
}

/// The fewest instances in service during each of `bins` equal parts of `window`.
fn fewest_per_bin(series: &[(f64, u32)], window: Span, bins: usize) -> Vec<u32> {
    let width = window.len() / bins as f64;
    let mut out = Vec::with_capacity(bins);
    // `i`: the change in force at the bin's start; `j` walks the changes inside the bin.
    let mut i = 0;
    for b in 0..bins {
        let start = window.start + width * b as f64;
        let end = start + width;
        while i + 1 < series.len() && series[i + 1].0 <= start {
            i += 1;
        }
        let Some(&(_, mut fewest)) = series.get(i) else {
            out.push(0);
            continue;
        };
        let mut j = i;
        while j + 1 < series.len() && series[j + 1].0 < end {
            j += 1;
            fewest = fewest.min(series[j].1);
        }
        out.push(fewest);
    }
    out
}

/// `day 123 14:02` on the trial's clock (day 0 starts at 00:00).
fn clock(t: f64) -> String {
    let day = (t / 86_400.0).floor();
    let minutes = ((t - day * 86_400.0) / 60.0).round() as u64;
    format!("day {} {:02}:{:02}", day as u64, minutes / 60, minutes % 60)
}

/// An injected fault in a few words.
fn describe(fault: &Fault, s: &Scenario) -> String {
    let zone = |z: &Option<usize>| z.map(|z| format!(" in {}", s.zones[z].name)).unwrap_or_default();
    match fault {
        Fault::ZoneOutage { zone, duration, .. } => format!(
            "{} dark for {}",
            s.zones[*zone].name,
            style::duration(duration.as_secs_f64())
        ),
        Fault::RegionOutage { duration } => format!("region dark for {}", style::duration(duration.as_secs_f64())),
        Fault::InstanceCrash { zone: z, count } => format!("{count} instance(s) crash{}", zone(z)),
        Fault::InstanceHang { zone: z, count } => format!("{count} instance(s) hang{}", zone(z)),
        Fault::SpotReclaim { zone: z, .. } => format!("spot reclaim{}", zone(z)),
        Fault::TrafficSpike { multiplier, duration } => format!(
            "traffic ×{} for {}",
            style::number(*multiplier, 1),
            style::duration(duration.as_secs_f64())
        ),
    }
}

/// The trial whose downtime is nearest a target (the median, for the chart), from rows offered one
/// at a time in trial order, so that the rows need not be held; ties go to the lowest index.
pub struct NearestTrial {
    target: f64,
    best: Option<(f64, u64)>,
}

impl NearestTrial {
    /// Nothing offered yet.
    pub fn new(target: f64) -> Self {
        NearestTrial { target, best: None }
    }

    /// Considers trial `trial` with `downtime` [min].
    pub fn offer(&mut self, trial: u64, downtime: f64) {
        let distance = (downtime - self.target).abs();
        if self.best.is_none_or(|(d, _)| distance < d) {
            self.best = Some((distance, trial));
        }
    }

    /// The nearest trial offered.
    pub fn trial(&self) -> Option<u64> {
        self.best.map(|(_, t)| t)
    }
}

/// The timeline of one trial, with what makes it representative.
pub struct TimelineChart {
    scenario: String,
    timeline: Timeline,
    /// Why this trial, e.g. "the median trial by downtime".
    why: String,
    trials: u64,
    incidents: u64,
}

impl TimelineChart {
    /// The chart of `timeline`, one of `trials` trials, chosen for the reason `why`.
    pub fn new(scenario: &str, timeline: Timeline, why: &str, trials: u64, outcome: &TrialOutcome) -> Self {
        TimelineChart {
            scenario: scenario.to_string(),
            timeline,
            why: why.to_string(),
            trials,
            incidents: outcome.incidents,
        }
    }

    fn legend_entries(&self) -> Vec<LegendEntry> {
        let t = &self.timeline;
        let mut entries: Vec<LegendEntry> = t
            .zones
            .iter()
            .enumerate()
            .map(|(z, name)| LegendEntry::boxed(style::series_color(z).mix(0.8), format!("in service: {name}")))
            .collect();
        let mut dark: Vec<usize> = t.zone_outages.iter().map(|o| o.0).collect();
        dark.sort_unstable();
        dark.dedup();
        for z in dark {
            entries.push(LegendEntry::boxed(
                style::series_color(z).to_rgba(),
                format!("zone dark: {}", t.zones[z]),
            ));
        }
        if !t.region_outages.is_empty() {
            entries.push(LegendEntry::boxed(style::MUTED.to_rgba(), "region dark"));
        }
        entries.push(LegendEntry::boxed(style::RED.mix(0.45), "service DOWN"));
        if !t.injections.is_empty() {
            entries.push(LegendEntry::line(style::INK.to_rgba(), "injected fault"));
        }
        entries
    }

    /// The event lanes above the bands: one per zone that had an outage, one for the region.
    fn lanes(&self) -> Vec<Lane> {
        let t = &self.timeline;
        let mut lanes: Vec<Lane> = (0..t.zones.len())
            .filter_map(|z| {
                let spans: Vec<Span> = t.zone_outages.iter().filter(|o| o.0 == z).map(|o| o.1).collect();
                (!spans.is_empty()).then(|| Lane {
                    label: format!("{} dark", t.zones[z]),
                    spans,
                    color: style::series_color(z).to_rgba(),
                })
            })
            .collect();
        if !t.region_outages.is_empty() {
            lanes.push(Lane {
                label: "region dark".into(),
                spans: t.region_outages.clone(),
                color: style::MUTED.to_rgba(),
            });
        }
        lanes
    }

    fn panel<DB>(
        &self,
        area: &DrawingArea<DB, Shift>,
        window: Span,
        caption: &str,
        zoomed: bool,
    ) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let t = &self.timeline;
        let axis = TimeAxis::new(window, zoomed);
        let peak: u32 = t
            .in_service
            .iter()
            .map(|s| s.iter().map(|p| p.1).max().unwrap_or(0))
            .sum::<u32>()
            .max(1);
        let lanes = self.lanes();
        // Bands from 0 to the peak; then the lanes; then a row for the injected faults' labels.
        let lanes_from = peak as f64 + 0.4;
        let y_hi = lanes_from + LANE * lanes.len() as f64 + if t.injections.is_empty() { 0.2 } else { 0.8 };
        let y_step = ((peak as f64 / 6.0).ceil() as u32).max(1);
        let y_ticks: Vec<f64> = (0..=peak).step_by(y_step as usize).map(f64::from).collect();
        let mut chart = ChartBuilder::on(area)
            .caption(caption, style::text(style::AXIS_SIZE, style::INK))
            .margin(10)
            .margin_right(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(
                style::ticked(axis.x(window.start)..axis.x(window.end), axis.ticks.clone()),
                style::ticked(0.0..y_hi, y_ticks),
            )?;
        style::mesh(
            &mut chart,
            &style::Axes {
                x_desc: &axis.desc,
                y_desc: "instances in service",
                x_fmt: &|x| axis.label(*x),
                y_fmt: &|y| style::number(*y, 0),
            },
        )?;

        let bins = (chart.plotting_area().dim_in_pixel().0 as usize).max(10);
        let bin = window.len() / bins as f64;
        // A span at least two columns wide, so that a one-minute incident on a year still shows.
        let visible = |s: Span| -> Option<(f64, f64)> {
            let (a, b) = (s.start.max(window.start), s.end.min(window.end));
            if b < a || (b == a && s.len() > 0.0) {
                return None;
            }
            let pad = ((2.0 * bin - (b - a)) / 2.0).max(0.0);
            Some((axis.x(a - pad), axis.x(b + pad)))
        };

        self.bands(&mut chart, window, bins, &axis)?;
        chart.draw_series(
            t.down
                .iter()
                .filter_map(|&s| visible(s))
                .map(|(a, b)| Rectangle::new([(a, 0.0), (b, lanes_from - 0.2)], style::RED.mix(0.45).filled())),
        )?;
        for (k, lane) in lanes.iter().enumerate() {
            let y0 = lanes_from + LANE * k as f64;
            let y1 = y0 + LANE * 0.7;
            let (xa, xb) = (axis.x(window.start), axis.x(window.end));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(xa, y0), (xb, y1)],
                style::GRID.filled(),
            )))?;
            chart.draw_series(
                lane.spans
                    .iter()
                    .filter_map(|&s| visible(s))
                    .map(|(a, b)| Rectangle::new([(a, y0), (b, y1)], lane.color.filled())),
            )?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((xa, y1)) + Text::new(lane.label.clone(), (6, 1), style::text(15.0, style::INK)),
            ))?;
        }
        for (at, what) in &t.injections {
            if *at < window.start || *at > window.end {
                continue;
            }
            // Above the bands only, so that what it caused stays visible.
            let x = axis.x(*at);
            chart.draw_series(DashedLineSeries::new(
                [(x, lanes_from - 0.2), (x, y_hi)],
                8,
                5,
                style::INK.stroke_width(2),
            ))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y_hi))
                    + Text::new(
                        format!("injected: {what}"),
                        (6, 2),
                        style::text(style::NOTE_SIZE, style::INK),
                    ),
            ))?;
        }
        Ok(())
    }

    /// Stacked bands: zone k sits on top of zones 0..k, bin by bin.
    fn bands<DB, Y>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<style::Ticked, Y>>,
        window: Span,
        bins: usize,
        axis: &TimeAxis,
    ) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        Y: Ranged<ValueType = f64>,
    {
        let bin = window.len() / bins as f64;
        let per_zone: Vec<Vec<u32>> = self
            .timeline
            .in_service
            .iter()
            .map(|s| fewest_per_bin(s, window, bins))
            .collect();
        let mut base = vec![0u32; bins];
        for (z, counts) in per_zone.iter().enumerate() {
            let color = style::series_color(z).mix(0.8);
            let mut rects = Vec::new();
            let mut b = 0;
            while b < bins {
                let (lo, hi) = (base[b], base[b] + counts[b]);
                let mut e = b + 1;
                while e < bins && base[e] == lo && base[e] + counts[e] == hi {
                    e += 1;
                }
                if hi > lo {
                    let (xa, xb) = (
                        axis.x(window.start + bin * b as f64),
                        axis.x(window.start + bin * e as f64),
                    );
                    rects.push(Rectangle::new([(xa, lo as f64), (xb, hi as f64)], color.filled()));
                }
                b = e;
            }
            chart.draw_series(rects)?;
            for (acc, c) in base.iter_mut().zip(counts) {
                *acc += c;
            }
        }
        Ok(())
    }
}

/// Height of an event lane, in instance units.
const LANE: f64 = 0.8;

/// A row of spans above the bands, e.g. when a zone was dark.
struct Lane {
    label: String,
    spans: Vec<Span>,
    color: RGBAColor,
}

/// The time axis of a panel: days over the whole trial, clock times when zoomed.
struct TimeAxis {
    /// Seconds per axis unit.
    unit: f64,
    zoomed: bool,
    ticks: Vec<f64>,
    desc: String,
}

impl TimeAxis {
    fn new(window: Span, zoomed: bool) -> TimeAxis {
        if !zoomed {
            let days = window.len() / 86_400.0;
            return TimeAxis {
                unit: 86_400.0,
                zoomed,
                ticks: style::linear_ticks(window.start / 86_400.0, window.end / 86_400.0, 8)
                    .into_iter()
                    .filter(|&d| d <= days + 1e-9)
                    .collect(),
                desc: "day of the trial".into(),
            };
        }
        // Clock times at a round step, about six of them.
        let step = [
            60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10_800.0, 21_600.0, 43_200.0,
        ]
        .into_iter()
        .find(|&s| window.len() / s <= 7.0)
        .unwrap_or(86_400.0);
        let first = (window.start / step).ceil() as i64;
        let last = (window.end / step).floor() as i64;
        let ticks = (first..=last).map(|k| k as f64 * step / 3600.0).collect();
        let (d0, d1) = (
            (window.start / 86_400.0).floor() as u64,
            (window.end / 86_400.0).floor() as u64,
        );
        let desc = if d0 == d1 {
            format!("time of day on day {d0}")
        } else {
            format!("time of day, days {d0}–{d1}")
        };
        TimeAxis {
            unit: 3600.0,
            zoomed,
            ticks,
            desc,
        }
    }

    /// Seconds of the trial to the axis unit.
    fn x(&self, t: f64) -> f64 {
        t / self.unit
    }

    fn label(&self, x: f64) -> String {
        if self.zoomed {
            let minutes = (x * 60.0).round() as u64 % (24 * 60);
            format!("{:02}:{:02}", minutes / 60, minutes % 60)
        } else {
            style::number(x, 1)
        }
    }
}

impl Chart for TimelineChart {
    fn stem(&self) -> String {
        "timeline".into()
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let t = &self.timeline;
        let title = format!("{} — trial {}, {}", self.scenario, t.trial, self.why);
        let body = root.titled(&title, style::text(style::TITLE_SIZE, style::INK))?;
        let (width, height) = body.dim_in_pixel();
        let (plots, side) = body.split_horizontally(width as i32 - 290);

        let whole = Span {
            start: 0.0,
            end: t.horizon_s,
        };
        let column = t.horizon_s / plots.dim_in_pixel().0.max(1) as f64;
        let overview = format!(
            "the whole trial: each column shows the fewest in service during its {}",
            style::duration(column)
        );
        match t.zoom() {
            Some((window, caption)) if window.len() < 0.5 * t.horizon_s => {
                let (top, bottom) = plots.split_vertically(height as i32 / 2);
                self.panel(&top, whole, &overview, false)?;
                self.panel(&bottom, window, &caption, true)?;
            }
            _ => self.panel(&plots, whole, &overview, false)?,
        }

        let entries = self.legend_entries();
        let (side_w, _) = side.dim_in_pixel();
        style::legend(&side, (side_w as i32 - 12, 40), &entries)?;
        let notes = [
            format!("trial {} of {}", t.trial, style::thousands(self.trials as f64)),
            format!("{} min DOWN", style::number(t.downtime_minutes(), 1)),
            format!("in {} incident(s)", self.incidents),
        ];
        let y0 = 40 + 28 * entries.len() as i32 + 40;
        for (i, line) in notes.iter().enumerate() {
            side.draw_text(
                line,
                &style::text(style::NOTE_SIZE, style::MUTED),
                (20, y0 + 26 * i as i32),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: f64, event: &str, zone: &str, instance: &str) -> TraceRecord {
        TraceRecord {
            time_s: t,
            event: event.into(),
            zone: zone.into(),
            instance: instance.into(),
            detail: String::new(),
        }
    }

    #[test]
    fn in_service_follows_the_load_balancers_view() {
        let records = vec![
            rec(0.0, "target_healthy", "a", "i-0"),
            rec(0.0, "target_healthy", "b", "i-1"),
            rec(0.0, "target_healthy", "a", "i-2"),
            rec(100.0, "instance_hang", "a", "i-0"),
            rec(150.0, "target_unhealthy", "a", "i-0"),
            rec(150.0, "service_down", "", ""),
            rec(150.0, "instance_terminate", "a", "i-0"),
            rec(210.0, "service_up", "", ""),
            rec(500.0, "zone_outage_start", "b", ""),
            rec(600.0, "target_healthy", "a", "i-3"),
            rec(900.0, "zone_outage_end", "b", ""),
            rec(950.0, "service_down", "", ""),
        ];
        let t = Timeline::from_trace(7, 1000.0, vec!["a".into(), "b".into()], &records);
        assert_eq!(t.in_service[0], vec![(0.0, 2), (150.0, 1), (600.0, 2)]);
        assert_eq!(t.in_service[1], vec![(0.0, 1)]);
        assert_eq!(
            t.zone_outages,
            vec![(
                1,
                Span {
                    start: 500.0,
                    end: 900.0
                }
            )]
        );
        // 60 s, then 50 s still DOWN at the horizon.
        assert_eq!(
            t.down,
            vec![
                Span {
                    start: 150.0,
                    end: 210.0
                },
                Span {
                    start: 950.0,
                    end: 1000.0
                }
            ]
        );
        assert!((t.downtime_minutes() - 110.0 / 60.0).abs() < 1e-12);
    }

    #[test]
    fn bins_keep_the_dips() {
        // 4 instances, a dip to 3 during [10, 11): every bin touching it shows 3.
        let series = vec![(0.0, 4), (10.0, 3), (11.0, 4)];
        let bins = fewest_per_bin(&series, Span { start: 0.0, end: 100.0 }, 10);
        assert_eq!(bins, vec![4, 3, 4, 4, 4, 4, 4, 4, 4, 4]);
        let zoom = fewest_per_bin(&series, Span { start: 9.0, end: 13.0 }, 4);
        assert_eq!(zoom, vec![4, 3, 4, 4]);
    }

    #[test]
    fn clock_reads_day_and_time() {
        assert_eq!(clock(86_400.0 * 3.0 + 3600.0 * 14.0 + 120.0), "day 3 14:02");
    }

    #[test]
    fn the_median_trial() {
        let rows = [(0, 5.0), (1, 1.0), (2, 3.0), (3, 9.0), (4, 3.0)];
        let mut downtime = crate::report::accumulate::MetricAccumulator::linear();
        rows.iter().for_each(|&(_, d)| downtime.record(d));
        // Sorted 1, 3, 3, 5, 9: the median is 3, which trials 2 and 4 share; the lower index wins.
        let mut nearest = NearestTrial::new(downtime.order_statistic(2));
        rows.iter().for_each(|&(t, d)| nearest.offer(t, d));
        assert_eq!(nearest.trial(), Some(2));
        assert_eq!(NearestTrial::new(1.0).trial(), None);
    }

    #[test]
    fn a_replay_adds_up_to_the_trials_downtime() {
        let s = crate::scenario::parse(
            r#"
            [simulation]
            horizon = "60d"
            [[zones]]
            name = "a"
            outage = { time_between = { dist = "exponential", mean = "20d" }, duration = "2h" }
            [[zones]]
            name = "b"
            [fleet]
            zones = ["a", "b"]
            desired = 3
            health_check_type = "elb"
            [[fleet.failure_modes]]
            name = "hang"
            time_between = { dist = "exponential", mean = "10d" }
            kind = "hang"
            [[inject]]
            at = "30d"
            fault = "zone_outage"
            zone = "b"
            duration = "1h"
            "#,
            "<test>",
            "t",
        )
        .unwrap();
        let (outcome, t) = Timeline::replay(&s, 4);
        assert!((t.downtime_minutes() - outcome.downtime_minutes).abs() < 1e-6);
        // Two instances in a, one in b at the start.
        assert_eq!((t.in_service[0][0], t.in_service[1][0]), ((0.0, 2), (0.0, 1)));
        assert_eq!(t.injections, vec![(30.0 * 86_400.0, "b dark for 1 h".to_string())]);
        assert!(t
            .zone_outages
            .iter()
            .any(|&(z, s)| z == 1 && s.start == 30.0 * 86_400.0));
    }
}
