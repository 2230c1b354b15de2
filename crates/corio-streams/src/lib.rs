//! asyncio's streams for corio: sockets, readers, writers and servers.
#![deny(unsafe_code)]
