//! `TaskGroup`: children that live and fail together (asyncio 3.11's
//! `TaskGroup`).
//!
//! # How it works
//!
//! Each child runs as an ordinary task whose future is wrapped: the wrapper
//! catches a panic or an `Err`, records it in the group, and counts the child
//! out of the group when the child's future is dropped (after it finished or
//! was cancelled). The group's `state` word holds the number of live children
//! and two flags:
//!
//! - `ABORTING`: a child failed, or the group was dropped unjoined. Set once,
//!   under the lock, never cleared. Every child that sees it cancels its own
//!   task (the same request as [`Task::cancel`](crate::Task::cancel), so a
//!   child holding [`task::cancelled`](crate::task::cancelled) may clean up).
//! - `CLOSED`: `join` returned; set only while no child is alive, so nothing
//!   spawned in the group outlives `join`. Spawning afterwards panics.
//!
//! A child that suspends registers its task's waker in `suspended` (a slab,
//! emptied as children end), so aborting can wake every sleeping child. The
//! flag is read under the same lock on both sides, so no child misses it.
//! A child that finishes in its first poll never takes the lock.
//!
//! Live children keep the group's shared state alive with *one* strong
//! reference between them, taken when their count leaves zero and given back
//! when it returns to zero, instead of one reference each: on several
//! workers, every child finishing on another core would otherwise bounce
//! the reference count's cache line once more per child.

use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker, ready};

use crate::child_error::ChildError;
use crate::drain::{self, DrainSignal, Release};
use crate::scheduler::with_worker;
use crate::task::meta::TaskMeta;
use crate::task::{Task, TaskId};
use crate::task_group_error::{ChildFailure, TaskGroupError};

const CLOSED: usize = 1;
const ABORTING: usize = 2;
const ONE_CHILD: usize = 4;
/// A guard's slot when its child never registered a waker.
const NO_SLOT: usize = usize::MAX;

fn live_children(state: usize) -> usize {
    state / ONE_CHILD
}

struct Inner<E> {
    state: AtomicUsize,
    locked: Mutex<Locked<E>>,
}

struct Locked<E> {
    failures: Vec<ChildFailure<E>>,
    /// Wakers of suspended children; `None` entries are free and listed in `free`.
    suspended: Vec<Option<Waker>>,
    free: Vec<usize>,
    joiner: Option<Waker>,
    /// Tasks that dropped the group while children were alive, waiting for
    /// the last one to count out (see `drain.rs`).
    drainers: Vec<Arc<DrainSignal>>,
}

