//! The simulated cloud: zones and the region, the load balancer with its health checks, and the
//! Auto Scaling group with its instances. [`World::run_trial`] plays one trial of a scenario.
//!
//! The model is split by AWS component; each file adds its part of `impl World`:
//! [`zones`] (outages, LB nodes, DNS failover), [`fleet`] (launch, failure, replacement, scale-in,
//! AZRebalance), [`spot`] (the mixed instances policy, spot pools and reclaims), [`scaling`]
//! (target tracking and scheduled actions), [`health`] (the LB's health checks, computed rather
//! than polled), and [`availability`] (what share of requests fails at each moment; UP or DOWN).
//! [`biasing`] and [`regeneration`] serve the rare-event method (`crate::montecarlo::rare`): failure
//! clocks that run faster in a busy period, and busy periods that end when the world is all-working
//! again.

pub mod availability;
mod biasing;
mod fleet;
pub mod health;
mod outcome;
mod regeneration;
mod scaling;
pub mod spot;
mod trace;
pub mod traffic;
mod world;
mod zones;

pub use biasing::{BiasedProcess, FailureBiasing};
pub use outcome::TrialOutcome;
pub use regeneration::{BusyPeriod, NoRegeneration};
pub use trace::TraceRecord;
pub use world::World;
