//! A guided run through every capability corio has, one section each,
//! printing what each step shows. Run it with
//! `cargo run --release --example tour`.
#![allow(clippy::print_stdout, reason = "the tour prints what it shows")]

mod callbacks;
mod cancellation;
mod faults;
mod reactor;
mod streams;
mod structured;
mod subprocess;
mod sync;
mod tasks;
mod time;

use std::future::Future;
use std::time::Instant;

fn section<F: Future<Output = ()>>(title: &str, body: F) {
    println!("\n== {title} ==");
    let start = Instant::now();
    corio::run(body);
    println!("   ({title}: {:?})", start.elapsed());
}

fn main() {
    // The tour panics on purpose to show that panics stay inside their task;
    // keep the report of each to one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or("(non-string payload)");
        println!("   [panic hook] a task panicked: {msg}");
    }));
    println!("corio tour: asyncio's model, in Rust");
    section(
        "tasks: create_task, cancel, names, all_tasks",
        tasks::section(),
    );
    section(
        "callbacks: call_soon, call_later, call_at",
        callbacks::section(),
    );
    section("time: sleep, timeout, Deadline, interval", time::section());
    section("blocking work: to_thread", tasks::to_thread_section());
    section("the selector: Async<T> sockets", reactor::section());
    section("locks and queues: corio::sync", sync::section());
    section(
        "structured concurrency: TaskGroup, gather, as_completed",
        structured::section(),
    );
    section(
        "cancellation: draining groups, cancelling(), wait_for, TaskGroup.cancel, eager tasks",
        cancellation::section(),
    );
    println!("\n== shutdown like asyncio.run: async cleanup before run returns ==");
    cancellation::shutdown_section();
    section(
        "streams: open_connection, start_server, readline",
        streams::section(),
    );
    println!("\n== one runner per core: SO_REUSEPORT listeners, nothing shared ==");
    let start = Instant::now();
    streams::per_core_section();
    println!("   (one runner per core: {:?})", start.elapsed());
    section(
        "subprocesses: create_subprocess_exec",
        subprocess::section(),
    );
    println!("\n== resources and faults: teardown gives everything back ==");
    faults::teardown_section();
    section(
        "resources and faults: finished tasks freed, panics contained",
        faults::section(),
    );
    println!("\nend of the tour");
}
