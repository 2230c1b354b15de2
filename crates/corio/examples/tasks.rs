//! `asyncio.create_task`, `Task.cancel()`, task names and `asyncio.all_tasks()`.
//!
//! Run with `cargo run --example tasks`.
#![allow(clippy::print_stdout, reason = "an example prints what it shows")]

use std::time::{Duration, Instant};

use corio::task;

#[corio::main]
async fn main() {
    let start = Instant::now();
    // create_task(..., name="worker-N"): three workers sleeping concurrently.
    let workers: Vec<_> = [30u64, 20, 10]
        .into_iter()
        .enumerate()
        .map(|(i, ms)| {
            task::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(async move {
                    corio::sleep(Duration::from_millis(ms)).await;
                    ms
                })
        })
        .collect();
    let forever = task::Builder::new()
        .name("forever")
        .spawn(std::future::pending::<()>());

    // all_tasks(): every live task with its name and where it was spawned.
    for info in task::all() {
        println!(
            "live: {} {:?} spawned at {}",
            info.id(),
            info.name().unwrap_or("-"),
            info.location()
        );
    }

    for worker in workers {
        let name = worker.name().unwrap_or("-").to_string();
        println!("{name} slept {} ms", worker.await.unwrap());
    }
    println!("all three took {:?} together, not 60 ms", start.elapsed());

    // Task.cancel(): the future is dropped; awaiting gives Cancelled.
    forever.cancel();
    match forever.await {
        Err(e) if e.is_cancelled() => println!("{e}"),
        other => println!("unexpected: {other:?}"),
    }

    // A panic stays inside its task and comes back as an error.
    let err = corio::spawn(async { panic!("bad data") })
        .await
        .unwrap_err();
    println!("caught: {err}");
}
