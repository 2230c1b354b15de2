//! corio::streams: asyncio's open_connection / start_server over loopback.

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

pub(crate) async fn section() {
    let server = start_server(echo, "127.0.0.1:0").await.unwrap();
    let addr = server.local_addrs()[0].clone();
    println!("   start_server(echo, \"127.0.0.1:0\") listening on {addr}");
    let (mut reader, writer) = open_connection("127.0.0.1", addr.port().unwrap())
        .await
        .unwrap();
    for line in ["hello\n", "from corio::streams\n"] {
        writer.write(line.as_bytes());
        writer.drain().await.unwrap();
        let back = reader.readline().await.unwrap();
        println!(
            "   wrote {:?}, readline() gave back {:?}",
            line.trim_end(),
            String::from_utf8_lossy(&back).trim_end()
        );
    }
    writer.write_eof();
    println!(
        "   after write_eof() the server hung up: read() = {:?}",
        reader.read(10).await.unwrap()
    );
    server.close();
    server.wait_closed().await;
    println!(
        "   server.close() + wait_closed(): serving = {}",
        server.is_serving()
    );
}

/// One single-worker runner per thread, each with an `SO_REUSEPORT`
/// listener on one port: the kernel picks a listener per connection and
/// that thread serves it alone (the `per_core_echo` example, in brief).
pub(crate) fn per_core_section() {
    use corio::streams::{ListenOptions, ServerOptions, start_server_with};
    use corio::sync::Event;
    use std::sync::{Arc, mpsc};

    async fn tag(mut reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
        let line = reader.readline().await?;
        let thread = std::thread::current().name().unwrap_or("?").to_owned();
        writer.write(format!("{thread}: ").as_bytes());
        writer.write(&line);
        writer.drain().await
    }

    let stop = Arc::new(Event::new());
    let (bound_tx, bound) = mpsc::channel();
    let mut port = 0;
    let mut threads = Vec::new();
    for i in 0..2 {
        let (stop, bound_tx) = (stop.clone(), bound_tx.clone());
        let thread = std::thread::Builder::new().name(format!("server-{i}"));
        threads.push(
            thread
                .spawn(move || {
                    let runner = corio::Runner::builder().workers(1).build().unwrap();
                    runner.run(async move {
                        let options =
                            ServerOptions::new().listen(ListenOptions::new().reuse_port(true));
                        let server = start_server_with(tag, ("127.0.0.1", port), &options)
                            .await
                            .unwrap();
                        bound_tx
                            .send(server.local_addrs()[0].port().unwrap())
                            .unwrap();
                        stop.wait().await;
                        server.close();
                        server.wait_closed().await;
                    })
                })
                .unwrap(),
        );
        port = bound
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the server thread reports its port");
    }
    println!("   two threads, a one-worker Runner each, both listening on port {port}");
    let replies = corio::run(async move {
        let clients = (0..8).map(|i| async move {
            let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
            writer.write(format!("client {i}\n").as_bytes());
            let reply = reader.readline().await.unwrap();
            String::from_utf8_lossy(&reply).trim_end().to_owned()
        });
        corio::gather(clients).await
    });
    for reply in replies {
        println!("   {reply}");
    }
    stop.set();
    for thread in threads {
        thread.join().unwrap();
    }
}
