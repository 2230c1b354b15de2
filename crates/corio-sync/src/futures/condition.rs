//! The futures of [`Condition::wait`](crate::Condition::wait) and
//! [`Condition::wait_for`](crate::Condition::wait_for).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{Condition, LockGuard};

enum State<'a, T: ?Sized> {
    /// Holding the lock; not yet listening.
    Start(LockGuard<'a, T>),
    /// Lock released; waiting for a notification in this slot of the
    /// condition's notifier.
    Waiting(usize),
    /// Notified; taking the lock back.
    Relocking(super::Lock<'a, T>),
    Done,
}

/// The future of [`Condition::wait`](crate::Condition::wait): resolves to
/// the lock's guard, taken back after a notification.
///
/// # Cancel safety
///
/// Cancel-safe with respect to other waiters: a notification it received
/// passes on to the next waiter, and the lock is never left held.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let condition = corio::sync::Condition::new(0);
/// let guard = condition.lock().await;
/// let pending: corio::sync::futures::ConditionWait<'_, i32> = condition.wait(guard);
/// let notifier = async {
///     futures_lite::future::yield_now().await;
///     condition.notify(1);
/// };
/// let (guard, ()) = futures_lite::future::zip(pending, notifier).await;
/// assert_eq!(*guard, 0);
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct ConditionWait<'a, T: ?Sized> {
    condition: &'a Condition<T>,
    state: State<'a, T>,
}

impl<'a, T: ?Sized> ConditionWait<'a, T> {
    pub(crate) fn new(condition: &'a Condition<T>, guard: LockGuard<'a, T>) -> Self {
        Self {
            condition,
            state: State::Start(guard),
        }
    }
}

impl<'a, T: ?Sized> Future for ConditionWait<'a, T> {
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Start(_) => {
                    // Register before unlocking: whoever changes the state
                    // next needs the lock, and its notify will find us.
                    let slot = this.condition.notifier.register(cx.waker());
                    this.state = State::Waiting(slot);
                }
                State::Waiting(slot) => {
                    match this.condition.notifier.poll_notified(*slot, cx.waker()) {
                        Poll::Ready(()) => {
                            this.state = State::Relocking(this.condition.lock.lock());
                        }
                        Poll::Pending => return Poll::Pending,
                    }
                }
                State::Relocking(lock) => match Pin::new(lock).poll(cx) {
                    Poll::Ready(guard) => {
                        this.state = State::Done;
                        return Poll::Ready(guard);
                    }
                    Poll::Pending => return Poll::Pending,
                },
                State::Done => panic!("`ConditionWait` polled after it completed"),
            }
        }
    }
}

impl<T: ?Sized> Drop for ConditionWait<'_, T> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Waiting(slot) => self.condition.notifier.cancel(slot),
            State::Relocking(relock) => {
                // Notified, but given up before it had the lock back: the
                // notification goes to the next waiter, as asyncio does
                // (once the lock acquisition is withdrawn).
                drop(relock);
                self.condition.notifier.notify(1);
            }
            State::Start(_) | State::Done => {}
        }
    }
}

impl<T: ?Sized> fmt::Debug for ConditionWait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Start(_) => "start",
            State::Waiting(_) => "waiting",
            State::Relocking(_) => "relocking",
            State::Done => "done",
        };
        f.debug_struct("ConditionWait")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

/// The future of [`Condition::wait_for`](crate::Condition::wait_for):
/// resolves to the lock's guard once the predicate holds.
///
/// # Cancel safety
///
/// Cancel-safe with respect to other waiters, as [`ConditionWait`].
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let condition = corio::sync::Condition::new(3);
/// let guard = condition.lock().await;
/// let ready = condition.wait_for(guard, |n| *n == 3).await;
/// assert_eq!(*ready, 3);
/// # });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct WaitFor<'a, T: ?Sized, F> {
    condition: &'a Condition<T>,
    predicate: F,
    guard: Option<LockGuard<'a, T>>,
    wait: Option<ConditionWait<'a, T>>,
}

impl<'a, T: ?Sized, F> WaitFor<'a, T, F> {
    pub(crate) fn new(condition: &'a Condition<T>, guard: LockGuard<'a, T>, predicate: F) -> Self {
        Self {
            condition,
            predicate,
            guard: Some(guard),
            wait: None,
        }
    }
}

impl<'a, T: ?Sized, F> Future for WaitFor<'a, T, F>
where
    F: FnMut(&mut T) -> bool,
{
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            if let Some(wait) = &mut this.wait {
                match Pin::new(wait).poll(cx) {
                    Poll::Ready(guard) => {
                        this.wait = None;
                        this.guard = Some(guard);
                    }
                    Poll::Pending => return Poll::Pending,
                }
            }
            let mut guard = this
                .guard
                .take()
                .expect("`WaitFor` polled after it completed");
            if (this.predicate)(&mut guard) {
                return Poll::Ready(guard);
            }
            this.wait = Some(ConditionWait::new(this.condition, guard));
        }
    }
}

// `WaitFor` never relies on being pinned: `F` is only called through
// `&mut`, and the other fields are `Unpin`.
impl<T: ?Sized, F> Unpin for WaitFor<'_, T, F> {}

impl<T: ?Sized, F> fmt::Debug for WaitFor<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("waiting", &self.wait.is_some())
            .finish_non_exhaustive()
    }
}
