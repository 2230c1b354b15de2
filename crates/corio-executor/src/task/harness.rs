//! The wrapper every spawned future runs inside: it turns a panic into a
//! value, carries out cancellation, and marks the task done when the future
//! is dropped.
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
//! - The inner future is alive while the metadata's `done` flag is clear:
//!   whoever drops it (a cancelling poll, or `Drop`) sets the flag first (so
//!   it is set even if the future's `Drop` panics) and drops it right after;
//!   nothing touches the future once the flag is set. The
//!   flag doubles as the harness's own state, so the harness adds no byte to
//!   the task.

use std::any::Any;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::meta::TaskMeta;

pub(crate) type Panic = Box<dyn Any + Send + 'static>;

/// The payload of a cancelled task's output (a zero-sized box: no allocation).
struct CancelledMarker;

pub(crate) fn is_cancelled(payload: &Panic) -> bool {
    payload.is::<CancelledMarker>()
}

pub(crate) struct Harness<F> {
    future: ManuallyDrop<F>,
    meta: *const TaskMeta,
}

// SAFETY: the pointer only refers to `TaskMeta`, which is `Sync`; sending the
// harness to another thread is as safe as sending `F` and a `&TaskMeta`.
unsafe impl<F: Send> Send for Harness<F> {}

impl<F> Harness<F> {
    pub(crate) fn new(future: F, meta: &TaskMeta) -> Harness<F> {
        Harness {
            future: ManuallyDrop::new(future),
            meta: meta as *const TaskMeta,
        }
    }
}

impl<F: Future> Future for Harness<F> {
    type Output = Result<F::Output, Panic>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of `future`: it is never moved out of
        // the pinned harness (it is only dropped in place), and `Harness`
        // has no `Unpin` impl of its own; `meta` is a plain pointer.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see the module invariant.
        let meta = unsafe { &*this.meta };
        if meta.is_done() {
            // Only reachable if the task was polled after it completed.
            return Poll::Ready(Err(Box::new(CancelledMarker)));
        }
        if meta.should_drop() {
            // Dropping in place is allowed for pinned data. A panicking
            // `Drop` still leaves the task cancelled.
            meta.mark_done();
            // SAFETY: `done` was clear, so the future is alive; it is never
            // touched again.
            let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
                ManuallyDrop::drop(&mut this.future)
            }));
            return Poll::Ready(Err(Box::new(CancelledMarker)));
        }
        // SAFETY: the future is alive (`done` is clear) and stays where it
        // is until it is dropped in place.
        let future = unsafe { Pin::new_unchecked(&mut *this.future) };
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

impl<F> Drop for Harness<F> {
    fn drop(&mut self) {
        // SAFETY: see the module invariants: the metadata outlives the
        // harness.
        let meta = unsafe { &*self.meta };
        if !meta.is_done() {
            meta.mark_done();
            // SAFETY: `done` was clear, so the future is alive; this is the
            // last use of the harness.
            unsafe { ManuallyDrop::drop(&mut self.future) };
        }
    }
}
