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
        crate::scheduler::spawn_here("task::Builder::spawn", future, self.name, location)
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
        handle.shared().spawn(future, self.name, location)
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
        crate::spawn::spawn_local_inner(future, self.name, std::panic::Location::caller())
    }
}