impl<E> Inner<E> {
    fn new() -> Inner<E> {
        Inner {
            state: AtomicUsize::new(0),
            locked: Mutex::new(Locked {
                failures: Vec::new(),
                suspended: Vec::new(),
                free: Vec::new(),
                joiner: None,
                drainers: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Locked<E>> {
        // Nothing panics while the lock is held (pushes and waker moves
        // only), so a poisoned lock still guards consistent data.
        self.locked.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_aborting(&self) -> bool {
        self.state.load(Ordering::Acquire) & ABORTING != 0
    }

    /// Sets `ABORTING` (under `locked`) and returns the wakers of every
    /// suspended child; empty if the group was already aborting.
    fn start_abort(&self, locked: &mut Locked<E>) -> Vec<Waker> {
        let prev = self.state.fetch_or(ABORTING, Ordering::AcqRel);
        if prev & ABORTING != 0 {
            return Vec::new();
        }
        locked.suspended.iter().flatten().cloned().collect()
    }

    /// Cancels every child: the failure path and the unjoined-drop path.
    fn abort(&self) {
        let wakers = self.start_abort(&mut self.lock());
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Records a failure of the running child.
    fn record(&self, failure: ChildFailure<E>) {
        self.lock().failures.push(failure);
    }

    /// The group was dropped (or its `join` future was): cancels every
    /// child and makes the task doing the dropping wait, before it
    /// finishes, until the last child has counted out.
    fn abandon(&self) {
        self.abort();
        if live_children(self.state.load(Ordering::Acquire)) == 0 {
            return;
        }
        let Some(signal) = drain::signal_for_current_task() else {
            return;
        };
        let mut locked = self.lock();
        // Checked again under the lock the last child takes to count out,
        // so the signal is either seen by it or not needed.
        if live_children(self.state.load(Ordering::Acquire)) == 0 {
            drop(locked);
            signal.set();
        } else {
            locked.drainers.push(signal);
        }
    }
}

/// Asks the scheduler to cancel the task running on this thread, exactly as
/// `Task::cancel` would from outside. Returns false if it was asked already.
fn cancel_current_task(cx: &Context<'_>) -> bool {
    let first = with_worker(|w| {
        w.and_then(|w| w.current_task())
            .is_some_and(|meta| meta.request_cancel_once())
    });
    if first {
        // The scheduler drops the task when it next picks it up (or, if it
        // awaits `task::cancelled()`, polls it so it can clean up).
        cx.waker().wake_by_ref();
    }
    first
}

/// The id and name of the task running on this thread.
fn current_child() -> (TaskId, Option<Arc<str>>) {
    with_worker(|w| {
        w.and_then(|w| w.current_task())
            .map(|meta| (meta.id, meta.name_arc()))
    })
    .expect("a TaskGroup child always runs as a task")
}

/// Counts one child in the group; counts it out when dropped, which happens
/// after the child's own future was dropped.
struct ChildGuard<E> {
    /// The group's state, kept alive by the live children's shared strong
    /// reference (see the module docs) until this guard has counted out.
    inner: NonNull<Inner<E>>,
    slot: Option<usize>,
}

// SAFETY: a guard is a shared reference to `Inner<E>` (kept alive as
// described above), which is `Send` and `Sync` when `E: Send`, like the
// `Arc<Inner<E>>` it stands for.
unsafe impl<E: Send> Send for ChildGuard<E> {}
// SAFETY: as above.
unsafe impl<E: Send> Sync for ChildGuard<E> {}

impl<E> ChildGuard<E> {
    fn inner(&self) -> &Inner<E> {
        // SAFETY: the live children's strong reference keeps `Inner` alive
        // while this guard is counted in (from `enter` to the end of `drop`).
        unsafe { self.inner.as_ref() }
    }

    /// Lets an abort wake this child while it is suspended.
    fn register(&mut self, cx: &Context<'_>) {
        if self.slot.is_some() {
            // A task's waker never changes, so the first one stays valid.
            return;
        }
        let inner = self.inner();
        let mut locked = inner.lock();
        if inner.is_aborting() {
            drop(locked);
            cancel_current_task(cx);
            return;
        }
        let waker = Some(cx.waker().clone());
        let slot = match locked.free.pop() {
            Some(slot) => {
                locked.suspended[slot] = waker;
                slot
            }
            None => {
                locked.suspended.push(waker);
                locked.suspended.len() - 1
            }
        };
        drop(locked);
        self.slot = Some(slot);
    }
}

impl<E> ChildGuard<E> {
    /// Counts the child out: the work of `Drop`, run through a [`Release`]
    /// once the child's output is stored.
    ///
    /// # Safety
    ///
    /// `inner` is the guard's group pointer and this is the guard's one
    /// count-out.
    unsafe fn count_out(inner: NonNull<()>, slot: usize) {
        let inner = inner.cast::<Inner<E>>();
        // SAFETY: the live children's reference keeps the group alive until
        // this count-out gives it back below.
        let group = unsafe { inner.as_ref() };
        let slot = (slot != NO_SLOT).then_some(slot);
        // Only the last child to leave wakes anyone: the joiner and the
        // tasks that dropped the group.
        let mut last = None;
        if let Some(slot) = slot {
            let mut locked = group.lock();
            locked.suspended[slot] = None;
            locked.free.push(slot);
            let prev = group.state.fetch_sub(ONE_CHILD, Ordering::AcqRel);
            if live_children(prev) == 1 {
                last = Some((locked.joiner.take(), std::mem::take(&mut locked.drainers)));
            }
        } else {
            let prev = group.state.fetch_sub(ONE_CHILD, Ordering::AcqRel);
            if live_children(prev) == 1 {
                let mut locked = group.lock();
                last = Some((locked.joiner.take(), std::mem::take(&mut locked.drainers)));
            }
        }
        let Some((joiner, drainers)) = last else {
            return;
        };
        // The last live child gives back the children's reference, after its
        // last use of the group. A child entering meanwhile (the count left
        // zero again) took a reference of its own in `enter`.
        // SAFETY: `enter` took this reference when the count left zero, and
        // exactly one count-out sees the count return to zero per such
        // departure.
        unsafe { Arc::decrement_strong_count(inner.as_ptr()) };
        drainers.iter().for_each(|d| d.set());
        if let Some(joiner) = joiner {
            // The joiner's waker may be anybody's; its panic must not
            // escape a count-out that the worker runs between tasks.
            let _ = catch_unwind(AssertUnwindSafe(|| joiner.wake()));
        }
    }
}

impl<E> Drop for ChildGuard<E> {
    fn drop(&mut self) {
        let slot = self.slot.unwrap_or(NO_SLOT);
        // SAFETY: `count_out::<E>` is called once, with this guard's group,
        // which the children's reference keeps alive until then.
        let release = unsafe { Release::new(self.inner.cast(), slot, ChildGuard::<E>::count_out) };
        // Counted out once the child's output is stored, so that `join`
        // returning means every child handle is ready; at once when its
        // handle is gone (nobody can look) and it waits for no group of
        // its own.
        let now = with_worker(|w| {
            w.and_then(|w| w.current_task())
                .is_some_and(TaskMeta::may_count_out_now)
        });
        if now {
            drop(release);
        } else {
            drain::defer(release);
        }
    }
}

/// The payload a child's task ends with when its `Drop` panicked: the real
/// payload went to the group's error.
pub(crate) struct FailedInDrop;

/// The future every child task runs: the user's future, watched.
///
/// It cancels the child's task once the group aborts, records a failure
/// (an `Err`, or a panic while polling or while being dropped) in the
/// group, and holds the child's guard, so the child counts out only after
/// its own future (and that future's `Drop`) is gone.
struct Child<E, F> {
    future: ManuallyDrop<F>,
    guard: ChildGuard<E>,
    /// The child failed and yielded once; its next poll aborts the group.
    failed: bool,
}

impl<E, F, T> Future for Child<E, F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: structural pinning of `future`: it is never moved, only
        // dropped in place by `Drop`; the other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if this.failed {
            this.guard.inner().abort();
            return Poll::Ready(None);
        }
        if this.guard.inner().is_aborting() && cancel_current_task(cx) {
            return Poll::Pending;
        }
        // SAFETY: as above; the future is alive until `Drop`.
        let future = unsafe { Pin::new_unchecked(&mut *this.future) };
        let failure = match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => {
                this.guard.register(cx);
                return Poll::Pending;
            }
            Ok(Poll::Ready(Ok(value))) => return Poll::Ready(Some(value)),
            Ok(Poll::Ready(Err(error))) => {
                let (id, name) = current_child();
                ChildFailure::Error { id, name, error }
            }
            Err(payload) => {
                let (id, name) = current_child();
                ChildFailure::panicked(id, name, payload)
            }
        };
        this.guard.inner().record(failure);
        // Like asyncio, which aborts the group from a done callback
        // scheduled with `call_soon`, the siblings are cancelled only after
        // the tasks that are ready now have run: children failing "at once"
        // are all reported. So the child yields once before it aborts.
        this.failed = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<E, F> Drop for Child<E, F> {
    fn drop(&mut self) {
        // SAFETY: dropped once, here, in place; never touched again.
        let dropped = catch_unwind(AssertUnwindSafe(|| unsafe {
            ManuallyDrop::drop(&mut self.future)
        }));
        if let Err(payload) = dropped {
            let group = self.guard.inner();
            let (id, name) = current_child();
            group.record(ChildFailure::panicked(id, name, payload));
            group.abort();
            // The child's handle reports a failure; its payload is in the
            // group's error. The guard is still dropped after this, so the
            // child counts out.
            std::panic::resume_unwind(Box::new(FailedInDrop));
        }
    }
}

fn run_child<E, F>(guard: ChildGuard<E>, future: F) -> Child<E, F> {
    Child {
        future: ManuallyDrop::new(future),
        guard,
        failed: false,
    }
}

/// Counts a new child in, or panics if the group was joined already.
/// Returns whether the group is aborting.
#[track_caller]
fn enter<E>(inner: &Arc<Inner<E>>) -> (ChildGuard<E>, bool) {
    let prev = inner.state.fetch_add(ONE_CHILD, Ordering::AcqRel);
    if live_children(prev) == 0 {
        // The first live child takes the children's shared reference.
        // SAFETY: `inner` is a live `Arc`, so its pointer is valid and its
        // strong count is at least one.
        unsafe { Arc::increment_strong_count(Arc::as_ptr(inner)) };
    }
    let guard = ChildGuard {
        inner: NonNull::from(&**inner),
        slot: None,
    };
    if prev & CLOSED != 0 {
        drop(guard);
        panic!(
            "spawned a child into a TaskGroup that was already joined: spawn children \
                 before `join` returns (children may spawn more while `join` waits)"
        );
    }
    (guard, prev & ABORTING != 0)
}

fn finish<T>(task: Task<Option<T>>, aborting: bool) -> ChildTask<T> {
    if aborting {
        // The group is shutting down: the child is cancelled at birth and
        // its future never runs.
        task.cancel();
    }
    ChildTask { task }
}

#[track_caller]
fn spawn_send<E, F, T>(inner: &Arc<Inner<E>>, name: Option<Arc<str>>, future: F) -> ChildTask<T>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let location = Location::caller();
    let (guard, aborting) = enter(inner);
    let task = crate::scheduler::spawn_here(
        "TaskGroup::spawn",
        run_child(guard, future),
        name,
        None,
        location,
    );
    finish(task, aborting)
}

#[track_caller]
fn spawn_here<E: 'static, F, T>(
    inner: &Arc<Inner<E>>,
    name: Option<Arc<str>>,
    future: F,
) -> ChildTask<T>
where
    F: Future<Output = Result<T, E>> + 'static,
    T: 'static,
{
    let location = Location::caller();
    let (guard, aborting) = enter(inner);
    let task = crate::spawn::spawn_local_inner(run_child(guard, future), name, None, location);
    finish(task, aborting)
}

/// Spawns children into a [`TaskGroup`], from anywhere: the owner, the
/// children themselves, or other tasks.
///
/// Get one with [`TaskGroup::spawner`]; it is cheap to clone and, when `E`
/// is `Send`, may move into `Send` children. Holding one does not keep the
/// group alive: once the group is dropped, children spawned through it are
/// cancelled at birth.
///
/// # Examples
///
/// ```
/// corio::run(async {
///     let group = corio::TaskGroup::<()>::new();
///     let spawner = group.spawner();
///     group.spawn(async move {
///         // A child adds a sibling; join waits for it too.
///         spawner.spawn(async { Ok(()) });
///         Ok(())
///     });
///     group.join().await.unwrap();
/// });
/// ```
pub struct Spawner<E> {
    inner: Arc<Inner<E>>,
}

impl<E> Clone for Spawner<E> {
    fn clone(&self) -> Self {
        Spawner {
            inner: self.inner.clone(),
        }
    }
}

impl<E> fmt::Debug for Spawner<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.load(Ordering::Relaxed);
        f.debug_struct("Spawner")
            .field("children", &live_children(state))
            .field("aborting", &(state & ABORTING != 0))
            .finish()
    }
}

