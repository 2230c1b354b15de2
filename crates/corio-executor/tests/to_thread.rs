//! The blocking pool: concurrency, panics, cancellation before start.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[test]
fn sixty_four_blocking_calls_run_concurrently_without_blocking_the_loop() {
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    runner.run(async {
        let start = Instant::now();
        let ticks = Arc::new(AtomicUsize::new(0));
        let t = ticks.clone();
        let ticker = corio::spawn(async move {
            loop {
                corio::sleep(Duration::from_millis(5)).await;
                t.fetch_add(1, Ordering::SeqCst);
            }
        });
        let calls: Vec<_> = (0..64)
            .map(|i| {
                corio::to_thread(move || {
                    std::thread::sleep(Duration::from_millis(200));
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for c in calls {
            sum += c.await.unwrap();
        }
        let elapsed = start.elapsed();
        assert_eq!(sum, (0..64).sum());
        // Sequentially this takes 12.8 s.
        assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
        assert!(
            ticks.load(Ordering::SeqCst) >= 5,
            "the loop kept running timers while threads blocked"
        );
        ticker.cancel();
    });
}

#[test]
fn a_panic_in_to_thread_comes_back_as_an_error() {
    corio::run(async {
        let err = corio::to_thread(|| -> u32 { panic!("blocking failure") })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("blocking failure"));
        assert_eq!(corio::to_thread(|| 3).await.unwrap(), 3);
    });
}

#[test]
fn shutdown_joins_the_pool() {
    let finished = Arc::new(AtomicUsize::new(0));
    let f = finished.clone();
    corio::run(async move {
        let f = f.clone();
        corio::to_thread(move || {
            std::thread::sleep(Duration::from_millis(50));
            f.fetch_add(1, Ordering::SeqCst);
        })
        .detach();
        corio::sleep(Duration::from_millis(5)).await;
    });
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "run waited for the call"
    );
}
