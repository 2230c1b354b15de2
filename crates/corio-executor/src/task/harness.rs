//! The wrapper every spawned future runs inside: it turns a panic into a
//! value and marks the task done when the future is dropped.
//!
//! # Invariant
//!
//! `meta` points at the metadata of the task this harness lives in. async-task
//! stores the metadata and the future in one allocation and drops the future
//! (this harness) before it frees the allocation, so the pointer is valid for
//! the harness's whole life.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::meta::TaskMeta;

pub(crate) type Panic = Box<dyn Any + Send + 'static>;

pub(crate) struct Harness<F> {
    future: F,
    meta: *const TaskMeta,
}

// SAFETY: the pointer only refers to `TaskMeta`, which is `Sync`; sending the
// harness to another thread is as safe as sending `F` and a `&TaskMeta`.
unsafe impl<F: Send> Send for Harness<F> {}

impl<F> Harness<F> {
    pub(crate) fn new(future: F, meta: &TaskMeta) -> Harness<F> {
        Harness {
            future,
            meta: meta as *const TaskMeta,
        }
    }
}

impl<F: Future> Future for Harness<F> {
    type Output = Result<F::Output, Panic>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of `future`: it is never moved out of
        // the pinned harness, and `Harness` has no `Unpin` impl of its own.
        let future = unsafe { self.map_unchecked_mut(|h| &mut h.future) };
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

impl<F> Drop for Harness<F> {
    fn drop(&mut self) {
        // SAFETY: see the module invariant: the metadata outlives the harness.
        unsafe { (*self.meta).mark_done() };
    }
}
