//! `wait`: wait for some of a set of tasks, keep the rest running.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::ready_set::ReadySet;
use crate::task::{Task, TaskError, TaskId};

/// When [`wait`] returns; asyncio's `FIRST_COMPLETED` and `ALL_COMPLETED`.
///
/// asyncio's third choice, `FIRST_EXCEPTION`, is its own function,
/// [`wait_first_error`]: it has to tell a failed task from one that returned
/// a value, which it can only do for values that implement [`Outcome`]
/// (an `Err` is a failure). `wait` with a `ReturnWhen` accepts tasks of any
/// output type.
///
/// # Examples
///
/// ```
/// use corio::ReturnWhen;
///
/// # corio::run(async {
/// // Any output type will do: here, a struct with no `Outcome` impl.
/// #[derive(Debug, PartialEq)]
/// struct Page(u32);
/// let task = corio::spawn(async { Page(1) });
/// let (done, pending) = corio::wait([task], ReturnWhen::FirstCompleted).await;
/// assert!(pending.is_empty());
/// assert_eq!(done[0].output().as_ref().unwrap(), &Page(1));
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as one task has finished (in any way).
    FirstCompleted,
    /// When every task has finished.
    AllCompleted,
}

/// The condition a [`Wait`] waits for.
enum Until<T> {
    FirstCompleted,
    /// The first task that panicked or whose value this function calls a
    /// failure (`Outcome::is_failure`, chosen by `wait_first_error`).
    FirstError(fn(&T) -> bool),
    AllCompleted,
}

impl<T> Until<T> {
    fn name(&self) -> &'static str {
        match self {
            Until::FirstCompleted => "FirstCompleted",
            Until::FirstError(_) => "FirstError",
            Until::AllCompleted => "AllCompleted",
        }
    }
}

/// Whether a task's value counts as a failure for [`wait_first_error`].
///
/// asyncio calls a task failed when it raised; in Rust a task fails by
/// returning `Err` (or by panicking, which [`wait_first_error`] sees on its
/// own). So an
/// `Err` is a failure, and plain values (`()`, numbers, `bool`, `char`,
/// strings, `Vec`s) never are. Implement it for your own types, or wrap a
/// foreign value in `Ok::<_, std::convert::Infallible>(value)`.
///
/// # Examples
///
/// ```
/// use corio::structured::Outcome;
///
/// assert!(Err::<(), _>("lost").is_failure());
/// assert!(!Ok::<_, ()>(1).is_failure());
/// assert!(!().is_failure());
/// assert!(!"text".is_failure());
/// ```
pub trait Outcome {
    /// Whether this value means the task failed.
    fn is_failure(&self) -> bool;
}

impl<T, E> Outcome for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

/// Plain values: never a failure.
macro_rules! never_a_failure {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Outcome for $ty {
                fn is_failure(&self) -> bool {
                    false
                }
            }
        )*
    };
}

never_a_failure!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    String,
    &str,
);

impl<T> Outcome for Vec<T> {
    fn is_failure(&self) -> bool {
        false
    }
}

/// A task that [`wait`] saw finish, with its result.
///
/// # Examples
///
/// ```
/// use corio::ReturnWhen;
///
/// # corio::run(async {
/// let task = corio::task::Builder::new().name("job").spawn(async { Ok::<_, ()>(3) });
/// let (done, _) = corio::wait([task], ReturnWhen::AllCompleted).await;
/// assert_eq!(done[0].name(), Some("job"));
/// assert_eq!(done[0].output().as_ref().unwrap(), &Ok(3));
/// # });
/// ```
pub struct Done<T> {
    id: TaskId,
    name: Option<Arc<str>>,
    output: Result<T, TaskError>,
}

