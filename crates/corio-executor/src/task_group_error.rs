//! `TaskGroupError` and `ChildFailure`: every failure of a task group.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::task::{PanicPayload, TaskId};

/// How one child of a [`TaskGroup`](crate::TaskGroup) failed: it returned an
/// `Err`, or it panicked.
///
/// One entry of asyncio's `ExceptionGroup.exceptions`. It names the child
/// (id and, when it has one, name), so a log line says which child failed.
///
/// # Examples
///
/// ```
/// use corio::structured::ChildFailure;
///
/// corio::run(async {
///     let group = corio::TaskGroup::new();
///     group.spawn_named("parser", async { Err::<(), _>("bad header") });
///     let err = group.join().await.unwrap_err();
///     let failure: &ChildFailure<&str> = err.iter().next().unwrap();
///     assert_eq!(failure.name(), Some("parser"));
///     assert_eq!(failure.error(), Some(&"bad header"));
/// });
/// ```
#[non_exhaustive]
pub enum ChildFailure<E> {
    /// The child returned `Err(error)`.
    Error {
        /// The child's task id.
        id: TaskId,
        /// The child's name, if it was given one.
        name: Option<Arc<str>>,
        /// What the child returned.
        error: E,
    },
    /// The child panicked; the payload is what `panic!` was given.
    Panicked {
        /// The child's task id.
        id: TaskId,
        /// The child's name, if it was given one.
        name: Option<Arc<str>>,
        /// The panic payload, to resume with [`std::panic::resume_unwind`]
        /// after [`PanicPayload::into_inner`].
        payload: PanicPayload,
    },
}

impl<E> ChildFailure<E> {
    /// The failure of a child that panicked with `payload`.
    pub(crate) fn panicked(
        id: TaskId,
        name: Option<Arc<str>>,
        payload: Box<dyn Any + Send + 'static>,
    ) -> ChildFailure<E> {
        ChildFailure::Panicked {
            id,
            name,
            payload: PanicPayload::new(payload),
        }
    }

    /// The id of the child that failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// let child = group.spawn(async { Err::<(), _>(1) });
    /// let id = child.id();
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.iter().next().unwrap().id(), id);
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        match self {
            ChildFailure::Error { id, .. } | ChildFailure::Panicked { id, .. } => *id,
        }
    }

    /// The name of the child that failed, if it had one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn_named("db", async { Err::<(), _>(1) });
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.iter().next().unwrap().name(), Some("db"));
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        match self {
            ChildFailure::Error { name, .. } | ChildFailure::Panicked { name, .. } => {
                name.as_deref()
            }
        }
    }

    /// The error the child returned, or `None` if it panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>("timeout") });
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.iter().next().unwrap().error(), Some(&"timeout"));
    /// # });
    /// ```
    pub fn error(&self) -> Option<&E> {
        match self {
            ChildFailure::Error { error, .. } => Some(error),
            ChildFailure::Panicked { .. } => None,
        }
    }

    /// Whether the child panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// group.spawn(async { panic!("oops") as Result<(), ()> });
    /// let err = group.join().await.unwrap_err();
    /// assert!(err.iter().next().unwrap().is_panic());
    /// # });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, ChildFailure::Panicked { .. })
    }

    /// The panic message, when the child panicked with a string.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// group.spawn(async { panic!("disk {} full", 2) as Result<(), ()> });
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.iter().next().unwrap().panic_message(), Some("disk 2 full"));
    /// # });
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            ChildFailure::Panicked { payload, .. } => payload.message(),
            ChildFailure::Error { .. } => None,
        }
    }

    /// The error the child returned.
    ///
    /// # Errors
    ///
    /// Gives the panic payload if the child panicked instead.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>(String::from("gone")) });
    /// let err = group.join().await.unwrap_err();
    /// let first = err.into_iter().next().unwrap();
    /// assert_eq!(first.into_error().ok().as_deref(), Some("gone"));
    /// # });
    /// ```
    pub fn into_error(self) -> Result<E, Box<dyn Any + Send + 'static>> {
        match self {
            ChildFailure::Error { error, .. } => Ok(error),
            ChildFailure::Panicked { payload, .. } => Err(payload.into_inner()),
        }
    }

    fn describe_child(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "task {} ({name:?})", self.id()),
            None => write!(f, "task {}", self.id()),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for ChildFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildFailure::Error { id, name, error } => f
                .debug_struct("Error")
                .field("id", id)
                .field("name", name)
                .field("error", error)
                .finish(),
            ChildFailure::Panicked { id, name, .. } => f
                .debug_struct("Panicked")
                .field("id", id)
                .field("name", name)
                .field("message", &self.panic_message())
                .finish_non_exhaustive(),
        }
    }
}