impl<E: 'static> Spawner<E> {
    /// Spawns a `Send` child into the group; see [`TaskGroup::spawn`].
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime, or when the group's `join` has
    /// already returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let spawner = group.spawner();
    /// let child = spawner.spawn(async { Ok(5) });
    /// group.join().await.unwrap();
    /// assert_eq!(child.await.unwrap(), 5);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&self, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Send,
    {
        spawn_send(&self.inner, None, future)
    }

    /// Cancels the whole group without an error; see [`TaskGroup::cancel`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let spawner = group.spawner();
    /// group.spawn(std::future::pending::<Result<(), ()>>());
    /// // Stop the group from a task that does not own it.
    /// corio::spawn(async move {
    ///     corio::sleep(Duration::from_millis(5)).await;
    ///     spawner.cancel();
    /// });
    /// group.join().await.unwrap();
    /// # });
    /// ```
    pub fn cancel(&self) {
        self.inner.abort();
    }

    /// Spawns a named `Send` child; see [`TaskGroup::spawn_named`].
    ///
    /// # Panics
    ///
    /// As [`spawn`](Spawner::spawn).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawner().spawn_named("fetch", async { Ok(()) });
    /// assert_eq!(child.name(), Some("fetch"));
    /// group.join().await.unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_named<F, T>(&self, name: impl Into<Arc<str>>, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Send,
    {
        spawn_send(&self.inner, Some(name.into()), future)
    }

    /// Spawns a child that stays on the current thread, so it need not be
    /// `Send`; see [`TaskGroup::spawn_local`].
    ///
    /// # Panics
    ///
    /// Panics when the calling thread is not a corio worker, or when the
    /// group's `join` has already returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let rc = std::rc::Rc::new(3);
    /// let child = group.spawner().spawn_local(async move { Ok(*rc) });
    /// group.join().await.unwrap();
    /// assert_eq!(child.await.unwrap(), 3);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_local<F, T>(&self, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
    {
        spawn_here(&self.inner, None, future)
    }

    /// Spawns a named child on the current thread; see
    /// [`TaskGroup::spawn_local_named`].
    ///
    /// # Panics
    ///
    /// As [`spawn_local`](Spawner::spawn_local).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawner().spawn_local_named("ui", async { Ok(()) });
    /// assert_eq!(child.name(), Some("ui"));
    /// group.join().await.unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_local_named<F, T>(&self, name: impl Into<Arc<str>>, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
    {
        spawn_here(&self.inner, Some(name.into()), future)
    }
}

