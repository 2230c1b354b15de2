//! Tasks: spawn, names, results, cancellation, panics, to_thread.

use std::time::{Duration, Instant};

use corio::task;

pub(crate) async fn section() {
    let start = Instant::now();
    let tasks: Vec<_> = [30u64, 20, 10]
        .into_iter()
        .map(|ms| {
            task::Builder::new()
                .name(format!("sleep-{ms}"))
                .spawn(async move {
                    corio::sleep(Duration::from_millis(ms)).await;
                    ms
                })
        })
        .collect();
    println!("   spawned {} named tasks; task::all() sees:", tasks.len());
    for info in task::all() {
        println!(
            "     {} {:<10} {:?}",
            info.id(),
            info.name().unwrap_or("-"),
            info.state()
        );
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    println!(
        "   results in spawn order {results:?}, after {:?}: they ran concurrently",
        start.elapsed()
    );

    let forever = corio::spawn(std::future::pending::<()>());
    forever.cancel();
    println!(
        "   cancel(): {}",
        forever.await.map(|_| "finished?").unwrap_err()
    );

    let failed = corio::spawn(async { panic!("bad input") })
        .await
        .unwrap_err();
    println!("   a panic stays in its task: {failed}");
}

pub(crate) async fn to_thread_section() {
    let start = Instant::now();
    let calls: Vec<_> = (0..16)
        .map(|i| {
            corio::to_thread(move || {
                std::thread::sleep(Duration::from_millis(20));
                i
            })
        })
        .collect();
    let mut sum = 0;
    for c in calls {
        sum += c.await.unwrap();
    }
    println!(
        "   16 blocking calls of 20 ms: sum {sum} in {:?} (sequentially 320 ms)",
        start.elapsed()
    );
    let err = corio::to_thread(|| -> () { panic!("disk on fire") })
        .await
        .unwrap_err();
    println!("   a panic inside to_thread comes back as an error: {err}");
}