impl<E: fmt::Display> fmt::Display for ChildFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe_child(f)?;
        match self {
            ChildFailure::Error { error, .. } => write!(f, " failed: {error}"),
            ChildFailure::Panicked { .. } => match self.panic_message() {
                Some(msg) => write!(f, " panicked: {msg}"),
                None => f.write_str(" panicked"),
            },
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for ChildFailure<E> {}

/// Every failure of a [`TaskGroup`](crate::TaskGroup), in the order they
/// happened; what [`TaskGroup::join`](crate::TaskGroup::join) returns when a
/// child failed.
///
/// Equivalent to asyncio's `ExceptionGroup` raised by `TaskGroup.__aexit__`.
/// It holds at least one [`ChildFailure`]. Children cancelled by the group
/// after the first failure are not failures and do not appear here.
///
/// # Examples
///
/// ```
/// // One worker, so that both children surely start before either fails.
/// let runner = corio::Runner::builder().workers(1).build().unwrap();
/// runner.run(async {
///     let group = corio::TaskGroup::new();
///     group.spawn_named("a", async { Err::<(), _>("refused") });
///     group.spawn_named("b", async { Err::<(), _>("reset") });
///     let err = group.join().await.unwrap_err();
///     assert_eq!(err.len(), 2);
///     // Display lists every failure:
///     let text = err.to_string();
///     assert!(text.starts_with("2 tasks of the group failed"));
///     assert!(text.contains("(\"a\") failed: refused"));
/// });
/// ```
pub struct TaskGroupError<E> {
    failures: Vec<ChildFailure<E>>,
}

impl<E> TaskGroupError<E> {
    pub(crate) fn new(failures: Vec<ChildFailure<E>>) -> TaskGroupError<E> {
        debug_assert!(!failures.is_empty());
        TaskGroupError { failures }
    }

    /// How many children failed (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>(0) });
    /// assert_eq!(group.join().await.unwrap_err().len(), 1);
    /// # });
    /// ```
    #[allow(clippy::len_without_is_empty, reason = "never empty")]
    pub fn len(&self) -> usize {
        self.failures.len()
    }

    /// The failures, in the order they happened.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>(7) });
    /// let err = group.join().await.unwrap_err();
    /// let codes: Vec<_> = err.iter().filter_map(|f| f.error()).collect();
    /// assert_eq!(codes, [&7]);
    /// # });
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, ChildFailure<E>> {
        self.failures.iter()
    }

    /// The first failure, the one that made the group cancel the others.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>("first") });
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.first().error(), Some(&"first"));
    /// # });
    /// ```
    pub fn first(&self) -> &ChildFailure<E> {
        &self.failures[0]
    }

    /// The errors the children returned, in order, skipping panics.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>("e") });
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.into_errors().collect::<Vec<_>>(), ["e"]);
    /// # });
    /// ```
    pub fn into_errors(self) -> impl Iterator<Item = E> {
        self.failures
            .into_iter()
            .filter_map(|f| f.into_error().ok())
    }
}

impl<E> IntoIterator for TaskGroupError<E> {
    type Item = ChildFailure<E>;
    type IntoIter = std::vec::IntoIter<ChildFailure<E>>;

    fn into_iter(self) -> Self::IntoIter {
        self.failures.into_iter()
    }
}

impl<'a, E> IntoIterator for &'a TaskGroupError<E> {
    type Item = &'a ChildFailure<E>;
    type IntoIter = std::slice::Iter<'a, ChildFailure<E>>;

    fn into_iter(self) -> Self::IntoIter {
        self.failures.iter()
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupError")
            .field("failures", &self.failures)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failures.as_slice() {
            [one] => write!(f, "a task of the group failed: {one}"),
            all => {
                write!(f, "{} tasks of the group failed", all.len())?;
                for (i, failure) in all.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { "; " };
                    write!(f, "{sep}{failure}")?;
                }
                Ok(())
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskGroupError<E> {}
