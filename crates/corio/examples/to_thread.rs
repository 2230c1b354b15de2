//! `asyncio.to_thread`: blocking work without blocking the loop.
//!
//! Run with `cargo run --example to_thread`.
#![allow(clippy::print_stdout, reason = "an example prints what it shows")]

use std::time::{Duration, Instant};

#[corio::main]
async fn main() {
    let start = Instant::now();
    // Eight blocking calls of 50 ms each, run concurrently on the pool.
    let calls: Vec<_> = (0..8)
        .map(|i| {
            corio::to_thread(move || {
                std::thread::sleep(Duration::from_millis(50));
                i * i
            })
        })
        .collect();
    // Meanwhile the loop stays responsive.
    corio::sleep(Duration::from_millis(5)).await;
    println!("the loop ran a timer while threads blocked");

    let mut squares = Vec::new();
    for call in calls {
        squares.push(call.await.unwrap());
    }
    println!(
        "squares {squares:?} in {:?} (sequentially: 400 ms)",
        start.elapsed()
    );

    let err = corio::to_thread(|| -> u32 { panic!("corrupt file") })
        .await
        .unwrap_err();
    println!("a panic in to_thread comes back as: {err}");
}
