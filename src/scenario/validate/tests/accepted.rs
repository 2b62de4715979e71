//! Scenarios that must be accepted, and what they turn into; overrides.

use super::*;
use crate::scenario::{
    Algorithm, DurationDist, FailureKind, HealthCheck, HealthCheckType, Injection, LoadBalancerType, ScalingMetric,
    ScalingPolicy, SpotReclaim, SuspendedProcesses, TrafficModel, TrafficShape,
};

fn ok(text: &str) -> Scenario {
    parse_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const DAY: f64 = 86_400.0;

#[test]
fn the_example_reads_as_written() {
    let s = ok(EXAMPLE);
    assert_eq!(s.name, "web tier, two zones");
    assert_eq!(s.description.as_deref(), Some("optional free text"));
    assert_eq!(
        s.simulation,
        Simulation {
            horizon: SimTime::from_secs(365 * 86_400),
            trials: 1000,
            seed: 42,
            method: Method::MonteCarlo,
        }
    );
    assert_eq!(s.zones.len(), 2);
    let a = s
        .zones
        .first()
        .and_then(|z| z.outage.as_ref())
        .unwrap_or_else(|| panic!("zone a has an outage"));
    assert_eq!(a.time_between, DurationDist::Exponential { mean_s: 365.0 * DAY });
    assert_eq!(
        a.duration,
        DurationDist::LogNormal {
            median_s: 3600.0,
            sigma: 1.0
        }
    );
    assert_eq!(a.kind, OutageKind::Isolation);
    let b = s
        .zones
        .get(1)
        .and_then(|z| z.outage.as_ref())
        .map(|o| o.duration.clone());
    assert_eq!(b, Some(DurationDist::Constant(SimTime::from_secs(7200))));
    let region = s
        .region
        .outage
        .as_ref()
        .map(|o| (o.time_between.clone(), o.duration.clone()));
    assert_eq!(
        region,
        Some((
            DurationDist::Exponential {
                mean_s: 5.0 * 365.0 * DAY
            },
            DurationDist::Constant(SimTime::from_secs(3 * 3600))
        ))
    );

    let lb = &s.load_balancer;
    assert_eq!(
        (lb.lb_type, lb.algorithm, lb.cross_zone),
        (LoadBalancerType::Alb, Algorithm::RoundRobin, true)
    );
    assert_eq!(
        (lb.deregistration_delay, lb.dns_failover_delay),
        (SimTime::from_secs(300), SimTime::from_secs(60))
    );
    let hc = HealthCheck {
        interval: SimTime::from_secs(30),
        timeout: SimTime::from_secs(5),
        healthy_threshold: 5,
        unhealthy_threshold: 2,
    };
    assert_eq!(lb.health_check, hc);

    let f = &s.fleet;
    assert_eq!(f.zones, vec![0, 1], "zone names resolved to ids");
    assert_eq!((f.min, f.desired, f.max), (2, 4, 12));
    assert_eq!(f.health_check_type, HealthCheckType::Elb);
    assert_eq!(f.health_check_grace_period, SimTime::from_secs(300));
    assert_eq!(f.suspended, SuspendedProcesses::default());
    assert_eq!(f.instance.instance_type, "m5.large");
    assert_eq!(
        (
            f.instance.concurrency,
            f.instance.queue_limit,
            f.instance.price_per_hour
        ),
        (8, 1000, 0.096)
    );
    assert_eq!(
        f.instance.launch_time,
        DurationDist::LogNormal {
            median_s: 180.0,
            sigma: 0.3
        }
    );
    let modes: Vec<_> = f
        .failure_modes
        .iter()
        .map(|m| (m.name.as_str(), m.kind, m.time_between.clone()))
        .collect();
    assert_eq!(
        modes,
        vec![
            (
                "crash",
                FailureKind::Crash,
                DurationDist::Exponential { mean_s: 60.0 * DAY }
            ),
            (
                "app hang",
                FailureKind::Hang,
                DurationDist::Weibull {
                    shape: 1.2,
                    scale_s: 30.0 * DAY
                }
            ),
        ]
    );
    assert!(f.spot.is_none() && f.scaling.is_empty());

    let t = s.traffic.as_ref().unwrap_or_else(|| panic!("traffic is given"));
    assert_eq!(t.rate, 400.0);
    assert_eq!(
        t.shape,
        TrafficShape::Diurnal {
            peak_to_trough: 3.0,
            peak_at: SimTime::from_secs(14 * 3600)
        }
    );
    assert_eq!(
        t.service_time,
        DurationDist::LogNormal {
            median_s: 0.02,
            sigma: 0.5
        }
    );
    assert_eq!(
        (t.timeout, t.model, t.retries),
        (SimTime::from_secs(2), TrafficModel::Auto, 0)
    );
    assert_eq!(t.retry_backoff, DurationDist::Constant(SimTime::ZERO));

    assert_eq!(
        s.slo,
        Slo {
            availability: Some(0.9995),
            latency_p99: Some(SimTime(300_000)),
            max_error_rate: 0.05
        }
    );
    let zone_outage = Fault::ZoneOutage {
        zone: 0,
        duration: SimTime::from_secs(4 * 3600),
        kind: OutageKind::Isolation,
    };
    assert_eq!(
        s.inject,
        vec![Injection {
            at: SimTime::from_secs(30 * 86_400),
            fault: zone_outage
        }]
    );
}

#[test]
fn the_spot_and_scaling_sections_of_the_contract_are_read() {
    let text = format!("{EXAMPLE}{SPOT_AND_SCALING}");
    let s = parse_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let spot = s.fleet.spot.as_ref().unwrap_or_else(|| panic!("spot is given"));
    assert_eq!(
        (
            spot.on_demand_base,
            spot.on_demand_percentage_above_base,
            spot.price_per_hour
        ),
        (1, 25, 0.035)
    );
    assert_eq!(
        (spot.notice, spot.capacity_rebalance, spot.unavailable_for),
        (SimTime::from_secs(120), false, SimTime::from_secs(1800))
    );
    assert_eq!(
        spot.reclaim,
        SpotReclaim {
            time_between: DurationDist::Exponential { mean_s: 20.0 * DAY },
            fraction: 1.0
        }
    );
    assert_eq!(
        s.fleet.scaling,
        vec![
            ScalingPolicy::TargetTracking {
                metric: ScalingMetric::Cpu,
                target: 60.0,
                instance_warmup: SimTime::from_secs(300),
                disable_scale_in: false
            },
            ScalingPolicy::Scheduled {
                at: SimTime::from_secs(8 * 3600),
                desired: Some(8),
                min: None,
                max: None
            },
        ]
    );
}

#[test]
fn all_six_distribution_forms() {
    let forms = [
        ("\"5m\"", DurationDist::Constant(SimTime::from_secs(300))),
        (
            "{ dist = \"constant\", value = \"5m\" }",
            DurationDist::Constant(SimTime::from_secs(300)),
        ),
        (
            "{ dist = \"exponential\", mean = \"30d\" }",
            DurationDist::Exponential { mean_s: 30.0 * DAY },
        ),
        (
            "{ dist = \"weibull\", shape = 1.5, scale = \"30d\" }",
            DurationDist::Weibull {
                shape: 1.5,
                scale_s: 30.0 * DAY,
            },
        ),
        (
            "{ dist = \"weibull\", shape = 2, scale = \"1h\" }",
            DurationDist::Weibull {
                shape: 2.0,
                scale_s: 3600.0,
            },
        ),
        (
            "{ dist = \"lognormal\", median = \"1h\", sigma = 1.0 }",
            DurationDist::LogNormal {
                median_s: 3600.0,
                sigma: 1.0,
            },
        ),
        (
            "{ dist = \"uniform\", min = \"1m\", max = \"10m\" }",
            DurationDist::Uniform {
                min_s: 60.0,
                max_s: 600.0,
            },
        ),
        (
            "{ dist = \"uniform\", min = \"0s\", max = \"1s\" }",
            DurationDist::Uniform { min_s: 0.0, max_s: 1.0 },
        ),
        (
            "{ dist = \"empirical\", values = [\"40m\", \"2h\", \"0s\"] }",
            DurationDist::Empirical(vec![SimTime::from_secs(2400), SimTime::from_secs(7200), SimTime::ZERO]),
        ),
    ];
    for (text, want) in forms {
        let s = ok(&format!(
            "{BASE}[[fleet.failure_modes]]\nkind = \"crash\"\ntime_between = {text}\n"
        ));
        assert_eq!(
            s.fleet.failure_modes.first().map(|m| &m.time_between),
            Some(&want),
            "{text}"
        );
        assert_eq!(
            s.fleet.failure_modes.first().map(|m| m.name.as_str()),
            Some("crash"),
            "name defaults to the kind"
        );
    }
}

#[test]
fn defaults_of_a_minimal_scenario() {
    let s = ok(BASE);
    assert_eq!(s.name, "t");
    assert_eq!(
        s.simulation,
        Simulation {
            horizon: SimTime::from_secs(365 * 86_400),
            trials: 1000,
            seed: 1,
            method: Method::MonteCarlo,
        }
    );
    assert_eq!(s.region.outage, None);
    assert!(s.zones.iter().all(|z| z.outage.is_none()));
    assert_eq!((s.fleet.min, s.fleet.desired, s.fleet.max), (4, 4, 4));
    assert_eq!(s.fleet.health_check_type, HealthCheckType::Ec2);
    assert_eq!(s.fleet.health_check_grace_period, SimTime::from_secs(300));
    let i = &s.fleet.instance;
    assert_eq!(
        (i.instance_type.as_str(), i.concurrency, i.queue_limit, i.price_per_hour),
        ("m5.large", 8, 1000, 0.0)
    );
    assert_eq!(i.launch_time, DurationDist::Constant(SimTime::from_secs(180)));
    assert_eq!(s.load_balancer.price_per_hour, 0.0);
    assert_eq!(s.traffic, None);
    assert_eq!(
        s.slo,
        Slo {
            availability: None,
            latency_p99: None,
            max_error_rate: 0.05
        }
    );
    assert!(s.inject.is_empty());
    let all_zones = ok(&BASE.replace("zones = [\"a\", \"b\"]\n", ""));
    assert_eq!(
        all_zones.fleet.zones,
        vec![0, 1],
        "without fleet.zones the group spans every zone"
    );
    let min_only = ok(&format!("{BASE}min = 1\n"));
    assert_eq!((min_only.fleet.min, min_only.fleet.max), (1, 4));
}

#[test]
fn load_balancer_defaults_follow_the_type() {
    let lb = |t: &str| ok(&format!("{BASE}[load_balancer]\ntype = \"{t}\"\n")).load_balancer;
    let hc = |interval: u64, timeout: u64, healthy: u32| HealthCheck {
        interval: SimTime::from_secs(interval),
        timeout: SimTime::from_secs(timeout),
        healthy_threshold: healthy,
        unhealthy_threshold: 2,
    };
    let alb = lb("alb");
    assert_eq!(
        (alb.algorithm, alb.cross_zone, alb.health_check),
        (Algorithm::RoundRobin, true, hc(30, 5, 5))
    );
    assert_eq!(ok(BASE).load_balancer, alb, "alb is the default type");
    let nlb = lb("nlb");
    assert_eq!(
        (nlb.algorithm, nlb.cross_zone, nlb.health_check),
        (Algorithm::Random, false, hc(30, 10, 5))
    );
    let clb = lb("clb");
    assert_eq!(
        (clb.algorithm, clb.cross_zone, clb.health_check),
        (Algorithm::RoundRobin, true, hc(30, 5, 10))
    );
    for l in [alb, nlb, clb] {
        assert_eq!(
            (l.deregistration_delay, l.dns_failover_delay),
            (SimTime::from_secs(300), SimTime::from_secs(60))
        );
    }
    let partial = ok(&format!(
        "{BASE}[load_balancer]\ntype = \"nlb\"\nhealth_check = {{ timeout = \"6s\" }}\n"
    ));
    assert_eq!(
        partial.load_balancer.health_check,
        HealthCheck {
            timeout: SimTime::from_secs(6),
            ..hc(30, 10, 5)
        }
    );
}

#[test]
fn extensions_parse() {
    let s = ok(&format!(
        "{BASE}suspended_processes = [\"ReplaceUnhealthy\", \"AZRebalance\"]\n\
         [load_balancer]\nprice_per_hour = 0.0225\n\
         [traffic]\nrate = 5\nservice_time = \"10ms\"\ntimeout = \"1s\"\nretries = 2\n\
         retry_backoff = {{ dist = \"uniform\", min = \"0s\", max = \"100ms\" }}\nshape = {{ kind = \"constant\" }}\n\
         [[inject]]\nat = \"1d\"\nfault = \"zone_outage\"\nzone = \"b\"\nduration = \"1h\"\nkind = \"power\"\n\
         [[inject]]\nat = \"2d\"\nfault = \"instance_hang\"\nzone = \"a\"\ncount = 2\n"
    ));
    assert!(s.fleet.suspended.replace_unhealthy && s.fleet.suspended.az_rebalance && !s.fleet.suspended.launch);
    assert_eq!(s.load_balancer.price_per_hour, 0.0225);
    let t = s.traffic.unwrap_or_else(|| panic!("traffic"));
    assert_eq!((t.rate, t.retries, t.shape), (5.0, 2, TrafficShape::Constant));
    assert_eq!(t.retry_backoff, DurationDist::Uniform { min_s: 0.0, max_s: 0.1 });
    let faults: Vec<Fault> = s.inject.into_iter().map(|i| i.fault).collect();
    assert_eq!(
        faults,
        vec![
            Fault::ZoneOutage {
                zone: 1,
                duration: SimTime::from_secs(3600),
                kind: OutageKind::Power
            },
            Fault::InstanceHang {
                zone: Some(0),
                count: 2
            },
        ]
    );
}

// ---- overrides

fn with_overrides(text: &str, pairs: &[(&str, &str)]) -> Result<Scenario, ScenarioError> {
    let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    parse(text, "t.toml", "t", &owned)
}

#[test]
fn overrides_set_values_before_the_checks() {
    let s = with_overrides(
        EXAMPLE,
        &[
            ("fleet.desired", "6"),
            ("zones[0].outage.duration.median", "\"2h\""),
            ("zones[1].outage.duration", "{ dist = \"exponential\", mean = \"30m\" }"),
            ("fleet.health_check_type", "ec2"),
            ("simulation.trials", "10"),
            ("load_balancer.health_check.interval", "10s"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.fleet.desired, 6);
    let durations: Vec<_> = s
        .zones
        .iter()
        .filter_map(|z| z.outage.as_ref().map(|o| o.duration.clone()))
        .collect();
    assert_eq!(
        durations,
        vec![
            DurationDist::LogNormal {
                median_s: 7200.0,
                sigma: 1.0
            },
            DurationDist::Exponential { mean_s: 1800.0 }
        ]
    );
    assert_eq!(s.fleet.health_check_type, HealthCheckType::Ec2);
    assert_eq!(s.simulation.trials, 10);
    assert_eq!(s.load_balancer.health_check.interval, SimTime::from_secs(10));
}

#[test]
fn overrides_are_checked_like_the_file() {
    let e = with_overrides(EXAMPLE, &[("fleet.desired", "20")]).err();
    let line = EXAMPLE.lines().position(|l| l.starts_with("max = 12")).map(|i| i + 1);
    assert_eq!(e.as_ref().and_then(|e| e.key.as_deref()), Some("fleet.max"));
    assert_eq!(e.as_ref().and_then(|e| e.line), line, "lines still match the file");
    let e = with_overrides(EXAMPLE, &[("simulation.horizon", "30")])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("simulation.horizon: a duration needs a unit"), "{e}");
    let e = with_overrides(EXAMPLE, &[("fleet.instnce.type", "\"c5\"")]).err();
    assert_eq!(e.and_then(|e| e.key), Some("fleet.instnce".to_string()));
}

#[test]
fn bad_override_paths_name_the_key() {
    let e = with_overrides(EXAMPLE, &[("zones[2].outage.duration", "\"1h\"")]).err();
    assert_eq!(
        e.as_ref().and_then(|e| e.key.as_deref()),
        Some("zones[2].outage.duration")
    );
    let message = e.map(|e| e.message).unwrap_or_default();
    assert!(
        message.contains("zones[2] does not exist: zones has 2 entries"),
        "{message}"
    );
    let e = with_overrides(EXAMPLE, &[("fleet..desired", "1")]).err();
    assert_eq!(e.and_then(|e| e.key), Some("fleet..desired".to_string()));
}
