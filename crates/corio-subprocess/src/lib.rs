//! asyncio's subprocesses and signal handling for corio.
#![deny(unsafe_code)]