/// A group of child tasks that succeed or fail together; asyncio's
/// `TaskGroup`.
///
/// Equivalent to `async with asyncio.TaskGroup() as tg:`. Children return
/// `Result<T, E>` (each child its own `T`, one `E` for the group).
/// [`join`](TaskGroup::join) waits for every child, including children
/// spawned while it waits. When a child fails (returns `Err` or panics), the
/// group cancels every other child, waits until their futures have been
/// dropped, and `join` returns a [`TaskGroupError`] listing every failure in
/// the order they happened, each with the child's id and name.
///
/// - Children cancelled by the group, or through their own
///   [`ChildTask::cancel`], are not failures.
/// - A child that awaits [`task::cancelled`](crate::task::cancelled) is
///   woken instead of dropped and may clean up; if it then returns `Err`,
///   that is reported too.
/// - Dropping the group without joining it (for instance because the task
///   that owns it was cancelled) cancels every child. Nothing spawned in a
///   group outlives `join`.
/// - A failure does not interrupt the owner's code before it reaches `join`
///   (asyncio cancels the body of the `async with` block); children spawned
///   after a failure are cancelled at birth.
///
/// # Cancel safety
///
/// Dropping the [`TaskGroupJoin`] future cancels every child, exactly like
/// dropping an unjoined group; their results are lost.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let group = corio::TaskGroup::new();
///     let a = group.spawn(async { Ok(1) });
///     let b = group.spawn_named("b", async {
///         corio::sleep(Duration::from_millis(5)).await;
///         Ok(2)
///     });
///     group.join().await.map_err(|e: corio::TaskGroupError<String>| e.to_string())?;
///     assert_eq!(a.await.unwrap() + b.await.unwrap(), 3);
/// #   Ok::<(), String>(())
/// }).unwrap();
/// ```
///
/// A failing child cancels its siblings:
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let group = corio::TaskGroup::new();
///     let slow = group.spawn(async {
///         corio::sleep(Duration::from_secs(60)).await;
///         Ok(())
///     });
///     group.spawn_named("bad", async { Err::<(), _>("no route to host") });
///     let err = group.join().await.unwrap_err();
///     assert_eq!(err.len(), 1);
///     assert_eq!(err.first().name(), Some("bad"));
///     assert!(slow.await.unwrap_err().is_cancelled()); // not a failure
/// });
/// ```
pub struct TaskGroup<E> {
    inner: Option<Arc<Inner<E>>>,
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner().state.load(Ordering::Relaxed);
        f.debug_struct("TaskGroup")
            .field("children", &live_children(state))
            .field("aborting", &(state & ABORTING != 0))
            .finish()
    }
}

