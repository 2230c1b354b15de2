//! Shared pieces of the corio bench suite.
//!
//! The suite compares corio with tokio and smol on the same work. Every
//! scenario is written once, generically over [`Runtime`], and run on each
//! runtime listed by [`visit_runtimes`]:
//!
//! | function id  | runtime                                                        |
//! |--------------|----------------------------------------------------------------|
//! | `corio`      | `corio::Runner` with 2 workers                                 |
//! | `corio-1w`   | `corio::Runner` with 1 worker (the bench thread only)          |
//! | `tokio-mt`   | tokio `multi_thread` runtime, 2 workers                        |
//! | `tokio-ct`   | tokio `current_thread` runtime                                 |
//! | `smol`       | an `async_executor::Executor` driven by 2 threads              |
//! | `smol-local` | a `LocalExecutor` on the bench thread                          |
//!
//! # How results are laid out
//!
//! A criterion group is a scenario (`spawn_many`, `ping_pong`, …) and a
//! function inside it is a runtime (the ids above), so criterion writes
//! `target/criterion/<scenario>/<runtime>/new/estimates.json`.
//!
//! Each measured iteration runs one whole batch of the scenario, so the
//! estimates are the time of one batch. The number of operations in a batch
//! is the constant named after the scenario in upper case with an `_OPS`
//! suffix (`spawn_many` → [`SPAWN_MANY_OPS`]), each written as
//! `pub const <SCENARIO>_OPS: u64 = <integer literal>;` so that a tool can
//! read it from this file; [`OPS_PER_ITERATION`] lists them all. Divide a
//! batch time by it to get the time per operation. The groups also declare
//! it as `Throughput::Elements`, which only changes what criterion prints,
//! not what it stores.
//!
//! The `memory` binary prints one line per runtime, `<runtime> <bytes>`:
//! resident bytes per idle task. `benches/python/run.sh` writes
//! `target/corio-bench/python.json`, `{"asyncio": {"<scenario>": ns_per_op,
//! …}, "uvloop": {…}}` (no `uvloop` key when it could not be installed), for
//! the scenarios Python shares: `spawn_many`, `ping_pong`, `yield_many`,
//! `timers`, with the same batch sizes as here.
//!
//! # Running
//!
//! ```text
//! cargo bench -p corio-benches                      # the criterion suite
//! cargo bench -p corio-benches -- ping_pong         # one scenario (a filter)
//! cargo bench -p corio-benches -- --plotting-backend plotters  # with criterion's plots
//! cargo run --release -p corio-benches --bin memory # resident bytes per idle task
//! benches/python/run.sh                             # asyncio and uvloop baseline
//! ```
//!
//! A quick pass takes criterion's usual options:
//! `-- --warm-up-time 0.5 --measurement-time 1 --sample-size 10`.

#![forbid(unsafe_code)]

mod corio_runtime;
mod handoff;
mod joined;
mod runtime;
mod scenario;
mod seeded;
mod smol_runtime;
mod tokio_runtime;
mod waker_cell;

pub use corio_runtime::Corio;
pub use handoff::Handoff;
pub use joined::Joined;
pub use runtime::{RUNTIMES, Runtime, RuntimeVisitor, visit_runtimes};
pub use scenario::{Scenario, bench_scenario, criterion};
pub use seeded::sleep_plan;
pub use smol_runtime::{SmolLocal, SmolMulti};
pub use tokio_runtime::Tokio;
pub use waker_cell::WakerCell;

/// `spawn_many`: tasks spawned from inside the runtime, then all awaited.
pub const SPAWN_MANY_OPS: u64 = 10_000;

/// `spawn_remote`: tasks spawned through a handle from a thread outside the
/// runtime, then all awaited.
pub const SPAWN_REMOTE_OPS: u64 = 10_000;

/// `yield_many`: tasks that each yield [`YIELD_MANY_YIELDS`] times.
pub const YIELD_MANY_TASKS: u64 = 1_000;

/// `yield_many`: yields per task.
pub const YIELD_MANY_YIELDS: u64 = 200;

/// `yield_many`: one operation is one `yield_now`, over all tasks
/// ([`YIELD_MANY_TASKS`] × [`YIELD_MANY_YIELDS`], written out as a literal
/// like every `*_OPS` constant so that a report can read it from this file).
pub const YIELD_MANY_OPS: u64 = 200_000;

const _: () = assert!(YIELD_MANY_OPS == YIELD_MANY_TASKS * YIELD_MANY_YIELDS);

/// `ping_pong`: one operation is one message handed from one task to the
/// other (so one wake-up); a round trip is two operations.
pub const PING_PONG_OPS: u64 = 10_000;

/// `chained_spawn`: depth of the chain; each task spawns the next one.
pub const CHAINED_SPAWN_OPS: u64 = 1_000;

/// `timers`: tasks that each sleep a random 0–[`TIMERS_MAX_SLEEP_US`] µs.
///
/// The batch time is the time until all are done minus the longest sleep,
/// so it is the overhead the runtime adds, not the sleeping itself.
pub const TIMERS_OPS: u64 = 10_000;

/// `timers`: the longest sleep in microseconds.
pub const TIMERS_MAX_SLEEP_US: u64 = 5_000;

/// `timers`: seed of the sleep durations, so every runtime and every run
/// sleeps the same amounts.
pub const TIMERS_SEED: u64 = 0x0C0F_FEE0_D15E_A5E5;

/// `timeout_ready`: `timeout(1 s, ready)` wrappers awaited one after another
/// (the cost of a timeout that never fires).
pub const TIMEOUT_READY_OPS: u64 = 100_000;

/// `to_thread`: blocking calls of trivial work, awaited one after another
/// (the round trip to the runtime's blocking pool and back).
pub const TO_THREAD_OPS: u64 = 1_000;

/// Idle tasks parked per runtime by the `memory` binary.
pub const IDLE_TASKS: u64 = 100_000;

/// Every scenario with its operations per measured iteration.
pub const OPS_PER_ITERATION: [(&str, u64); 8] = [
    ("spawn_many", SPAWN_MANY_OPS),
    ("spawn_remote", SPAWN_REMOTE_OPS),
    ("yield_many", YIELD_MANY_OPS),
    ("ping_pong", PING_PONG_OPS),
    ("chained_spawn", CHAINED_SPAWN_OPS),
    ("timers", TIMERS_OPS),
    ("timeout_ready", TIMEOUT_READY_OPS),
    ("to_thread", TO_THREAD_OPS),
];
