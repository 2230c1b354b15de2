//! Behaviour of `shield`: the inner work outlives a cancelled caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn dropping_the_outer_future_does_not_stop_the_inner_work() {
    corio::run(async {
        let written = Arc::new(AtomicBool::new(false));
        let w = written.clone();
        let caller = corio::spawn(async move {
            corio::shield(async move {
                corio::sleep(ms(300)).await;
                w.store(true, Ordering::SeqCst);
            })
            .await
        });
        corio::sleep(ms(10)).await;
        caller.cancel();
        assert!(caller.await.unwrap_err().is_cancelled());
        assert!(!written.load(Ordering::SeqCst));
        // The inner work finishes on its own, caller gone.
        let start = std::time::Instant::now();
        while !written.load(Ordering::SeqCst) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the inner work never finished"
            );
            corio::sleep(ms(5)).await;
        }
    });
}

#[test]
fn the_result_is_still_available_through_the_handle() {
    corio::run(async {
        let mut shielded = corio::shield(async {
            corio::sleep(ms(300)).await;
            "done"
        });
        assert!(corio::timeout(ms(10), &mut shielded).await.is_err());
        assert!(!shielded.is_done());
        assert_eq!(shielded.await.unwrap(), "done");
    });
}
