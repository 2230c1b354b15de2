//! corio::sync: a producer/consumer queue with join, a rate limiter with a
//! Semaphore, and a Barrier round.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::sync::{Barrier, Lock, Queue, Semaphore};

pub(crate) async fn section() {
    // Producers and consumers around Queue(maxsize=10), with task_done/join.
    let queue = Queue::new(10);
    let total = Arc::new(Lock::new(0u64));
    let mut consumers = Vec::new();
    for _ in 0..3 {
        let queue = queue.clone();
        let total = total.clone();
        consumers.push(corio::spawn(async move {
            while let Ok(item) = queue.get().await {
                *total.lock().await += item;
                queue.task_done().unwrap();
            }
        }));
    }
    for producer in 0..2u64 {
        let queue = queue.clone();
        corio::spawn(async move {
            for i in 0..50 {
                queue.put(producer * 1000 + i).await.unwrap();
            }
        })
        .detach();
    }
    corio::sleep(Duration::from_millis(1)).await;
    queue.join().await;
    println!(
        "   queue: 100 items through Queue(10); join() returned with sum {}",
        *total.lock().await
    );
    queue.shutdown(false);
    for c in consumers {
        c.await.unwrap();
    }

    // At most 3 "requests" at a time with a Semaphore.
    let limit = Arc::new(Semaphore::new(3));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let requests: Vec<_> = (0..12)
        .map(|_| {
            let (limit, in_flight, peak) = (limit.clone(), in_flight.clone(), peak.clone());
            corio::spawn(async move {
                let _permit = limit.acquire().await;
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                corio::sleep(Duration::from_millis(5)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for r in requests {
        r.await.unwrap();
    }
    println!(
        "   semaphore: 12 requests, at most {} at once, {:?} in all",
        peak.load(Ordering::SeqCst),
        start.elapsed()
    );

    // A Barrier round: everyone waits for everyone.
    let barrier = Arc::new(Barrier::new(4));
    let parties: Vec<_> = (0..4u64)
        .map(|i| {
            let barrier = barrier.clone();
            corio::spawn(async move {
                corio::sleep(Duration::from_millis(i * 3)).await;
                barrier.wait().await.unwrap()
            })
        })
        .collect();
    let mut indexes = Vec::new();
    for p in parties {
        indexes.push(p.await.unwrap());
    }
    indexes.sort();
    println!("   barrier: 4 parties released together, arrival indexes {indexes:?}");
}
