//! Share-nothing serving: one single-worker runner per thread, each with its
//! own `SO_REUSEPORT` listener on one shared port. The kernel spreads the
//! connections over the listeners and each runner serves its own, with its
//! own reactor, so no connection's work ever crosses threads.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use corio::streams::{
    ListenOptions, ServerOptions, StreamReader, StreamWriter, open_connection, start_server_with,
};
use corio::sync::Event;

const THREADS: usize = 2;
const CLIENTS: usize = 64;

/// Echoes each line prefixed with `who` and the serving thread's name.
async fn tagged_echo(
    who: usize,
    mut reader: StreamReader,
    writer: StreamWriter,
) -> std::io::Result<()> {
    let thread = std::thread::current().name().unwrap_or("?").to_owned();
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            return Ok(());
        }
        writer.write(format!("{who} {thread} ").as_bytes());
        writer.write(&line);
        writer.drain().await?;
    }
}

/// Runs a server on its own single-worker runner until `stop` is set.
fn serve_on_own_runner(
    who: usize,
    port: u16,
    bound: mpsc::Sender<u16>,
    stop: Arc<Event>,
) -> std::io::Result<()> {
    let runner = corio::Runner::builder().workers(1).build()?;
    runner.run(async move {
        let options = ServerOptions::new().listen(ListenOptions::new().reuse_port(true));
        let handler = move |r, w| tagged_echo(who, r, w);
        let server = start_server_with(handler, ("127.0.0.1", port), &options).await?;
        let port = server.local_addrs()[0].port().expect("a TCP address");
        bound.send(port).expect("the test waits for every listener");
        stop.wait().await;
        server.close();
        server.wait_closed().await;
        Ok(())
    })
}

#[test]
fn one_runner_per_thread_shares_a_port_through_reuse_port() {
    let stop = Arc::new(Event::new());
    let (bound_tx, bound) = mpsc::channel();
    let spawn = |who: usize, port: u16| {
        let (bound_tx, stop) = (bound_tx.clone(), stop.clone());
        std::thread::Builder::new()
            .name(format!("server-{who}"))
            .spawn(move || {
                serve_on_own_runner(who, port, bound_tx, stop).expect("a server thread failed")
            })
            .unwrap()
    };
    // A server thread that cannot listen panics with the error (printed
    // above this test's own panic), and never reports a port.
    let next_port = || {
        bound
            .recv_timeout(Duration::from_secs(30))
            .expect("no port from a server thread")
    };
    // The first listener picks the port; the others join it.
    let mut threads = vec![spawn(0, 0)];
    let port = next_port();
    threads.extend((1..THREADS).map(|who| spawn(who, port)));
    for _ in 1..THREADS {
        assert_eq!(next_port(), port);
    }

    let runner = corio::Runner::builder().workers(1).build().unwrap();
    let replies = runner.run(async move {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                corio::spawn(async move {
                    let (mut reader, writer) = open_connection("127.0.0.1", port).await?;
                    writer.write(format!("hello {i}\n").as_bytes());
                    writer.drain().await?;
                    let reply = reader.readline().await.map_err(std::io::Error::from)?;
                    writer.close();
                    writer.wait_closed().await?;
                    std::io::Result::Ok(String::from_utf8(reply).unwrap())
                })
            })
            .collect();
        let mut replies = Vec::new();
        for client in clients {
            replies.push(client.await.unwrap().unwrap());
        }
        replies
    });

    let mut served = [0usize; THREADS];
    for (i, reply) in replies.iter().enumerate() {
        let mut words = reply.split(' ');
        let who: usize = words.next().unwrap().parse().unwrap();
        // Each connection was served on the thread of the listener that
        // accepted it: nothing moved between runners.
        assert_eq!(words.next(), Some(format!("server-{who}").as_str()));
        assert_eq!(words.collect::<Vec<_>>().join(" "), format!("hello {i}\n"));
        served[who] += 1;
    }
    // The kernel hashes each connection to a listener: with 64 connections
    // each of two listeners gets some but for a chance of 2^-63.
    assert!(
        served.iter().all(|&n| n > 0),
        "served per thread: {served:?}"
    );

    stop.set();
    for thread in threads {
        thread.join().unwrap();
    }
}
