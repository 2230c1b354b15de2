//! TCP sockets: [`TcpListener`] and [`TcpStream`].

mod listener;
mod stream;

pub use listener::{ListenOptions, TcpListener};
pub(crate) use stream::HAPPY_EYEBALLS_DELAY;
pub use stream::TcpStream;
