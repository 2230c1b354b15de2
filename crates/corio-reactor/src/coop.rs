//! The cooperative budget: how many resource operations a task may complete
//! in one poll before it is made to yield.
//!
//! The executor grants a budget before it polls a task; every I/O operation
//! and timer in this crate spends one unit *before* it takes its resource, so a
//! task never yields while holding something another task is waiting for. A
//! thread that never granted a budget (a foreign executor, a plain
//! `block_on`) is unconstrained.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Operations a task may complete in one poll before it must yield.
pub const DEFAULT_BUDGET: u32 = 128;

/// The value meaning "no budget was granted on this thread".
const UNCONSTRAINED: u32 = u32::MAX;

thread_local! {
    static BUDGET: Cell<u32> = const { Cell::new(UNCONSTRAINED) };
}

/// Grants `budget` operations to the task about to be polled on this thread,
/// returning the previous budget so the caller can restore it.
///
/// Executors call this around each poll; user code does not need it.
///
/// # Examples
///
/// ```
/// use corio::reactor::coop;
///
/// let previous = coop::set_budget(2);
/// assert!(coop::has_budget());
/// coop::set_budget(previous);
/// ```
pub fn set_budget(budget: u32) -> u32 {
    BUDGET.with(|b| b.replace(budget))
}

/// Removes any budget from this thread, returning the previous one.
///
/// # Examples
///
/// ```
/// use corio::reactor::coop;
///
/// let previous = coop::unconstrained();
/// assert!(coop::has_budget());
/// coop::set_budget(previous);
/// ```
pub fn unconstrained() -> u32 {
    set_budget(UNCONSTRAINED)
}

/// Returns whether the current task may still complete an operation.
///
/// # Examples
///
/// ```
/// use corio::reactor::coop;
///
/// let previous = coop::set_budget(0);
/// assert!(!coop::has_budget());
/// coop::set_budget(previous);
/// ```
pub fn has_budget() -> bool {
    BUDGET.with(|b| b.get() != 0)
}

/// Spends one unit of the budget, or, when it is exhausted, schedules the
/// current task to run again and returns `Pending`.
///
/// Call this before taking a resource, never after: a task that yields while
/// holding a resource turns every waiter into a convoy.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use corio::reactor::coop;
///
/// let mut cx = Context::from_waker(Waker::noop());
/// let previous = coop::set_budget(1);
/// assert!(coop::poll_proceed(&mut cx).is_ready());
/// assert!(coop::poll_proceed(&mut cx).is_pending());
/// coop::set_budget(previous);
/// ```
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    BUDGET.with(|b| match b.get() {
        UNCONSTRAINED => Poll::Ready(()),
        0 => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        n => {
            b.set(n - 1);
            Poll::Ready(())
        }
    })
}
