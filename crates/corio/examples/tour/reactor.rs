//! Async<T>: any file descriptor, non-blocking, driven by epoll.

use std::net::{TcpListener, TcpStream};

use corio::reactor::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

pub(crate) async fn section() {
    let listener = Async::new(TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let addr = listener.get_ref().local_addr().unwrap();
    let server = corio::spawn(async move {
        let (stream, _) = listener.read_with(|l| l.accept()).await.unwrap();
        let mut stream = Async::new(stream).unwrap();
        let mut buf = vec![0; 1 << 20];
        stream.read_exact(&mut buf).await.unwrap();
        stream.write_all(&buf).await.unwrap();
    });
    let mut client = Async::new(TcpStream::connect(addr).unwrap()).unwrap();
    let data: Vec<u8> = (0..1u32 << 20).map(|i| i as u8).collect();
    client.write_all(&data).await.unwrap();
    let mut back = vec![0; data.len()];
    client.read_exact(&mut back).await.unwrap();
    server.await.unwrap();
    println!(
        "   1 MiB echoed over loopback through Async<TcpStream>: intact = {}",
        back == data
    );
}
