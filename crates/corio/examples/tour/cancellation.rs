//! Cancellation with asyncio 3.11+'s promises: a cancelled owner waits for
//! its group to drain, cancel counts, a second cancel stopping a hung
//! cleanup, wait_for, TaskGroup::cancel, eager start, and shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::sync::Event;

/// Counts drops.
struct OnDrop(Arc<AtomicUsize>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

pub(crate) async fn section() {
    // An owner in join() over children that have grandchildren, cancelled.
    let dropped = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Event::new());
    let (d, s) = (dropped.clone(), started.clone());
    let owner = corio::spawn(async move {
        let group = corio::TaskGroup::<()>::new();
        for _ in 0..3 {
            let d = d.clone();
            group.spawn(async move {
                let _guard = OnDrop(d.clone());
                let inner = corio::TaskGroup::<()>::new();
                for _ in 0..2 {
                    let guard = OnDrop(d.clone());
                    inner.spawn(async move {
                        let _guard = guard;
                        corio::sleep(Duration::from_secs(3600)).await;
                        Ok(())
                    });
                }
                inner.join().await.unwrap();
                Ok(())
            });
        }
        s.set();
        group.join().await
    });
    started.wait().await;
    corio::yield_now().await;
    owner.cancel();
    let outcome = owner.await;
    println!(
        "   owner cancelled in join(): it resolved ({}) only after all {} children and \
         grandchildren were dropped",
        outcome.unwrap_err(),
        dropped.load(Ordering::SeqCst)
    );

    // cancelling()/uncancel(), and a second cancel that stops a hung cleanup.
    let in_cleanup = Arc::new(Event::new());
    let flag = in_cleanup.clone();
    let stuck = corio::task::Builder::new().name("stuck").spawn(async move {
        corio::task::cancelled().await;
        flag.set();
        std::future::pending::<()>().await; // a cleanup that never ends
    });
    corio::yield_now().await;
    stuck.cancel();
    in_cleanup.wait().await;
    println!(
        "   first cancel: the task runs its async cleanup (cancelling() = {}); a second \
         cancel drops it: {}",
        stuck.cancelling(),
        {
            stuck.cancel();
            (&mut { stuck }).await.unwrap_err()
        }
    );

    // wait_for cancels a timed-out task and returns once it is gone.
    let gone = Arc::new(AtomicUsize::new(0));
    let guard = OnDrop(gone.clone());
    let slow = corio::spawn(async move {
        let _guard = guard;
        corio::sleep(Duration::from_secs(3600)).await;
    });
    let start = Instant::now();
    let result = corio::wait_for(Duration::from_millis(20), slow).await;
    println!(
        "   wait_for: {:?} after {:?}, and the task's Drop had run ({} drop) when it returned",
        result.map(|_| ()),
        start.elapsed(),
        gone.load(Ordering::SeqCst)
    );

    // TaskGroup::cancel stops a group without an error.
    let group = corio::TaskGroup::<()>::new();
    let spawner = group.spawner();
    for _ in 0..4 {
        group.spawn(std::future::pending::<Result<(), ()>>());
    }
    corio::spawn(async move {
        corio::sleep(Duration::from_millis(5)).await;
        spawner.cancel();
    })
    .detach();
    println!(
        "   TaskGroup::cancel from another task: join() is Ok: {}",
        group.join().await.is_ok()
    );

    // Eager start: the first poll runs inside spawn.
    let task = corio::task::Builder::new()
        .eager(true)
        .spawn(async { 6 * 7 });
    println!(
        "   eager start: right after spawn the task is done: {} (value {})",
        task.is_done(),
        task.await.unwrap()
    );
}

/// Shutdown like asyncio.run: tasks in `cancelled()` run their cleanup.
pub(crate) fn shutdown_section() {
    let cleaned = Arc::new(AtomicUsize::new(0));
    let c = cleaned.clone();
    let start = Instant::now();
    corio::run(async move {
        let ready = Arc::new(AtomicUsize::new(0));
        for _ in 0..20 {
            let (c, ready) = (c.clone(), ready.clone());
            corio::spawn(async move {
                let stop = corio::task::cancelled();
                ready.fetch_add(1, Ordering::SeqCst);
                stop.await;
                corio::sleep(Duration::from_millis(5)).await; // async cleanup
                c.fetch_add(1, Ordering::SeqCst);
            })
            .detach();
        }
        while ready.load(Ordering::SeqCst) < 20 {
            corio::yield_now().await;
        }
    });
    println!(
        "   main returned with 20 tasks waiting in task::cancelled(): run() returned after \
         {:?}, once {} of them had finished their async cleanup",
        start.elapsed(),
        cleaned.load(Ordering::SeqCst)
    );
}
