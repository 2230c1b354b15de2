//! Cooperative yielding for this crate's operations, on any runtime that
//! asks for it.
//!
//! A task that keeps finding its lock free, its semaphore open or its queue
//! full could loop forever without returning `Pending`, and on a
//! single-threaded loop nothing else would run. Runtimes avoid that with a
//! budget: each operation spends one unit, and when the budget is gone the
//! operation wakes its task and returns `Pending` once, so the task yields.
//!
//! This crate depends on no runtime, so the runtime lends it its budget
//! through [`install`]: corio's runtime does so when it starts. Without an
//! installed budget (a program that never starts corio's runtime) every
//! operation proceeds at once, as before. Operations spend the budget only
//! before they take or queue for anything: a task never yields while it
//! holds a permit, a lock or a place in a wait queue that others depend on.

use std::sync::OnceLock;
use std::task::{Context, Poll};

/// A runtime's budget check: `Ready` when the current task may go on,
/// otherwise it has arranged to be woken (usually at once) and returns
/// `Pending`.
pub type Budget = fn(&mut Context<'_>) -> Poll<()>;

static BUDGET: OnceLock<Budget> = OnceLock::new();

/// Installs the budget check every operation of this crate consults before
/// it takes a resource. The first installation wins; returns whether this
/// one did.
///
/// corio's runtime installs its own when a runner is built, so programs on
/// corio need not call this. The check must be cheap and must treat a thread
/// on which no budget was granted as unconstrained, since the operations also
/// run on other executors' threads.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll};
///
/// // A budget that never runs out (what a runtime without one amounts to).
/// fn unlimited(_cx: &mut Context<'_>) -> Poll<()> {
///     Poll::Ready(())
/// }
/// // The first installation wins: here it is this one.
/// assert!(corio::sync::coop::install(unlimited));
/// assert!(!corio::sync::coop::install(unlimited));
/// ```
pub fn install(budget: Budget) -> bool {
    BUDGET.set(budget).is_ok()
}

/// Spends one unit of the current task's budget, if a runtime installed one.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    match BUDGET.get() {
        Some(budget) => budget(cx),
        None => Poll::Ready(()),
    }
}
