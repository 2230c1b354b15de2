//! `task::Builder`: spawn with a name.

use std::future::Future;
use std::sync::Arc;

use super::Task;
use crate::Handle;

/// Configures a task before spawning it; asyncio's `create_task(coro, name=...)`.
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let task = corio::task::Builder::new().name("download").spawn(async { 3 });
///     assert_eq!(task.name(), Some("download"));
///     assert_eq!(task.await.unwrap(), 3);
/// });
/// ```
#[derive(Debug, Default, Clone)]
#[must_use = "a Builder does nothing until you call spawn"]
pub struct Builder {
    name: Option<Arc<str>>,
    eager: Option<bool>,
}

impl Builder {
    /// A builder with no name set.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = corio::task::Builder::new();
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task; the name shows in [`task::all`](crate::task::all),
    /// in `Debug` output and in error messages.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = corio::task::Builder::new().name("worker-1");
    /// ```
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Starts the task eagerly (or not, overriding the runtime's
    /// [`eager_tasks`](crate::runner::Builder::eager_tasks) setting);
    /// asyncio 3.12's `eager_task_factory`.
    ///
    /// An eager task's first poll runs inside `spawn`, on the spawning
    /// thread, before `spawn` returns: a task that finishes without waiting
    /// never touches a run queue, and its handle is done at once. What
    /// changes is ordering: the task's code up to its first wait runs
    /// before the code after `spawn` (a lazily started task runs after the
    /// spawner's next wait, behind the tasks queued before it). Eager start
    /// needs the spawning thread to be a worker of the task's runtime:
    /// [`spawn_on`](Builder::spawn_on) from another thread queues the task
    /// as usual, and so does an eager spawn nested more than 16 deep in
    /// other eager first polls.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    ///
    /// # corio::run(async {
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let flag = ran.clone();
    /// let task = corio::task::Builder::new()
    ///     .eager(true)
    ///     .spawn(async move { flag.store(true, Ordering::SeqCst); 5 });
    /// // The first poll already ran, and here it finished the task.
    /// assert!(ran.load(Ordering::SeqCst));
    /// assert!(task.is_done());
    /// assert_eq!(task.await.unwrap(), 5);
    /// # });
    /// ```
    pub fn eager(mut self, eager: bool) -> Builder {
        self.eager = Some(eager);
        self
    }

    /// Spawns a `Send` task; see [`corio::spawn`](crate::spawn).
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime: call it inside `corio::run`, or use
    /// [`Builder::spawn_on`] with a [`Handle`] from another thread.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let t = corio::task::Builder::new().name("a").spawn(async { 1 });
    /// assert_eq!(t.await.unwrap(), 1);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = std::panic::Location::caller();
        crate::scheduler::spawn_here(
            "task::Builder::spawn",
            future,
            self.name,
            self.eager,
            location,
        )
    }

    /// Spawns a `Send` task on the runtime of `handle`, from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let handle = corio::Handle::current();
    /// let t = std::thread::spawn(move || {
    ///     corio::task::Builder::new().name("from-thread").spawn_on(&handle, async { 2 })
    /// }).join().unwrap();
    /// assert_eq!(t.await.unwrap(), 2);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, handle: &Handle, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = std::panic::Location::caller();
        handle
            .shared()
            .spawn(future, self.name, self.eager, location)
    }

    /// Spawns a `!Send` task on the current thread; see
    /// [`corio::spawn_local`](crate::spawn_local).
    ///
    /// # Panics
    ///
    /// Panics when the calling thread is not a corio worker: call it inside
    /// `corio::run` or a task.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let rc = std::rc::Rc::new(5);
    /// let t = corio::task::Builder::new().name("local").spawn_local(async move { *rc });
    /// assert_eq!(t.await.unwrap(), 5);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        crate::spawn::spawn_local_inner(
            future,
            self.name,
            self.eager,
            std::panic::Location::caller(),
        )
    }
}
