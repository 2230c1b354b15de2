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
