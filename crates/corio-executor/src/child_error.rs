//! `ChildError`: why a task group's child gave no value.

use std::fmt;
use std::sync::Arc;

use crate::task::TaskId;

/// Why awaiting a [`ChildTask`](crate::structured::ChildTask) gave no value:
/// the child was cancelled, or it failed.
///
/// A failed child returned `Err` or panicked (while running, or while its
/// future was being dropped); what it failed with is reported once, in the
/// group's [`TaskGroupError`](crate::TaskGroupError), so this error only
/// says *that* it failed. A cancelled child was stopped by its own
/// [`ChildTask::cancel`](crate::structured::ChildTask::cancel), by
/// [`TaskGroup::cancel`](crate::TaskGroup::cancel), or by the group after a
/// sibling failed; asyncio reports those as `CancelledError`.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let group = corio::TaskGroup::new();
/// let idle = group.spawn(std::future::pending::<Result<(), &str>>());
/// let bad = group.spawn_named("bad", async { Err::<(), _>("refused") });
/// assert!(group.join().await.is_err());
/// assert!(idle.await.unwrap_err().is_cancelled());
/// let err = bad.await.unwrap_err();
/// assert!(err.is_failed());
/// assert_eq!(err.to_string(), "task group child #2 (\"bad\") failed; its error is in the group's error");
/// # });
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ChildError {
    failed: bool,
    id: TaskId,
    name: Option<Arc<str>>,
}

impl ChildError {
    pub(crate) fn new(failed: bool, id: TaskId, name: Option<Arc<str>>) -> ChildError {
        ChildError { failed, id, name }
    }

    /// Whether the child was cancelled (it did not fail).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn(std::future::pending::<Result<(), ()>>());
    /// child.cancel();
    /// group.join().await.unwrap();
    /// assert!(child.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        !self.failed
    }

    /// Whether the child failed: it returned `Err` or panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// let child = group.spawn(async { Err::<(), _>(7) });
    /// assert!(group.join().await.is_err());
    /// assert!(child.await.unwrap_err().is_failed());
    /// # });
    /// ```
    pub fn is_failed(&self) -> bool {
        self.failed
    }

    /// The child's task id.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn(std::future::pending::<Result<(), ()>>());
    /// let id = child.id();
    /// child.cancel();
    /// group.join().await.unwrap();
    /// assert_eq!(child.await.unwrap_err().id(), id);
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The child's name, if it was spawned with one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn_named("poller", std::future::pending::<Result<(), ()>>());
    /// child.cancel();
    /// group.join().await.unwrap();
    /// assert_eq!(child.await.unwrap_err().name(), Some("poller"));
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl fmt::Debug for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(if self.failed { "Failed" } else { "Cancelled" })
            .field("id", &self.id)
            .field("name", &self.name)
            .finish()
    }
}

impl fmt::Display for ChildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "task group child {} ({name:?})", self.id)?,
            None => write!(f, "task group child {}", self.id)?,
        }
        if self.failed {
            f.write_str(" failed; its error is in the group's error")
        } else {
            f.write_str(" was cancelled")
        }
    }
}

impl std::error::Error for ChildError {}
