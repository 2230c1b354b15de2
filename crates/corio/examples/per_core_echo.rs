//! A line echo server laid out share-nothing: one single-worker runner per
//! thread, each with its own `SO_REUSEPORT` listener on the same port. The
//! kernel hands each new connection to one listener, and that thread serves
//! it to the end with its own reactor; threads never exchange work. Try it
//! with `cargo run --release --example per_core_echo -- 127.0.0.1:8888 4`
//! (address, threads; the default is one thread per core) and
//! `nc 127.0.0.1 8888`: each reply names the thread that served it.
//!
//! The default runner (`corio::run`, several workers stealing from each
//! other) balances uneven work by itself; this layout wins when connections
//! are many and alike, as in `docs/benchmarks.md`'s `tcp_echo_64conn`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use std::sync::mpsc;

use corio::streams::{ListenOptions, ServerOptions, StreamReader, StreamWriter, start_server_with};

async fn echo(mut reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
    let thread = std::thread::current().name().unwrap_or("?").to_owned();
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            return Ok(());
        }
        writer.write(format!("[{thread}] ").as_bytes());
        writer.write(&line);
        writer.drain().await?;
    }
}

/// Serves forever on a runner of one worker: this thread only.
fn serve(addr: String, bound: mpsc::Sender<std::io::Result<u16>>) {
    let runner = match corio::Runner::builder().workers(1).build() {
        Ok(runner) => runner,
        Err(e) => return drop(bound.send(Err(e))),
    };
    runner.run(async move {
        let options = ServerOptions::new().listen(ListenOptions::new().reuse_port(true));
        match start_server_with(echo, addr.as_str(), &options).await {
            Ok(server) => {
                let port = server.local_addrs()[0].port().unwrap_or(0);
                let _ = bound.send(Ok(port));
                server.serve_forever().await;
            }
            Err(e) => drop(bound.send(Err(e))),
        }
    });
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8888".to_owned());
    let threads = match args.next() {
        Some(n) => n.parse().map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("threads {n:?}: {e}"),
            )
        })?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let (host, _) = addr.rsplit_once(':').ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("no port in {addr:?}"),
        )
    })?;
    let host = host.to_owned();
    let (bound_tx, bound) = mpsc::channel();
    let mut handles = Vec::new();
    // The first thread binds the address as given (port 0 picks one); the
    // others join the port it got.
    let mut target = addr.clone();
    for i in 0..threads.max(1) {
        let bound_tx = bound_tx.clone();
        let listen_on = target.clone();
        handles.push(
            std::thread::Builder::new()
                .name(format!("server-{i}"))
                .spawn(move || serve(listen_on, bound_tx))?,
        );
        let port = bound
            .recv()
            .map_err(|_| std::io::Error::other(format!("server-{i} ended before listening")))??;
        target = format!("{host}:{port}");
    }
    println!(
        "serving on {target} with {} threads, one runner each",
        handles.len()
    );
    for handle in handles {
        let _ = handle.join();
    }
    Ok(())
}
