//! Structured concurrency: a TaskGroup with a failing child, gather, and an
//! as_completed loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_lite::StreamExt;

async fn fetch(name: &'static str, ms: u64) -> &'static str {
    corio::sleep(Duration::from_millis(ms)).await;
    name
}

pub(crate) async fn section() {
    // A TaskGroup: one child fails, so the group cancels the others.
    let start = Instant::now();
    let stopped = Arc::new(AtomicUsize::new(0));
    let group = corio::TaskGroup::<String>::new();
    for name in ["download-a", "download-b"] {
        let stopped = stopped.clone();
        group.spawn_named(name, async move {
            // Counts the child as stopped when its future is dropped.
            struct OnDrop(Arc<AtomicUsize>);
            impl Drop for OnDrop {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let _guard = OnDrop(stopped);
            corio::sleep(Duration::from_secs(10)).await;
            Ok(())
        });
    }
    group.spawn_named("parse", async {
        corio::sleep(Duration::from_millis(20)).await;
        Err::<(), _>("bad header on line 3".to_string())
    });
    match group.join().await {
        Ok(()) => println!("   the group finished without errors"),
        Err(errors) => {
            println!(
                "   TaskGroup: a child failed after {:?}, so the group cancelled its {} \
                 siblings at once instead of waiting 10 s for them",
                start.elapsed(),
                stopped.load(Ordering::SeqCst)
            );
            println!("   join() reported every failure, by child name: {errors}");
        }
    }

    // gather: run several futures at once; the results keep the input order.
    let start = Instant::now();
    let pages = corio::gather([fetch("slow", 30), fetch("medium", 20), fetch("fast", 10)]).await;
    println!(
        "   gather: three fetches of 30, 20 and 10 ms took {:?} in all (they ran at the \
         same time); results in the order asked: {pages:?}",
        start.elapsed()
    );

    // as_completed: handle each result as soon as it is ready.
    let mut finished =
        corio::as_completed([fetch("slow", 30), fetch("medium", 20), fetch("fast", 10)]);
    let mut order = Vec::new();
    while let Some(name) = finished.next().await {
        order.push(name);
    }
    println!("   as_completed: the same fetches came back in the order they finished: {order:?}");
}
