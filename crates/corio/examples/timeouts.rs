//! `asyncio.timeout`, `asyncio.wait_for`, and a reschedulable deadline
//! (`async with asyncio.timeout(...) as cm: cm.reschedule(...)`).
//!
//! Run with `cargo run --example timeouts`.
#![allow(clippy::print_stdout, reason = "an example prints what it shows")]

use std::time::{Duration, Instant};

use corio::Deadline;

#[corio::main]
async fn main() {
    // wait_for(slow(), timeout=0.01)
    let slow = corio::sleep(Duration::from_secs(10));
    match corio::timeout(Duration::from_millis(10), slow).await {
        Ok(()) => println!("finished in time"),
        Err(elapsed) => println!("timeout: {elapsed}"),
    }

    // One deadline over several awaits, extended while it runs.
    let deadline = Deadline::after(Duration::from_millis(20));
    let result = deadline
        .run(async {
            for step in 1..=3 {
                corio::sleep(Duration::from_millis(10)).await;
                println!("step {step} done");
                if step == 1 {
                    deadline.reschedule(Some(Instant::now() + Duration::from_millis(50)));
                    println!("deadline extended by 50 ms");
                }
            }
            "all steps"
        })
        .await;
    println!("result: {result:?}, expired: {}", deadline.expired());
}
