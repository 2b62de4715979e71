//! A small, model-agnostic discrete-event kernel.
//!
//! Simulated time is an integer count of microseconds ([`SimTime`]), so one seed gives one history on
//! every machine. The [`EventQueue`] pops events in `(time, priority, insertion order)` order and
//! supports lazy cancellation through [`TimerSlot`]s: cancelling a slot bumps its generation, and any
//! event scheduled under an older generation is dropped when it reaches the front of the queue (or
//! earlier, when stale entries are swept out together).
//!
//! Nothing in this module knows about clouds; the model lives in [`crate::cloud`].

mod queue;
mod random;
mod time;

pub use queue::{EventQueue, Priority, Timer, TimerSlot};
pub use random::{stream, Rng};
pub use time::SimTime;
