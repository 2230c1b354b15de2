//! The blocking pools: a cancelled queued call resolves at once and never
//! runs, the runtime's pool is configurable, and a `ThreadPool` bounds its
//! own work.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// A call blocked until the returned sender is dropped or sends.
fn blocker() -> (mpsc::Sender<()>, impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel::<()>();
    (tx, move || {
        let _ = rx.recv_timeout(Duration::from_secs(30));
    })
}

#[test]
fn a_cancelled_call_waiting_for_a_thread_resolves_at_once_and_never_runs() {
    let runner = corio::Runner::builder()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    runner.run(async {
        let (release, block) = blocker();
        let busy = corio::to_thread(block);
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let queued = corio::to_thread(move || r.fetch_add(1, Ordering::SeqCst));
        assert!(queued.cancel());
        // The only thread is still busy: the cancelled call must not wait
        // for it.
        let out = corio::timeout(Duration::from_secs(10), queued)
            .await
            .expect("the cancelled call waited for a thread");
        assert!(out.unwrap_err().is_cancelled());
        drop(release);
        busy.await.unwrap();
        // Give a (wrong) late run every chance to show up.
        corio::to_thread(|| ()).await.unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0, "a cancelled call ran");
    });
}

#[test]
fn max_blocking_threads_bounds_the_runtime_pool() {
    let runner = corio::Runner::builder()
        .max_blocking_threads(2)
        .build()
        .unwrap();
    runner.run(async {
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                corio::to_thread(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for call in calls {
            call.await.unwrap();
        }
        assert!(most.load(Ordering::SeqCst) <= 2, "more than 2 threads ran");
        assert!(corio::Handle::current().blocking_threads() <= 2);
    });
}

#[test]
fn a_thread_pool_runs_apart_from_to_thread_and_cancels_queued_calls() {
    corio::run(async {
        let pool = corio::ThreadPool::new(1);
        let (release, block) = blocker();
        let busy = pool.spawn_blocking(block);
        // The runtime's own pool is not taken by the busy ThreadPool.
        assert_eq!(corio::to_thread(|| 7).await.unwrap(), 7);
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let queued = pool.spawn_blocking(move || r.fetch_add(1, Ordering::SeqCst));
        assert!(queued.cancel());
        let out = corio::timeout(Duration::from_secs(10), queued)
            .await
            .expect("the cancelled call waited for the pool's thread");
        assert!(out.unwrap_err().is_cancelled());
        drop(release);
        busy.await.unwrap();
        assert_eq!(pool.spawn_blocking(|| 1).await.unwrap(), 1);
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        assert!(pool.threads() <= 1);
    });
}

#[test]
fn dropping_a_thread_pool_cancels_its_queued_calls() {
    corio::run(async {
        let pool = corio::ThreadPool::new(1);
        let (release, block) = blocker();
        let (started_tx, started) = mpsc::channel();
        let busy = pool.spawn_blocking(move || {
            started_tx.send(()).unwrap();
            block();
        });
        corio::to_thread(move || started.recv_timeout(Duration::from_secs(30)).unwrap())
            .await
            .unwrap();
        let queued = pool.spawn_blocking(|| ());
        drop(pool);
        let out = corio::timeout(Duration::from_secs(10), queued)
            .await
            .expect("a queued call of a dropped pool never resolved");
        assert!(out.unwrap_err().is_cancelled());
        drop(release);
        busy.await.unwrap();
    });
}
