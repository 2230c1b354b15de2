//! `TaskError`: why a task produced no value.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::{PanicPayload, TaskId};

/// Why awaiting a [`Task`](crate::Task) gave no value: it was cancelled, or
/// it panicked.
///
/// Equivalent to asyncio's `CancelledError` and the exception a failed task
/// stores. The error names the task (id and, when it has one, its name), so a
/// message in a log says which task failed.
///
/// # Examples
///
/// ```
/// use corio::task::TaskError;
///
/// corio::run(async {
///     let task = corio::spawn(async { panic!("boom") });
///     let err: TaskError = task.await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.panic_message(), Some("boom"));
/// });
/// ```
#[non_exhaustive]
pub enum TaskError {
    /// The task was cancelled before it finished.
    Cancelled {
        /// The task's id.
        id: TaskId,
        /// The task's name, if it was given one.
        name: Option<Arc<str>>,
    },
    /// The task panicked; the payload is what `panic!` was given.
    Panicked {
        /// The task's id.
        id: TaskId,
        /// The task's name, if it was given one.
        name: Option<Arc<str>>,
        /// The panic payload (`Sync`, so that the error is too).
        payload: PanicPayload,
    },
}

impl TaskError {
    /// The error of a task that was cancelled.
    pub(crate) fn cancelled(id: TaskId, name: Option<Arc<str>>) -> TaskError {
        TaskError::Cancelled { id, name }
    }

    /// The error of a task that panicked with `payload`.
    pub(crate) fn panicked(
        id: TaskId,
        name: Option<Arc<str>>,
        payload: Box<dyn Any + Send + 'static>,
    ) -> TaskError {
        TaskError::Panicked {
            id,
            name,
            payload: PanicPayload::new(payload),
        }
    }

    /// Whether the task was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// task.cancel();
    /// assert!(task.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled { .. })
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::spawn(async { panic!("x") }).await.unwrap_err();
    /// assert!(err.is_panic());
    /// # });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked { .. })
    }

    /// The id of the task that failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(async { panic!("x") });
    /// let id = task.id();
    /// assert_eq!(task.await.unwrap_err().id(), id);
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        match self {
            TaskError::Cancelled { id, .. } | TaskError::Panicked { id, .. } => *id,
        }
    }

    /// The name of the task that failed, if it had one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::task::Builder::new().name("loader").spawn(async { panic!("x") });
    /// assert_eq!(task.await.unwrap_err().name(), Some("loader"));
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        match self {
            TaskError::Cancelled { name, .. } | TaskError::Panicked { name, .. } => name.as_deref(),
        }
    }

    /// The panic message, when the task panicked with a string.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::spawn(async { panic!("disk full: {}", 3) }).await.unwrap_err();
    /// assert_eq!(err.panic_message(), Some("disk full: 3"));
    /// # });
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            TaskError::Panicked { payload, .. } => payload.message(),
            TaskError::Cancelled { .. } => None,
        }
    }

    /// The panic payload, to resume the panic with
    /// [`std::panic::resume_unwind`].
    ///
    /// # Errors
    ///
    /// Gives the error back if the task was cancelled rather than panicking.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::spawn(async { panic!("x") }).await.unwrap_err();
    /// let payload = err.try_into_panic().unwrap();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"x"));
    /// # });
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, TaskError> {
        match self {
            TaskError::Panicked { payload, .. } => Ok(payload.into_inner()),
            other => Err(other),
        }
    }

    fn describe_task(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "task {} ({name:?})", self.id()),
            None => write!(f, "task {}", self.id()),
        }
    }
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled { id, name } => f
                .debug_struct("Cancelled")
                .field("id", id)
                .field("name", name)
                .finish(),
            TaskError::Panicked { id, name, .. } => f
                .debug_struct("Panicked")
                .field("id", id)
                .field("name", name)
                .field("message", &self.panic_message())
                .finish_non_exhaustive(),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe_task(f)?;
        match self {
            TaskError::Cancelled { .. } => f.write_str(" was cancelled"),
            TaskError::Panicked { .. } => match self.panic_message() {
                Some(msg) => write!(f, " panicked: {msg}"),
                None => f.write_str(" panicked"),
            },
        }
    }
}

impl std::error::Error for TaskError {}

impl From<TaskError> for std::io::Error {
    fn from(err: TaskError) -> std::io::Error {
        let kind = if err.is_cancelled() {
            std::io::ErrorKind::Interrupted
        } else {
            std::io::ErrorKind::Other
        };
        std::io::Error::new(kind, err.to_string())
    }
}
