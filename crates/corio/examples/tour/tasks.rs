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

    // A pool of its own (run_in_executor with a ThreadPoolExecutor), and a
    // queued call cancelled while the pool is busy: resolved at once.
    let pool = corio::ThreadPool::new(1);
    let busy = pool.spawn_blocking(|| std::thread::sleep(Duration::from_millis(20)));
    let queued = pool.spawn_blocking(|| unreachable!("a cancelled call never runs"));
    queued.cancel();
    let waited = Instant::now();
    let cancelled = queued.await.unwrap_err().is_cancelled();
    println!(
        "   ThreadPool(1) busy: a cancelled queued call resolved in {:?} (cancelled: {cancelled})",
        waited.elapsed()
    );
    busy.await.unwrap();

    // asyncio's sleep(0) is its yield, and so is corio's.
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = ran.clone();
    let other = corio::spawn(async move { r.store(true, std::sync::atomic::Ordering::SeqCst) });
    corio::sleep(Duration::ZERO).await;
    println!(
        "   sleep(0) let a ready task run first: {}",
        ran.load(std::sync::atomic::Ordering::SeqCst)
    );
    other.await.unwrap();
}
