//! A server that finishes its in-flight work before it exits on Ctrl-C or
//! SIGTERM: the production shutdown pattern, with asyncio's
//! `add_signal_handler` as `corio::signal::Signals`.
//!
//! `cargo run --example graceful_shutdown -- --serve` runs until you press
//! Ctrl-C (try `nc 127.0.0.1 8889` and type lines: each is answered after a
//! second of "work"). Without arguments it demonstrates itself: a client
//! sends a request, and while it is being processed the program sends
//! itself SIGTERM; the request still gets its answer, then the server
//! stops.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use std::io;
use std::time::Duration;

use corio::signal::{SIGINT, SIGTERM, Signals};
use corio::streams::{StreamReader, StreamWriter, open_connection, start_server};
use futures_lite::StreamExt;

/// One request per line; each takes a while, like real work.
async fn handle(mut reader: StreamReader, writer: StreamWriter) -> io::Result<()> {
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            break;
        }
        corio::sleep(Duration::from_secs(1)).await;
        writer.write(b"done: ");
        writer.write(&line);
        writer.drain().await?;
    }
    writer.close();
    writer.wait_closed().await
}

/// A client of the demo: one request, sent while the server is up.
async fn demo_client(port: u16) -> io::Result<()> {
    let (mut reader, writer) = open_connection("127.0.0.1", port).await?;
    writer.write(b"resize photo.jpg\n");
    writer.drain().await?;
    // While the request is in flight, ask the whole program to stop, as a
    // service manager would.
    corio::sleep(Duration::from_millis(300)).await;
    println!("client: request sent; sending SIGTERM to this process");
    let pid = std::process::id().to_string();
    corio::subprocess::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await?;
    let answer = reader.readline().await?;
    println!(
        "client: got {:?} after the shutdown began",
        String::from_utf8_lossy(&answer).trim_end()
    );
    writer.close();
    Ok(())
}

fn main() -> io::Result<()> {
    let serve = std::env::args().any(|a| a == "--serve");
    corio::run(async move {
        // Listen before anything can send the signal.
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        let addr = if serve {
            "127.0.0.1:8889"
        } else {
            "127.0.0.1:0"
        };
        let server = start_server(
            |reader, writer| async move {
                if let Err(e) = handle(reader, writer).await {
                    println!("server: a connection failed: {e}");
                }
            },
            addr,
        )
        .await?;
        let port = server.local_addrs()[0].port().unwrap_or(0);
        println!("server: listening on port {port}; Ctrl-C or SIGTERM stops it");
        let client = (!serve).then(|| corio::spawn(demo_client(port)));

        let sig = signals.next().await;
        println!("server: got signal {sig:?}: no new connections, finishing in-flight work");
        server.close();
        // A second signal, or ten seconds, ends the wait for stragglers.
        let drained = corio::timeout(Duration::from_secs(10), async {
            futures_lite::future::or(
                async {
                    server.wait_closed().await;
                    true
                },
                async {
                    signals.next().await;
                    false
                },
            )
            .await
        })
        .await;
        match drained {
            Ok(true) => println!("server: every connection finished; bye"),
            Ok(false) => println!("server: second signal; leaving connections behind"),
            Err(_) => println!("server: connections still open after 10 s; leaving them"),
        }
        if let Some(client) = client {
            client
                .await
                .map_err(|e| io::Error::other(e.to_string()))??;
        }
        Ok(())
    })
}
