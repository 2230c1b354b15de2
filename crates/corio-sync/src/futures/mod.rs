//! The named futures returned by the primitives' `async` methods.
//!
//! They are rarely named in user code, which simply `.await`s them; they are
//! public so that they can be stored in structs and their documentation can
//! say what a dropped one loses (each type's "Cancel safety").

mod barrier;
mod condition;
mod event;
mod lock;
mod queue;
mod semaphore;

pub use barrier::BarrierWait;
pub use condition::{ConditionWait, WaitFor};
pub use event::EventWait;
pub use lock::{Lock, LockOwned};
pub use queue::{Get, Join, Put};
pub use semaphore::{Acquire, AcquireOwned};
