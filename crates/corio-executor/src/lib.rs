//! corio's event loop: the scheduler, tasks, callbacks and the blocking pool.
//!
//! This crate is asyncio's `asyncio.events` and the task half of
//! `asyncio.tasks`, on a work-stealing scheduler:
//!
//! - [`run`] and [`Runner`]: start a loop, run a future, shut down cleanly
//!   (`asyncio.run`, `asyncio.Runner`);
//! - [`spawn`], [`spawn_local`], [`task::Builder`] and [`Task`]: tasks with
//!   names, ids, cancellation and panics returned as errors
//!   (`asyncio.create_task`, `asyncio.Task`);
//! - [`task::current`], [`task::all`], [`task::cancelled`]: introspection and
//!   cooperative cancellation;
//! - [`call_soon`], [`call_later`], [`call_at`] and [`TimerHandle`]: plain
//!   callbacks; [`Handle`] reaches the loop from other threads
//!   (`call_soon_threadsafe`, `run_coroutine_threadsafe`);
//! - [`to_thread`]: the blocking pool;
//! - [`yield_now`], which is `asyncio.sleep(0)`;
//! - [`structured`]: [`TaskGroup`], [`gather()`], [`try_gather()`],
//!   [`gather!`](crate::gather!), [`wait`], [`as_completed`] and [`shield`]
//!   (`asyncio.TaskGroup` and the rest of `asyncio.tasks`).
//!
//! Applications use it through the facade, `corio`.
//!
//! # Examples
//!
//! ```
//! corio::run(async {
//!     let tasks: Vec<_> = (0..3u64)
//!         .map(|i| corio::spawn(async move {
//!             corio::sleep(std::time::Duration::from_millis(10 * (3 - i))).await;
//!             i
//!         }))
//!         .collect();
//!     let mut results = Vec::new();
//!     for task in tasks {
//!         results.push(task.await.unwrap());
//!     }
//!     assert_eq!(results, [0, 1, 2]);
//! });
//! ```
//!
//! # When not to use it
//!
//! CPU-bound work that never awaits holds a worker hostage: run it with
//! [`to_thread`] (or a dedicated thread pool) instead.
#![deny(unsafe_code)]

mod as_completed;
mod blocking;
mod callbacks;
mod child_error;
mod debug;
#[allow(unsafe_code)] // type-erased group count-outs
mod drain;
mod gather;
mod handle;
mod idle;
#[allow(unsafe_code)]
mod local_queue;
mod parker;
#[allow(unsafe_code)]
mod ready_set;
#[allow(unsafe_code)]
mod registry;
mod remote_callbacks;
pub mod runner;
#[allow(unsafe_code)]
mod scheduler;
mod shield;
mod spawn;
pub mod structured;
#[allow(unsafe_code)]
pub mod task;
#[allow(unsafe_code)] // the live children share one strong reference to the group
mod task_group;
mod task_group_error;
mod thread_pool;
mod wait;
mod yield_now;

pub use callbacks::{TimerHandle, call_at, call_later, call_soon};
pub use handle::Handle;
pub use runner::{Runner, run};
pub use spawn::{spawn, spawn_local, to_thread};
pub use structured::{
    ReturnWhen, TaskGroup, TaskGroupError, as_completed, gather, shield, try_gather, wait,
    wait_first_error,
};
pub use task::{Task, TaskError};
pub use thread_pool::ThreadPool;
pub use yield_now::{YieldNow, yield_now};
