//! Happy Eyeballs (RFC 8305): connect to the first address that answers.
//!
//! Addresses are interleaved by family (the resolver's first family first,
//! then alternating), attempts start one `delay` apart or as soon as the
//! running ones have all failed, the first success wins and dropping the
//! other attempts closes their sockets. asyncio does the same in
//! `staggered.staggered_race` with `happy_eyeballs_delay`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use corio_time::Sleep;

use crate::tcp::TcpStream;

type Attempt = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;

/// Orders `addrs` as RFC 8305 section 4 asks: alternate address families,
/// starting with the family of the first address.
pub(crate) fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let Some(first) = addrs.first() else {
        return addrs;
    };
    let first_v6 = first.is_ipv6();
    let (mut same, mut other): (Vec<_>, Vec<_>) =
        addrs.into_iter().partition(|a| a.is_ipv6() == first_v6);
    let mut out = Vec::with_capacity(same.len() + other.len());
    same.reverse();
    other.reverse();
    loop {
        match (same.pop(), other.pop()) {
            (None, None) => break,
            (a, b) => out.extend(a.into_iter().chain(b)),
        }
    }
    out
}

/// Connects to the first of `addrs` that accepts; on failure, every
/// attempt's address and error, in the order they were tried.
pub(crate) async fn connect(
    addrs: Vec<SocketAddr>,
    delay: Duration,
) -> Result<TcpStream, Vec<(SocketAddr, io::Error)>> {
    let addrs = interleave(addrs);
    if let [addr] = addrs[..] {
        // One address: no race to run.
        return TcpStream::connect_addr(addr)
            .await
            .map_err(|e| vec![(addr, e)]);
    }
    let mut running: Vec<(usize, Attempt)> = Vec::new();
    let mut errors: Vec<(usize, SocketAddr, io::Error)> = Vec::new();
    let mut next = 0;
    let mut timer: Option<Pin<Box<Sleep>>> = None;

    let outcome = std::future::poll_fn(|cx| {
        loop {
            if running.is_empty() && next < addrs.len() {
                running.push((next, Box::pin(TcpStream::connect_addr(addrs[next]))));
                next += 1;
                timer = (next < addrs.len()).then(|| Box::pin(corio_time::sleep(delay)));
            }
            let mut i = 0;
            while i < running.len() {
                match running[i].1.as_mut().poll(cx) {
                    Poll::Ready(Ok(stream)) => return Poll::Ready(Some(stream)),
                    Poll::Ready(Err(e)) => {
                        let (index, _) = running.swap_remove(i);
                        errors.push((index, addrs[index], e));
                    }
                    Poll::Pending => i += 1,
                }
            }
            if running.is_empty() {
                if next == addrs.len() {
                    return Poll::Ready(None);
                }
                // Every running attempt failed: start the next one now
                // instead of waiting out the delay (RFC 8305 section 5).
                continue;
            }
            if let Some(t) = timer.as_mut() {
                if t.as_mut().poll(cx).is_ready() {
                    running.push((next, Box::pin(TcpStream::connect_addr(addrs[next]))));
                    next += 1;
                    timer = (next < addrs.len()).then(|| Box::pin(corio_time::sleep(delay)));
                    continue;
                }
            }
            return Poll::Pending;
        }
    })
    .await;
    match outcome {
        Some(stream) => Ok(stream),
        None => {
            errors.sort_by_key(|(index, _, _)| *index);
            Err(errors.into_iter().map(|(_, a, e)| (a, e)).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::interleave;
    use std::net::SocketAddr;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn interleaves_families_starting_with_the_first() {
        let input = addrs(&[
            "[::1]:1",
            "[::2]:1",
            "127.0.0.1:1",
            "127.0.0.2:1",
            "127.0.0.3:1",
        ]);
        let expected = addrs(&[
            "[::1]:1",
            "127.0.0.1:1",
            "[::2]:1",
            "127.0.0.2:1",
            "127.0.0.3:1",
        ]);
        assert_eq!(interleave(input), expected);
        let v4_first = addrs(&["127.0.0.1:1", "[::1]:1"]);
        assert_eq!(interleave(v4_first.clone()), v4_first);
        assert!(interleave(Vec::new()).is_empty());
    }
}
