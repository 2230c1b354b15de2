//! asyncio's streams for corio: TCP, UDP and Unix sockets, buffered
//! readers and writers, and servers.
//!
//! This crate is `asyncio.streams` plus the socket layer under it:
//!
//! - [`open_connection`] and [`open_unix_connection`] connect and return a
//!   [`StreamReader`] and a [`StreamWriter`]; [`start_server`] and
//!   [`start_unix_server`] run a handler per connection and return a
//!   [`Server`];
//! - [`StreamReader`]: `read`, `readline`, `readexactly`, `readuntil`,
//!   `lines`, with asyncio's line limit and errors ([`IncompleteRead`],
//!   [`LimitOverrun`]); every read is cancel-safe;
//! - [`StreamWriter`]: `write` without waiting, `drain` for flow control,
//!   `write_eof`, `close`, `wait_closed`;
//! - sockets: [`TcpListener`], [`TcpStream`], [`UdpSocket`],
//!   [`UnixListener`], [`UnixStream`], [`UnixDatagram`], implementing the
//!   `futures-io` traits where they apply;
//! - [`lookup_host`]: name resolution on the blocking pool; connecting to a
//!   host name uses Happy Eyeballs (RFC 8305) over every address.
//!
//! Applications use it through the facade, as `corio::streams`.
//!
//! # Examples
//!
//! An echo server and a client, as in asyncio's documentation:
//!
//! ```
//! use corio::streams::{open_connection, start_server, StreamReader, StreamWriter};
//!
//! async fn handle_echo(mut reader: StreamReader, writer: StreamWriter) -> std::io::Result<()> {
//!     let data = reader.read(100).await?;
//!     writer.write(&data);
//!     writer.drain().await?;
//!     writer.close();
//!     writer.wait_closed().await
//! }
//!
//! # corio::run(async {
//! let server = start_server(handle_echo, "127.0.0.1:0").await?;
//! let port = server.local_addrs()[0].port().unwrap();
//!
//! let (mut reader, writer) = open_connection("127.0.0.1", port).await?;
//! writer.write(b"Hello World!");
//! writer.drain().await?;
//! assert_eq!(reader.read(100).await?, b"Hello World!");
//! writer.close();
//! writer.wait_closed().await?;
//! # std::io::Result::Ok(()) }).unwrap();
//! ```
//!
//! # When not to use it
//!
//! For a protocol that parses frames itself from a byte stream, the sockets
//! with `futures-io`'s traits (or [`StreamReader`]'s `AsyncBufRead`) are
//! enough; the reader and writer add a buffer and a line limit on top.
//! Blocking file I/O does not belong here: run it with `corio::to_thread`.
#![deny(unsafe_code)]

mod accept_failures;
mod address;
mod connection;
mod error;
pub mod futures;
mod happy_eyeballs;
mod reader;
mod resolve;
mod server;
mod stream_io;
mod sys;
mod tcp;
mod udp;
mod unix;
mod writer;

pub use address::Address;
pub use connection::{
    ConnectOptions, open_connection, open_connection_with, open_unix_connection,
    open_unix_connection_with,
};
pub use error::{ConnectError, IncompleteRead, LimitOverrun, ReadError};
pub use reader::StreamReader;
#[doc(hidden)]
pub use resolve::TargetAddrs;
pub use resolve::{ToAddrs, lookup_host};
pub use server::{
    HandlerOutput, Server, ServerOptions, start_server, start_server_with, start_unix_server,
    start_unix_server_with,
};
pub use tcp::{ListenOptions, TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};
pub use writer::StreamWriter;