impl<T> Done<T> {
    /// The task's id.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(async {});
    /// let id = task.id();
    /// let (done, _) = corio::wait([task], corio::ReturnWhen::AllCompleted).await;
    /// assert_eq!(done[0].id(), id);
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
    /// let task = corio::task::Builder::new().name("n").spawn(async {});
    /// let (done, _) = corio::wait([task], corio::ReturnWhen::AllCompleted).await;
    /// assert_eq!(done[0].name(), Some("n"));
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// What awaiting the task gave: its value, or why it has none.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(async { panic!("x") });
    /// let (done, _) = corio::wait::<_, ()>([task], corio::ReturnWhen::AllCompleted).await;
    /// assert!(done[0].output().as_ref().unwrap_err().is_panic());
    /// # });
    /// ```
    pub fn output(&self) -> &Result<T, TaskError> {
        &self.output
    }

    /// The task's result, by value.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(async { Ok::<_, ()>(5) });
    /// let (done, _) = corio::wait([task], corio::ReturnWhen::AllCompleted).await;
    /// let mut done = done;
    /// assert_eq!(done.pop().unwrap().into_output().unwrap(), Ok(5));
    /// # });
    /// ```
    pub fn into_output(self) -> Result<T, TaskError> {
        self.output
    }
}

impl<T: fmt::Debug> fmt::Debug for Done<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Done")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("output", &self.output)
            .finish()
    }
}

/// Waits until some or all of `tasks` have finished; `asyncio.wait(tasks,
/// return_when=FIRST_COMPLETED | ALL_COMPLETED)`.
///
/// The tasks may have any output type. To return at the first failure
/// (asyncio's `FIRST_EXCEPTION`), use [`wait_first_error`].
///
/// Resolves to `(done, pending)`: the tasks that finished, in the order they
/// finished (with every task already finished when the condition was met),
/// and the tasks still running, in input order, as usable [`Task`] handles.
/// With no tasks it resolves at once to two empty lists.
///
/// # Timeouts
///
/// asyncio's `wait(tasks, timeout=...)` is this future under
/// [`corio::timeout`](https://docs.rs/corio/latest/corio/fn.timeout.html),
/// given by `&mut` so that it survives the timeout: then
/// [`Wait::into_parts`] gives back every task, finished or not, and nothing
/// is lost. (Given by value, a timed-out `Wait` is dropped: the tasks keep
/// running, detached, but their handles and finished results are gone.)
///
/// # Cancel safety
///
/// Dropping the future detaches the tasks it holds (they keep running) and
/// loses the results of the finished ones; poll it through `&mut` and call
/// [`Wait::into_parts`] to keep them.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use corio::ReturnWhen;
///
/// corio::run(async {
///     let quick = corio::spawn(async { "quick" });
///     let slow = corio::spawn(async {
///         corio::sleep(Duration::from_millis(500)).await;
///         "slow"
///     });
///     let (done, pending) = corio::wait([quick, slow], ReturnWhen::FirstCompleted).await;
///     assert_eq!(done.len(), 1);
///     assert_eq!(pending.len(), 1); // still running
///     for task in pending {
///         assert_eq!(task.await.unwrap(), "slow");
///     }
/// });
/// ```
///
/// With a timeout, keeping every task:
///
/// ```
/// use std::time::Duration;
/// use corio::ReturnWhen;
///
/// corio::run(async {
///     let tasks = (1..=3u64).map(|i| corio::spawn(async move {
///         corio::sleep(Duration::from_millis(i * 40 - 35)).await; // 5, 45, 85 ms
///         i
///     }));
///     let mut waiting = corio::wait(tasks, ReturnWhen::AllCompleted);
///     let (done, pending) = match corio::timeout(Duration::from_millis(25), &mut waiting).await {
///         Ok(all) => all,
///         Err(_elapsed) => waiting.into_parts(),
///     };
///     assert_eq!(done.len() + pending.len(), 3);
///     # assert!(done.len() >= 1);
///     for task in pending {
///         task.cancel();
///     }
/// });
/// ```
pub fn wait<I, T>(tasks: I, when: ReturnWhen) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
{
    let until = match when {
        ReturnWhen::FirstCompleted => Until::FirstCompleted,
        ReturnWhen::AllCompleted => Until::AllCompleted,
    };
    Wait::new(tasks, until)
}

