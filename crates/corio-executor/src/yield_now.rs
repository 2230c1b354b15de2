//! `yield_now`: let the other tasks run.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives the other tasks a turn; `await asyncio.sleep(0)`.
///
/// The task goes to the back of its worker's queue, behind every task that
/// is ready there now. On a runner with one worker that is every ready task
/// of the program, as in asyncio. With several workers the others run at the
/// same time, so a yield orders nothing against tasks they hold: wait on a
/// task or a synchronisation primitive for that.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
///
/// let runner = corio::Runner::builder().workers(1).build()?;
/// runner.run(async {
///     let ran = Arc::new(AtomicBool::new(false));
///     let r = ran.clone();
///     let _task = corio::spawn(async move { r.store(true, Ordering::SeqCst) });
///     corio::yield_now().await; // the spawned task runs first
///     assert!(ran.load(Ordering::SeqCst));
/// });
/// # std::io::Result::Ok(())
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// Future returned by [`yield_now`].
#[must_use = "futures do nothing unless you .await or poll them"]
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
