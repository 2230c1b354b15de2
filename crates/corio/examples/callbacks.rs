//! `loop.call_soon`, `loop.call_later`, `loop.call_at`, and
//! `call_soon_threadsafe` through a `Handle`.
//!
//! Run with `cargo run --example callbacks`.
#![allow(clippy::print_stdout, reason = "an example prints what it shows")]

use std::time::{Duration, Instant};

#[corio::main]
async fn main() {
    let start = Instant::now();
    corio::call_soon(|| println!("call_soon: runs on the next loop iteration"));
    corio::call_later(Duration::from_millis(20), move || {
        println!("call_later(20 ms): fired after {:?}", start.elapsed())
    });
    corio::call_at(start + Duration::from_millis(10), move || {
        println!("call_at(+10 ms): fired after {:?}", start.elapsed())
    });
    let cancelled = corio::call_later(Duration::from_millis(15), || println!("never printed"));
    cancelled.cancel();

    let handle = corio::Handle::current();
    std::thread::spawn(move || {
        handle.call_soon(|| println!("call_soon_threadsafe: from a plain thread"));
    });

    corio::sleep(Duration::from_millis(40)).await;
}
