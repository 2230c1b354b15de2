//! sleep precision, timeout, Deadline, interval.

use std::time::{Duration, Instant};

use corio::Deadline;
use futures_lite::StreamExt;

pub(crate) async fn section() {
    let mut best = Duration::MAX;
    for _ in 0..20 {
        let start = Instant::now();
        corio::sleep(Duration::from_micros(200)).await;
        best = best.min(start.elapsed());
    }
    println!("   sleep(200 µs) took {best:?} at best: no rounding up to 1 ms");

    let r = corio::timeout(
        Duration::from_millis(5),
        corio::sleep(Duration::from_secs(60)),
    )
    .await;
    println!("   timeout(5 ms, sleep(60 s)) -> {r:?}");

    let deadline = Deadline::after(Duration::from_millis(10));
    let r = deadline
        .run(async {
            corio::sleep(Duration::from_millis(5)).await;
            deadline.reschedule(Some(Instant::now() + Duration::from_millis(30)));
            corio::sleep(Duration::from_millis(15)).await;
            "both sleeps done"
        })
        .await;
    println!("   Deadline rescheduled mid-block -> {r:?}");

    let start = Instant::now();
    let ticks: Vec<_> = corio::time::interval(Duration::from_millis(5))
        .take(4)
        .map(|t| t.duration_since(start).as_millis())
        .collect()
        .await;
    println!("   interval(5 ms) ticked at {ticks:?} ms");
}
