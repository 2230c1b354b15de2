//! Structured concurrency: task groups, gathering, waiting, shielding.
//!
//! Equivalent to `asyncio.TaskGroup` and the coordination functions of
//! `asyncio.tasks`:
//!
//! - [`TaskGroup`]: children that succeed or fail together; a failure cancels
//!   the siblings and [`TaskGroup::join`] reports every failure in one
//!   [`TaskGroupError`] (asyncio's `ExceptionGroup`);
//! - [`gather`], [`try_gather`] and the [`gather!`](crate::gather!) and
//!   [`try_gather!`](crate::try_gather!) macros: every output, in input order;
//! - [`wait`] with [`ReturnWhen`], and [`wait_first_error`]: the tasks that
//!   finished, and the others still running;
//! - [`as_completed`]: outputs as a stream, in completion order;
//! - [`shield`]: work that completes even when its caller is cancelled.
//!
//! The functions and the main types are also at the crate root
//! (`corio::TaskGroup`, `corio::gather`, ...); this module adds the named
//! futures and helper types.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! corio::run(async {
//!     let group = corio::TaskGroup::<String>::new();
//!     let pages = group.spawn(async {
//!         let sizes = corio::gather([10u64, 20, 30].map(|n| async move {
//!             corio::sleep(Duration::from_millis(n / 10)).await;
//!             n * 2
//!         }))
//!         .await;
//!         Ok(sizes)
//!     });
//!     group.join().await.unwrap();
//!     assert_eq!(pages.await.unwrap(), vec![20, 40, 60]);
//! });
//! ```

pub use crate::as_completed::{AsCompleted, as_completed};
pub use crate::child_error::ChildError;
pub use crate::gather::{Gather, TryGather, gather, try_gather};
pub use crate::shield::{Shield, shield};
pub use crate::task_group::{ChildTask, Spawner, TaskGroup, TaskGroupJoin};
pub use crate::task_group_error::{ChildFailure, TaskGroupError};
pub use crate::wait::{Done, Outcome, ReturnWhen, Wait, wait, wait_first_error};
