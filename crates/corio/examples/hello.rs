//! `asyncio.run(main())`: the smallest corio program.
//!
//! Run with `cargo run --example hello`.
#![allow(clippy::print_stdout, reason = "an example prints what it shows")]

use std::time::Duration;

async fn greet(name: &str, delay: Duration) -> String {
    corio::sleep(delay).await;
    format!("hello, {name}")
}

fn main() {
    let greeting = corio::run(greet("world", Duration::from_millis(10)));
    println!("{greeting}");
}
