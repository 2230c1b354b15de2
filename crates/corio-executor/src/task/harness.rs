//! The wrapper every spawned future runs inside: it turns a panic into a
//! value, carries out cancellation, marks the task done when the future is
//! dropped, and holds the output back while task groups the future dropped
//! still have live children (see `drain.rs`). The output is a
//! [`TaskOutput`], whose drop cannot unwind into async-task.
//!
//! Cancellation happens here rather than by dropping async-task's
//! `Runnable`: when the task's metadata says it must stop, the harness drops
//! the inner future in place and completes with a "cancelled" payload. The
//! task thus always completes normally as far as async-task is concerned,
//! which lets the `Task` handle be async-task's plain `Task` (one word,
//! with access to the metadata) instead of its larger fallible variant.
//!
//! # Invariants
//!
//! - `meta` points at the metadata of the task this harness lives in.
//!   async-task stores the metadata and the future in one allocation and
//!   drops the future (this harness) before it frees the allocation, so the
//!   pointer is valid for the harness's whole life.
//! - `slot` holds the inner future while the metadata's `done` flag is
//!   clear, and the draining state (`Option<Box<Draining>>`) once it is set.
//!   Whoever drops the future (a cancelling or completing poll, or `Drop`)
//!   sets the flag first (so it is set even if the future's `Drop` panics),
//!   drops the future right after, then writes the draining state; nothing
//!   touches the future once the flag is set. The flag doubles as the
//!   union's tag, so the harness adds no byte to the task.

use std::any::Any;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::awaiter;
use super::meta::TaskMeta;
use super::output::{TaskOutput, drop_payload};
use crate::drain::{self, DrainSignal, Release};

pub(crate) type Panic = Box<dyn Any + Send + 'static>;

/// The payload of a cancelled task's output (a zero-sized box: no allocation).
struct CancelledMarker;

pub(crate) fn is_cancelled(payload: &Panic) -> bool {
    payload.is::<CancelledMarker>()
}

fn cancelled() -> Panic {
    Box::new(CancelledMarker)
}

/// A finished future's output, held until the groups it dropped are empty.
struct Draining<T> {
    output: TaskOutput<T>,
    signals: Vec<Arc<DrainSignal>>,
    /// The task's own count-out from its group, if it is a group child:
    /// run only after its output is stored.
    releases: Vec<Release>,
}

union Slot<F: Future> {
    future: ManuallyDrop<F>,
    draining: ManuallyDrop<Option<Box<Draining<F::Output>>>>,
}

pub(crate) struct Harness<F: Future> {
    slot: Slot<F>,
    meta: *const TaskMeta,
}

// SAFETY: the pointer only refers to `TaskMeta`, which is `Sync`; the
// draining state holds `F::Output` (sent with the future's output anyway)
// and releases, which are `Send`. Sending the harness is as safe as sending
// `F` and a `&TaskMeta`.
unsafe impl<F: Future + Send> Send for Harness<F> where F::Output: Send {}

impl<F: Future> Harness<F> {
    pub(crate) fn new(future: F, meta: &TaskMeta) -> Harness<F> {
        Harness {
            slot: Slot {
                future: ManuallyDrop::new(future),
            },
            meta: meta as *const TaskMeta,
        }
    }

    /// Drops the inner future in place and stores an empty draining state.
    /// Returns the payload of a panic raised by the future's `Drop`.
    ///
    /// # Safety
    ///
    /// The `done` flag must be clear (the future is alive), and the harness
    /// pinned.
    #[inline]
    unsafe fn drop_future(&mut self, meta: &TaskMeta) -> Option<Panic> {
        meta.mark_done();
        // SAFETY: the caller's contract: the future is alive; dropping in
        // place is allowed for pinned data, and it is never touched again.
        let dropped = catch_unwind(AssertUnwindSafe(|| unsafe {
            ManuallyDrop::drop(&mut self.slot.future)
        }));
        self.slot.draining = ManuallyDrop::new(None);
        dropped.err()
    }

    /// Ends the task with `output`, unless groups it dropped still have
    /// live children: then it keeps the output and the task's count-out
    /// and waits.
    ///
    /// # Safety
    ///
    /// `done` is set and the slot holds the (empty) draining state.
    unsafe fn finish(
        &mut self,
        meta: &TaskMeta,
        output: Result<F::Output, Panic>,
        cx: &Context<'_>,
    ) -> Poll<TaskOutput<F::Output>> {
        let output = TaskOutput::new(output);
        if !meta.is_draining() {
            return Poll::Ready(output);
        }
        let mut signals = meta.shared.drains.take(meta);
        if drain::poll_drained(&mut signals, cx).is_ready() {
            return Poll::Ready(output);
        }
        let releases = drain::take_deferred();
        // SAFETY: the caller's contract: the slot holds the draining state.
        let draining = unsafe { &mut self.slot.draining };
        **draining = Some(Box::new(Draining {
            output,
            signals,
            releases,
        }));
        Poll::Pending
    }
}