impl<E: 'static> Default for TaskGroup<E> {
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<E> TaskGroup<E> {
    fn inner(&self) -> &Arc<Inner<E>> {
        self.inner
            .as_ref()
            .expect("the group is intact until joined or dropped")
    }
}

impl<E: 'static> TaskGroup<E> {
    /// An empty group.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<std::io::Error>::new();
    /// group.join().await.unwrap(); // an empty group joins at once
    /// # });
    /// ```
    pub fn new() -> TaskGroup<E> {
        TaskGroup {
            inner: Some(Arc::new(Inner::new())),
        }
    }

    /// A handle that spawns into this group; children use it to spawn
    /// siblings while the group runs.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let spawner = group.spawner();
    /// let outer = group.spawn(async move {
    ///     let inner = spawner.spawn(async { Ok("nested") });
    ///     Ok(inner)
    /// });
    /// group.join().await.unwrap();
    /// assert_eq!(outer.await.unwrap().await.unwrap(), "nested");
    /// # });
    /// ```
    pub fn spawner(&self) -> Spawner<E> {
        Spawner {
            inner: self.inner().clone(),
        }
    }

    /// Spawns a `Send` child; `tg.create_task(coro)`.
    ///
    /// The child starts soon, like [`corio::spawn`](crate::spawn). The
    /// returned [`ChildTask`] gives its value; its failure, if any, is
    /// reported by [`join`](TaskGroup::join).
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime: call it inside `corio::run`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn(async { Ok(6 * 7) });
    /// group.join().await.unwrap();
    /// assert_eq!(child.await.unwrap(), 42);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&self, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Send,
    {
        spawn_send(self.inner(), None, future)
    }

    /// Spawns a named `Send` child; `tg.create_task(coro, name=...)`.
    ///
    /// The name appears in the child's [`ChildFailure`], in
    /// [`task::all`](crate::task::all) and in `Debug` output.
    ///
    /// # Panics
    ///
    /// Panics outside a corio runtime: call it inside `corio::run`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn_named("worker-1", async { Ok(()) });
    /// assert_eq!(child.name(), Some("worker-1"));
    /// group.join().await.unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_named<F, T>(&self, name: impl Into<Arc<str>>, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Send,
    {
        spawn_send(self.inner(), Some(name.into()), future)
    }

    /// Spawns a child that stays on the current thread, so it may hold
    /// `!Send` state; see [`corio::spawn_local`](crate::spawn_local).
    ///
    /// # Panics
    ///
    /// Panics when the calling thread is not a corio worker: call it inside
    /// `corio::run` or a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let hits = Rc::new(Cell::new(0));
    /// for _ in 0..3 {
    ///     let hits = hits.clone();
    ///     group.spawn_local(async move { hits.set(hits.get() + 1); Ok(()) });
    /// }
    /// group.join().await.unwrap();
    /// assert_eq!(hits.get(), 3);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_local<F, T>(&self, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
    {
        spawn_here(self.inner(), None, future)
    }

    /// Spawns a named child that stays on the current thread.
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
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn_local_named("local", async { Ok(()) });
    /// assert_eq!(child.name(), Some("local"));
    /// group.join().await.unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_local_named<F, T>(&self, name: impl Into<Arc<str>>, future: F) -> ChildTask<T>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
    {
        spawn_here(self.inner(), Some(name.into()), future)
    }

    /// Cancels every child without an error; asyncio 3.15's
    /// `TaskGroup.cancel()`.
    ///
    /// Children are cancelled as when a sibling fails (one that awaits
    /// [`task::cancelled`](crate::task::cancelled) may clean up first), and
    /// children spawned afterwards are cancelled at birth. Unlike a
    /// failure, it adds nothing to the group's error: [`join`](Self::join)
    /// returns `Ok(())` unless a child had failed anyway. Call it from
    /// outside through a [`Spawner`] ([`Spawner::cancel`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let forever = group.spawn(std::future::pending::<Result<(), ()>>());
    /// group.cancel();
    /// group.join().await.unwrap();
    /// assert!(forever.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn cancel(&self) {
        self.inner().abort();
    }

    /// Waits for every child; `async with` block exit.
    ///
    /// Resolves to `Ok(())` when every child succeeded or was cancelled
    /// individually, or to a [`TaskGroupError`] holding every failure. Either
    /// way no child is running any more when it resolves.
    ///
    /// # Cancel safety
    ///
    /// Dropping the returned future before it resolves cancels every child.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// for i in 0..10 {
    ///     group.spawn(async move { if i == 7 { Err(i) } else { Ok(()) } });
    /// }
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.first().error(), Some(&7));
    /// # });
    /// ```
    ///
    /// # Errors
    ///
    /// A [`TaskGroupError`] when at least one child returned `Err` or panicked.
    pub fn join(mut self) -> TaskGroupJoin<E> {
        TaskGroupJoin {
            inner: self.inner.take(),
        }
    }
}

