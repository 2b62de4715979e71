use serde::{Deserialize, Serialize};

/// One line of a trial's event log (`--trace`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceRecord {
    /// Simulated time [s].
    pub time_s: f64,
    /// What happened, e.g. `zone_outage_start`, `instance_ready`, `service_down`.
    pub event: String,
    /// The zone's name, when one is involved.
    pub zone: String,
    /// The instance id (`i-N`), when one is involved.
    pub instance: String,
    /// Anything else worth reading.
    pub detail: String,
}
