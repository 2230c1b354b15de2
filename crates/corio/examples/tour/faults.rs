//! Resources and faults: runtimes give back what they took, finished tasks
//! are freed at once, and panics in user code (an output's `Drop`, a
//! waker) stay where they were raised.

use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// A value whose `Drop` panics.
struct Grumpy;

impl Drop for Grumpy {
    fn drop(&mut self) {
        panic!("an output panicked in Drop");
    }
}

/// A waker that panics when woken.
struct Faulty;

impl Wake for Faulty {
    fn wake(self: Arc<Self>) {
        panic!("a waker panicked");
    }
}

/// Starts runtimes one after another, each leaving a socket, an accept and
/// a timer behind: the descriptor count stays where it was.
pub(crate) fn teardown_section() {
    let before = open_fds();
    for _ in 0..10 {
        corio::run(async {
            let listener = corio::streams::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            drop(corio::spawn(async move { listener.accept().await }));
            corio::call_later(Duration::from_secs(3600), || {});
            corio::sleep(Duration::from_millis(1)).await;
        });
    }
    println!(
        "   10 runtimes, each ended with an accept and a timer pending: {before} descriptors \
         before, {} after",
        open_fds()
    );
}

pub(crate) async fn section() {
    // A burst of detached tasks: each is freed as it ends.
    let go = Arc::new(corio::sync::Event::new());
    for _ in 0..10_000 {
        let go = go.clone();
        drop(corio::spawn(async move { go.wait().await }));
    }
    let pending = corio::task::all().len();
    go.set();
    corio::sleep(Duration::from_millis(5)).await;
    println!(
        "   10,000 detached tasks: {pending} listed while waiting, {} once they ended",
        corio::task::all().len()
    );

    // A detached task whose output panics when dropped: reported, contained.
    drop(corio::spawn(async { Grumpy }));
    corio::sleep(Duration::from_millis(1)).await;

    // A timer whose waker panics when it fires: the other timers still
    // fire, and the runtime goes on.
    let mut faulty = Box::pin(corio::sleep(Duration::from_millis(1)));
    let waker = Waker::from(Arc::new(Faulty));
    let _ = faulty.as_mut().poll(&mut Context::from_waker(&waker));
    corio::sleep(Duration::from_millis(5)).await;
    println!("   after a panicking output drop and a panicking timer waker: still running");
}