impl<F: Future> Harness<F> {
    /// A poll after the future is gone: the task waits for groups it
    /// dropped to drain, or was polled after it completed.
    #[cold]
    #[inline(never)]
    fn poll_draining(&mut self, cx: &Context<'_>) -> Poll<TaskOutput<F::Output>> {
        // SAFETY: `done` is set (the caller checked), so the slot holds the
        // draining state.
        let draining = unsafe { &mut *self.slot.draining };
        let Some(state) = draining else {
            // Only reachable if the task was polled after it completed.
            return Poll::Ready(TaskOutput::new(Err(cancelled())));
        };
        if drain::poll_drained(&mut state.signals, cx).is_pending() {
            return Poll::Pending;
        }
        let state = draining.take().expect("checked above");
        let Draining {
            output, releases, ..
        } = *state;
        drain::defer_all(releases);
        Poll::Ready(output)
    }

    /// Drops the future of a task asked to stop, then ends it.
    #[cold]
    #[inline(never)]
    fn cancel(&mut self, meta: &TaskMeta, cx: &Context<'_>) -> Poll<TaskOutput<F::Output>> {
        // SAFETY: `done` is clear (the caller checked), so the future is
        // alive.
        let output = match unsafe { self.drop_future(meta) } {
            // A panic while cancelling is the task's outcome: the handle
            // reports it rather than a plain cancellation.
            Some(panic) => Err(panic),
            None => Err(cancelled()),
        };
        // SAFETY: `drop_future` set `done` and stored the draining state.
        unsafe { self.finish(meta, output, cx) }
    }

    /// Ends a task whose poll completed with something other than a plain
    /// value: a panic, a cancel request made during the poll, or groups
    /// left draining.
    #[cold]
    #[inline(never)]
    fn complete(
        &mut self,
        meta: &TaskMeta,
        polled: Result<F::Output, Panic>,
        cx: &Context<'_>,
    ) -> Poll<TaskOutput<F::Output>> {
        let output = match polled {
            // Asked to stop during this very poll (by itself, or from
            // another thread) without taking the request through
            // `cancelled()`: the request wins, as a pending cancellation
            // does in asyncio when the coroutine returns, so that a
            // `cancel` that returned true means "cancelled".
            Ok(value) if meta.should_drop_after_completion() => {
                drop(TaskOutput::new(Ok(value)));
                Err(cancelled())
            }
            other => other,
        };
        // The future is dropped here rather than by async-task, so that
        // what its `Drop` leaves behind (more groups, a group child's
        // count-out) is known before the task finishes. A panic there after
        // a value was produced only reaches the panic hook: the task did
        // complete.
        // SAFETY: `done` is still clear (the caller checked), so the future
        // is alive.
        if let Some(panic) = unsafe { self.drop_future(meta) } {
            drop_payload(panic);
        }
        // SAFETY: `drop_future` set `done` and stored the draining state.
        unsafe { self.finish(meta, output, cx) }
    }
}

impl<F: Future> Future for Harness<F> {
    /// Wrapped so that async-task, which drops a detached task's output
    /// inside its abort-on-panic guard, never sees that drop unwind.
    type Output = TaskOutput<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of the future in `slot`: it is never
        // moved out of the pinned harness (it is only dropped in place), and
        // `Harness` has no `Unpin` impl of its own; `meta` is a plain pointer.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see the module invariant.
        let meta = unsafe { &*this.meta };
        if meta.is_done() {
            return this.poll_draining(cx);
        }
        if meta.should_drop() {
            return this.cancel(meta, cx);
        }
        // SAFETY: the future is alive (`done` is clear) and stays where it
        // is until it is dropped in place.
        let future = unsafe { Pin::new_unchecked(&mut *this.slot.future) };
        // Recorded so that a `Task` handle awaited with this task's own
        // waker knows it needs no panic-catching wrapper.
        let waker = cx.waker();
        let polled = awaiter::polling(waker, || catch_unwind(AssertUnwindSafe(|| future.poll(cx))));
        let polled = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            Err(panic) => Err(panic),
        };
        // The common end: no cancel request and no group left draining.
        // The rest of the future (the fields of a hand-written one) is
        // dropped by async-task, in `Drop`, as for any task; a group child's
        // count-out deferred there still runs only after the output is
        // stored.
        if polled.is_ok() && meta.completes_plainly() {
            return Poll::Ready(TaskOutput::new(polled));
        }
        this.complete(meta, polled, cx)
    }
}

impl<F: Future> Drop for Harness<F> {
    fn drop(&mut self) {
        // SAFETY: see the module invariants: the metadata outlives the
        // harness.
        let meta = unsafe { &*self.meta };
        if !meta.is_done() {
            // The task completed plainly (async-task drops the harness
            // before it stores the output), or it is dropped without
            // completing (the runtime is ending and threw the runnable
            // away). Either way no poll comes any more: groups dropped here
            // cannot be waited for.
            meta.mark_done();
            // SAFETY: `done` was clear, so the future is alive; this is the
            // last use of the harness. async-task would abort on a panic
            // here, so it stops here (the panic hook has reported it).
            let dropped = catch_unwind(AssertUnwindSafe(|| unsafe {
                ManuallyDrop::drop(&mut self.slot.future)
            }));
            if let Err(panic) = dropped {
                drop_payload(panic);
            }
            if meta.is_draining() {
                drop(meta.shared.drains.take(meta));
            }
        } else {
            // SAFETY: `done` is set, so the slot holds the draining state.
            unsafe { ManuallyDrop::drop(&mut self.slot.draining) };
        }
        // The future is gone: the registry may let go of the task.
        crate::scheduler::task_finished(meta);
    }
}
