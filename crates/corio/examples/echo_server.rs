//! A line echo server, asyncio's `start_server` example: every line a
//! client sends comes back. Try it with
//! `cargo run --example echo_server -- 127.0.0.1:8888` and `nc 127.0.0.1 8888`;
//! `--once` serves a single connection and exits (for scripted runs).
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use std::sync::Arc;

use corio::streams::{StreamReader, StreamWriter, start_server};
use corio::sync::Event;

async fn handle(mut reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
    let peer = writer.peer_addr()?;
    println!("{peer} connected");
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            break;
        }
        writer.write(&line);
        writer.drain().await?;
    }
    println!("{peer} left");
    writer.close();
    writer.wait_closed().await
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let once = args.iter().any(|a| a == "--once");
    let addr = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8888".to_owned());
    corio::run(async move {
        let done = Arc::new(Event::new());
        let done2 = done.clone();
        let server = start_server(
            move |reader, writer| {
                let done = done2.clone();
                async move {
                    let result = handle(reader, writer).await;
                    done.set();
                    result
                }
            },
            addr.as_str(),
        )
        .await?;
        for a in server.local_addrs() {
            println!("serving on {a}");
        }
        if once {
            done.wait().await;
        } else {
            server.serve_forever().await;
        }
        Ok(())
    })
}
