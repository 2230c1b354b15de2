//! Tasks: spawning, handles, names, introspection and cancellation.
//!
//! Equivalent to the task half of `asyncio.tasks`: [`spawn`](crate::spawn)
//! is `asyncio.create_task`, [`Task`] is `asyncio.Task`, [`current`] and
//! [`all`] are `asyncio.current_task()` and `asyncio.all_tasks()`, and
//! [`cancelled`] lets a task that was asked to stop finish on its own terms.
//!
//! # Examples
//!
//! ```
//! use corio::task;
//!
//! corio::run(async {
//!     let worker = task::Builder::new()
//!         .name("worker")
//!         .spawn(std::future::pending::<()>());
//!     let names: Vec<_> = task::all().into_iter().filter_map(|t| t.name().map(String::from)).collect();
//!     assert!(names.contains(&"worker".to_string()));
//!     worker.cancel();
//!     assert!(worker.await.unwrap_err().is_cancelled());
//! });
//! ```

mod awaiter;
mod builder;
mod cancelled;
mod error;
pub(crate) mod handle;
pub(crate) mod harness;
pub(crate) mod meta;
mod origin;
pub(crate) mod output;
mod panic_payload;

use std::fmt;
use std::num::NonZeroU64;
use std::panic::Location;
use std::sync::Arc;

pub use builder::Builder;
pub use cancelled::{Cancelled, cancelled};
pub use error::TaskError;
pub(crate) use handle::RawTask;
pub use handle::Task;
pub use panic_payload::PanicPayload;

use crate::registry::TaskRef;
use crate::scheduler::with_worker;
use meta::TaskMeta;

/// A task's id: unique among all tasks of the process, never reused.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let task = corio::spawn(async {});
/// let id: corio::task::TaskId = task.id();
/// assert!(id.as_u64() > 0);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    pub(crate) fn from_raw(id: u64) -> TaskId {
        TaskId(NonZeroU64::new(id).expect("task ids start at 1"))
    }

    pub(crate) fn next() -> TaskId {
        TaskId::from_raw(crate::scheduler::reserve_one_id())
    }

    /// The id as a number.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// assert!(corio::spawn(async {}).id().as_u64() >= 1);
    /// # });
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a task is doing, as reported by [`all`] and [`current`].
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// corio::spawn(async {
///     let me = corio::task::current().unwrap();
///     assert_eq!(me.state(), corio::task::TaskState::Running);
/// }).await.unwrap();
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskState {
    /// A worker is polling it right now.
    Running,
    /// It is waiting to be woken, or queued to run.
    Pending,
    /// It was asked to stop and has not finished yet.
    Cancelling,
}

/// A snapshot of one live task: its id, name, state and where it was spawned.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// corio::spawn(async {
///     let info = corio::task::current().unwrap();
///     assert!(info.location().file().ends_with(".rs"));
/// }).await.unwrap();
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct TaskInfo {
    id: TaskId,
    name: Option<Arc<str>>,
    state: TaskState,
    location: &'static Location<'static>,
    task: Option<TaskRef>,
}

impl TaskInfo {
    pub(crate) fn from_meta(meta: &TaskMeta, running: bool, task: Option<TaskRef>) -> TaskInfo {
        let state = if meta.cancel_requested() {
            TaskState::Cancelling
        } else if running {
            TaskState::Running
        } else {
            TaskState::Pending
        };
        TaskInfo {
            id: meta.id,
            name: meta.name_arc(),
            state,
            location: meta.location(),
            task,
        }
    }