/// Waits until one of `tasks` has failed, or all have finished;
/// `asyncio.wait(tasks, return_when=FIRST_EXCEPTION)`.
///
/// A task has failed when it panicked or when its value is a failure
/// according to [`Outcome`] (an `Err`). A cancelled task is not a failure.
/// When no task fails, this waits for all of them, like
/// [`ReturnWhen::AllCompleted`]. The result is [`wait`]'s: `(done,
/// pending)`, with every task that had finished by the time the failure was
/// seen in `done`.
///
/// # Timeouts
///
/// As for [`wait`]: poll it through `&mut` under a timeout, then
/// [`Wait::into_parts`].
///
/// # Cancel safety
///
/// As for [`wait`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let fine = corio::spawn(async {
///         corio::sleep(Duration::from_secs(30)).await;
///         Ok(())
///     });
///     let broken = corio::spawn(async { Err("no route") });
///     let (done, pending) = corio::structured::wait_first_error([fine, broken]).await;
///     assert_eq!(done[0].output().as_ref().unwrap(), &Err("no route"));
///     assert_eq!(pending.len(), 1);
///     pending[0].cancel();
/// });
/// ```
pub fn wait_first_error<I, T>(tasks: I) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
    T: Outcome,
{
    Wait::new(tasks, Until::FirstError(<T as Outcome>::is_failure))
}

/// Future returned by [`wait`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Wait<T> {
    set: ReadySet<Task<T>>,
    names: Vec<(TaskId, Option<Arc<str>>)>,
    done: Vec<Done<T>>,
    until: Until<T>,
}

impl<T> Wait<T> {
    fn new<I>(tasks: I, until: Until<T>) -> Wait<T>
    where
        I: IntoIterator<Item = Task<T>>,
    {
        let tasks: Vec<Task<T>> = tasks.into_iter().collect();
        let names = tasks
            .iter()
            .map(|t| (t.id(), t.name().map(Arc::from)))
            .collect();
        Wait {
            set: ReadySet::new(tasks),
            names,
            done: Vec::new(),
            until,
        }
    }

    /// Every task: those seen finishing, with their results, and those still
    /// running, in input order. Use it after a timeout; see [`wait`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let task = corio::spawn(std::future::pending::<()>());
    /// let waiting = corio::wait([task], corio::ReturnWhen::AllCompleted);
    /// let (done, pending) = waiting.into_parts();
    /// assert!(done.is_empty());
    /// assert!(pending[0].cancel());
    /// # });
    /// ```
    pub fn into_parts(self) -> (Vec<Done<T>>, Vec<Task<T>>) {
        let pending = self
            .set
            .into_remaining()
            .into_iter()
            .map(|(_, task)| task)
            .collect();
        (self.done, pending)
    }

    fn take_parts(&mut self) -> (Vec<Done<T>>, Vec<Task<T>>) {
        let set = std::mem::replace(&mut self.set, ReadySet::new(Vec::new()));
        let pending = set
            .into_remaining()
            .into_iter()
            .map(|(_, task)| task)
            .collect();
        (std::mem::take(&mut self.done), pending)
    }
}

// Tasks and results are plain values; nothing is pinned in place.
impl<T> Unpin for Wait<T> {}

impl<T> Future for Wait<T> {
    type Output = (Vec<Done<T>>, Vec<Task<T>>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut met = false;
        loop {
            match this.set.poll_next(cx) {
                Poll::Ready(Some((index, output))) => {
                    met |= match this.until {
                        Until::FirstCompleted => true,
                        Until::FirstError(is_failure) => match &output {
                            Ok(value) => is_failure(value),
                            Err(error) => error.is_panic(),
                        },
                        Until::AllCompleted => false,
                    };
                    let (id, name) = this.names[index].clone();
                    this.done.push(Done { id, name, output });
                }
                Poll::Ready(None) => return Poll::Ready(this.take_parts()),
                // Once the condition is met, the tasks that finished meanwhile
                // have been collected too (asyncio's `done` set).
                Poll::Pending if met => return Poll::Ready(this.take_parts()),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> fmt::Debug for Wait<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("until", &self.until.name())
            .field("done", &self.done.len())
            .field("pending", &self.set.remaining())
            .finish()
    }
}