impl<E> Drop for TaskGroup<E> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.abandon();
        }
    }
}

/// Future returned by [`TaskGroup::join`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct TaskGroupJoin<E> {
    inner: Option<Arc<Inner<E>>>,
}

impl<E> fmt::Debug for TaskGroupJoin<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupJoin")
            .field("done", &self.inner.is_none())
            .finish_non_exhaustive()
    }
}

impl<E> Future for TaskGroupJoin<E> {
    type Output = Result<(), TaskGroupError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self
            .inner
            .as_ref()
            .expect("TaskGroupJoin polled after it completed");
        let mut registered = false;
        loop {
            let state = inner.state.load(Ordering::Acquire);
            if live_children(state) == 0 {
                if inner
                    .state
                    .compare_exchange(state, state | CLOSED, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    // A child was spawned meanwhile: look again.
                    continue;
                }
                let failures = std::mem::take(&mut inner.lock().failures);
                self.inner = None;
                return Poll::Ready(if failures.is_empty() {
                    Ok(())
                } else {
                    Err(TaskGroupError::new(failures))
                });
            }
            if registered {
                return Poll::Pending;
            }
            // Stored under the lock the last child takes to wake us, then
            // checked again, so its wake-up cannot slip between the two.
            let mut locked = inner.lock();
            match &locked.joiner {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => locked.joiner = Some(cx.waker().clone()),
            }
            drop(locked);
            registered = true;
        }
    }
}