    /// Asks the task to stop, exactly as [`Task::cancel`] would;
    /// `asyncio.current_task().cancel()` when this came from [`current`].
    ///
    /// A task cancelling itself stops at its next await (its future is
    /// dropped when the scheduler next runs it), unless it awaits
    /// [`cancelled`], which then resolves. Returns `false` if the task has
    /// finished.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(async {
    ///     corio::task::current().unwrap().cancel();
    ///     corio::yield_now().await; // the task ends here
    ///     unreachable!("a cancelled task does not resume");
    /// });
    /// assert!(task.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        let Some(task) = &self.task else {
            return false;
        };
        let meta = task.meta();
        if meta.is_done() {
            return false;
        }
        if meta.request_cancel() {
            task.wake();
        }
        true
    }

    /// Pending cancel requests of the task; see [`Task::cancelling`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// corio::spawn(async {
    ///     let me = corio::task::current().unwrap();
    ///     assert_eq!(me.cancelling(), 0);
    ///     let _stop = corio::task::cancelled(); // so the cancel wakes rather than drops
    ///     me.cancel();
    ///     assert_eq!(me.cancelling(), 1);
    ///     assert_eq!(me.uncancel(), 0);
    /// }).await.unwrap();
    /// # });
    /// ```
    pub fn cancelling(&self) -> u32 {
        self.task.as_ref().map_or(0, |t| t.meta().cancelling())
    }

    /// Withdraws one cancel request; see [`Task::uncancel`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// corio::spawn(async {
    ///     let me = corio::task::current().unwrap();
    ///     assert_eq!(me.uncancel(), 0); // nothing to withdraw
    /// }).await.unwrap();
    /// # });
    /// ```
    pub fn uncancel(&self) -> u32 {
        self.task.as_ref().map_or(0, |t| t.meta().uncancel())
    }

    /// The task's id.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// assert!(corio::task::all().iter().any(|t| t.id() == task.id()));
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was given one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// corio::task::Builder::new().name("n").spawn(async {
    ///     assert_eq!(corio::task::current().unwrap().name(), Some("n"));
    /// }).await.unwrap();
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// What the task is doing.
    ///
    /// # Examples
    ///
    /// ```
    /// // One worker, so that nothing polls the task while we look at it.
    /// let runner = corio::Runner::builder().workers(1).build()?;
    /// runner.run(async {
    ///     let task = corio::spawn(std::future::pending::<()>());
    ///     corio::yield_now().await;
    ///     let info = corio::task::all().into_iter().find(|t| t.id() == task.id()).unwrap();
    ///     assert_eq!(info.state(), corio::task::TaskState::Pending);
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// Where in the source the task was spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let line = line!() + 1;
    /// let task = corio::spawn(std::future::pending::<()>());
    /// let info = corio::task::all().into_iter().find(|t| t.id() == task.id()).unwrap();
    /// assert_eq!(info.location().line(), line);
    /// # });
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

/// The task running on this thread right now; `asyncio.current_task()`.
///
/// Returns `None` outside a task: in a `to_thread` closure, and in the main
/// future of [`run`](crate::run), which is polled in place rather than
/// spawned (so it may borrow from its caller).
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let task = corio::task::Builder::new().name("me").spawn(async {
///         corio::task::current().unwrap().name().map(String::from)
///     });
///     assert_eq!(task.await.unwrap().as_deref(), Some("me"));
/// });
/// ```
pub fn current() -> Option<TaskInfo> {
    with_worker(|worker| {
        let meta = worker?.current_task()?;
        let task = meta.shared.registry.task_ref(meta);
        Some(TaskInfo::from_meta(meta, true, task))
    })
}

/// Every live task of the current runtime, ordered by id;
/// `asyncio.all_tasks()`.
///
/// Outside a runtime there is no current one, and the list is empty (from
/// another thread, ask a [`Handle`](crate::Handle) with
/// [`all_tasks`](crate::Handle::all_tasks)).
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let before = corio::task::all().len();
///     let t = corio::spawn(std::future::pending::<()>());
///     assert_eq!(corio::task::all().len(), before + 1);
///     t.cancel();
/// });
/// assert!(corio::task::all().is_empty());
/// ```
pub fn all() -> Vec<TaskInfo> {
    crate::Handle::try_current().map_or_else(Vec::new, |handle| handle.all_tasks())
}
