//! # nines
//!
//! A discrete-event Monte Carlo simulator that tells a cloud architect how available and how fast a
//! deployment will be, and what it costs, before the design review.
//!
//! ```text
//!              clients (DNS spreads them over the LB nodes)
//!                 │                     │
//!          ┌──────▼──────┐       ┌──────▼──────┐
//!          │ LB node  a  │◄─────►│ LB node  b  │   cross-zone routing (optional)
//!          └──────┬──────┘       └──────┬──────┘
//!        health checks                health checks
//!          ┌──────▼──────┐       ┌──────▼──────┐
//!          │ zone a      │       │ zone b      │   zone outages: isolation | power
//!          │  i-1  i-3   │       │  i-2  i-4   │   instance failures: crash | hang
//!          └─────────────┘       └─────────────┘
//!                 └────── Auto Scaling group ──────┘   replaces what the checks find
//! ```
//!
//! The crate is layered so that each room can be read on its own:
//!
//! - [`kernel`]: time, the event queue and cancellation; knows nothing about clouds.
//! - [`scenario`]: TOML scenario files, read in two stages into a checked [`scenario::Scenario`].
//! - [`cloud`]: the simulated world: zones, the load balancer, the Auto Scaling group; one trial.
//! - [`montecarlo`]: many seeded trials in parallel, reduced in trial order.
//! - [`report`]: statistics, `summary.json`, `trials.csv`, tables.

#![warn(missing_docs)]

pub mod cloud;
pub mod kernel;
pub mod montecarlo;
pub mod report;
pub mod scenario;