impl<E> Drop for TaskGroupJoin<E> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.abandon();
        }
    }
}

/// The handle of one child of a [`TaskGroup`]: await it for the child's value.
///
/// Resolves to `Ok(value)` when the child returned `Ok(value)`, and to a
/// [`ChildError`] that says whether it failed (its error is reported once,
/// by [`TaskGroup::join`]) or was cancelled. After `join` returns, every
/// child handle is ready: awaiting it resolves at once.
///
/// Dropping the handle leaves the child running in its group.
///
/// # Cancel safety
///
/// Awaiting is cancel-safe: the child keeps running in its group.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let group = corio::TaskGroup::<()>::new();
/// let child: corio::structured::ChildTask<u32> = group.spawn(async { Ok(1) });
/// group.join().await.unwrap();
/// assert_eq!(child.await.unwrap(), 1);
/// # });
/// ```
// Not `#[must_use]`: the group owns its children and joins them, so
// dropping the handle right away is the common case, as in asyncio.
pub struct ChildTask<T> {
    task: Task<Option<T>>,
}

impl<T> ChildTask<T> {
    /// Cancels this child alone; the group carries on and does not count it
    /// as a failure. Returns `false` if the child had already finished.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn(std::future::pending::<Result<(), ()>>());
    /// assert!(child.cancel());
    /// group.join().await.unwrap();
    /// assert!(child.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn cancel(&self) -> bool {
        self.task.cancel()
    }

    /// Whether the child has finished (succeeded, failed or been cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let child = group.spawn(async { Ok(()) });
    /// group.join().await.unwrap();
    /// assert!(child.is_done());
    /// # });
    /// ```
    pub fn is_done(&self) -> bool {
        self.task.is_done()
    }

    /// Whether the child was asked to stop, by [`cancel`](ChildTask::cancel)
    /// or by its group after a failure.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::new();
    /// let idle = group.spawn(std::future::pending::<Result<(), &str>>());
    /// group.spawn(async { Err::<(), _>("stop") });
    /// let _ = group.join().await;
    /// assert!(idle.is_cancel_requested());
    /// # });
    /// ```
    pub fn is_cancel_requested(&self) -> bool {
        self.task.is_cancel_requested()
    }

    /// The child's task id.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// let a = group.spawn(async { Ok(()) });
    /// let b = group.spawn(async { Ok(()) });
    /// assert_ne!(a.id(), b.id());
    /// # group.join().await.unwrap();
    /// # });
    /// ```
    pub fn id(&self) -> TaskId {
        self.task.id()
    }

    /// The child's name, if it was spawned with one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let group = corio::TaskGroup::<()>::new();
    /// assert_eq!(group.spawn_named("n", async { Ok(()) }).name(), Some("n"));
    /// # group.join().await.unwrap();
    /// # });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.task.name()
    }

    fn error(&self, failed: bool) -> ChildError {
        let meta = self.task.meta();
        ChildError::new(failed, meta.id, meta.name_arc())
    }
}

impl<T> Future for ChildTask<T> {
    type Output = Result<T, ChildError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = ready!(Pin::new(&mut self.task).poll(cx));
        Poll::Ready(match result {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(self.error(true)),
            Err(err) => Err(self.error(err.is_panic())),
        })
    }
}

impl<T> Drop for ChildTask<T> {
    fn drop(&mut self) {
        // The group still joins the child; it need not wait for an output
        // nobody can read.
        self.task.meta().mark_unobserved();
    }
}

impl<T> fmt::Debug for ChildTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildTask")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("done", &self.is_done())
            .finish()
    }
}
