//! The simulated cloud: zones and the region, the load balancer with its health checks, and the
//! Auto Scaling group with its instances. [`World::run_trial`] plays one trial of a scenario.
//!
//! The model is split by AWS component; each file adds its part of `impl World`:
//! [`zones`] (outages, LB nodes, DNS failover), [`fleet`] (launch, failure, replacement, scale-in,
//! AZRebalance), [`spot`] (the mixed instances policy, spot pools and reclaims), [`scaling`]
//! (target tracking and scheduled actions), [`health`] (the LB's health checks, computed rather
//! than polled), and [`availability`] (what share of requests fails at each moment; UP or DOWN).

pub mod availability;
mod fleet;
pub mod health;
mod outcome;
mod scaling;
pub mod spot;
mod trace;
pub mod traffic;
mod world;
mod zones;

pub use outcome::TrialOutcome;
pub use trace::TraceRecord;
pub use world::World;
