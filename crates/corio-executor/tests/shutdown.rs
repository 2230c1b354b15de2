//! Shutting a runtime down while its tasks are busy on every worker: no
//! hang, no panic, every task's future dropped exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_a_busy_runtime_drops_every_task_once() {
    for round in 0..40u64 {
        let dropped = Arc::new(AtomicUsize::new(0));
        let spawned = Arc::new(AtomicUsize::new(0));
        let runner = corio::Runner::builder().workers(2).build().unwrap();
        {
            let (dropped, spawned) = (dropped.clone(), spawned.clone());
            runner.run(async move {
                for i in 0..200u64 {
                    let guard = Counted(dropped.clone());
                    let spawned2 = spawned.clone();
                    let dropped2 = dropped.clone();
                    spawned.fetch_add(1, Ordering::SeqCst);
                    corio::spawn(async move {
                        let _guard = guard;
                        loop {
                            match i % 4 {
                                0 => corio::yield_now().await,
                                1 => corio::sleep(Duration::from_micros(50 + i)).await,
                                2 => {
                                    // Keep spawning while the runtime shuts down.
                                    spawned2.fetch_add(1, Ordering::SeqCst);
                                    let g = Counted(dropped2.clone());
                                    corio::spawn(async move {
                                        let _g = g;
                                        corio::sleep(Duration::from_millis(5)).await;
                                    })
                                    .detach();
                                    corio::sleep(Duration::from_millis(1)).await;
                                }
                                _ => {
                                    let _ = corio::to_thread(|| {
                                        std::thread::sleep(Duration::from_micros(100))
                                    })
                                    .await;
                                }
                            }
                        }
                    })
                    .detach();
                }
                let local = Counted(dropped.clone());
                spawned.fetch_add(1, Ordering::SeqCst);
                corio::spawn_local(async move {
                    let _local = local;
                    std::future::pending::<()>().await
                })
                .detach();
                corio::sleep(Duration::from_millis(round % 5)).await;
            });
        }
        drop(runner);
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            spawned.load(Ordering::SeqCst),
            "round {round}: every spawned task's future is dropped exactly once"
        );
    }
}
