//! A client for `echo_server`, asyncio's `open_connection` example: sends
//! each argument as a line and prints what comes back. Try it with
//! `cargo run --example echo_client -- 127.0.0.1:8888 hello world`; without
//! arguments it starts its own server on a free port and talks to that
//! (`ECHO_COUNT=n` then sends n numbered lines, quietly: handy under
//! `strace -c -f` to count system calls per round trip).
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use corio::streams::{StreamReader, StreamWriter, open_connection, start_server};

async fn echo(mut reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            return Ok(());
        }
        writer.write(&line);
        writer.drain().await?;
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let target = args.next();
    let mut messages: Vec<String> = args.collect();
    let count: Option<usize> = std::env::var("ECHO_COUNT")
        .ok()
        .and_then(|n| n.parse().ok());
    let quiet = count.is_some();
    if let Some(n) = count {
        messages = (0..n).map(|i| format!("message {i}")).collect();
    } else if messages.is_empty() {
        messages = vec!["Hello World!".to_owned(), "bye".to_owned()];
    }
    corio::run(async move {
        // Without a target, run a server here so the example is self-contained.
        let (host, port, _server) = match target {
            Some(t) => {
                let (host, port) = t.rsplit_once(':').unwrap_or((t.as_str(), "8888"));
                let port = port.parse().map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad port")
                })?;
                (host.to_owned(), port, None)
            }
            None => {
                let server = start_server(echo, "127.0.0.1:0").await?;
                let port = server.local_addrs()[0].port().unwrap_or(0);
                ("127.0.0.1".to_owned(), port, Some(server))
            }
        };
        let (mut reader, writer) = open_connection(&host, port).await?;
        println!("connected to {}", writer.peer_addr()?);
        for message in &messages {
            writer.write(format!("{message}\n").as_bytes());
            writer.drain().await?;
            let line = reader.readline().await?;
            if !quiet {
                println!("send: {message}");
                println!("received: {}", String::from_utf8_lossy(&line).trim_end());
            }
        }
        writer.close();
        writer.wait_closed().await
    })
}
