//! StreamReader's line limit, scenario by scenario after the limit cases of
//! CPython's `test_asyncio/test_streams.py`, plus the same rule over a real
//! socket.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use corio::streams::{StreamReader, UnixStream};
use futures_lite::future;

/// A byte source fed by hand, like asyncio's `feed_data`/`feed_eof`: what
/// was fed is ready at once; with nothing fed the reader waits.
#[derive(Clone, Default)]
struct Feed(Arc<Mutex<FeedState>>);

#[derive(Default)]
struct FeedState {
    data: VecDeque<u8>,
    eof: bool,
    waker: Option<Waker>,
}

impl Feed {
    fn data(&self, bytes: &[u8]) {
        let mut st = self.0.lock().unwrap();
        st.data.extend(bytes);
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }

    fn eof(&self) {
        let mut st = self.0.lock().unwrap();
        st.eof = true;
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }

    fn reader(&self, limit: usize) -> StreamReader {
        StreamReader::with_limit(self.clone(), limit)
    }
}

impl futures_lite::AsyncRead for Feed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut st = self.0.lock().unwrap();
        if st.data.is_empty() {
            if st.eof {
                return Poll::Ready(Ok(0));
            }
            st.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = out.len().min(st.data.len());
        for (dst, src) in out.iter_mut().zip(st.data.drain(..n)) {
            *dst = src;
        }
        Poll::Ready(Ok(n))
    }
}

async fn readline_ok(r: &mut StreamReader) -> Vec<u8> {
    corio::timeout(Duration::from_secs(10), r.readline())
        .await
        .expect("readline finishes")
        .expect("a line")
}

async fn readline_overrun(r: &mut StreamReader) {
    let err = corio::timeout(Duration::from_secs(10), r.readline())
        .await
        .expect("readline finishes")
        .unwrap_err();
    assert!(
        err.limit_overrun().is_some(),
        "expected an overrun: {err:?}"
    );
}

/// Whether `r` has nothing ready: a read would wait.
async fn nothing_ready(r: &mut StreamReader) -> bool {
    r.buffer().is_empty() && future::poll_once(r.read(1)).await.is_none()
}

#[test]
fn test_read_limit() {
    corio::run(async {
        let feed = Feed::default();
        let mut r = feed.reader(3);
        feed.data(b"chunk");
        assert_eq!(r.read(5).await.unwrap(), b"chunk");
        assert!(r.buffer().is_empty());
    });
}

#[test]
fn test_readexactly_limit() {
    corio::run(async {
        let feed = Feed::default();
        let mut r = feed.reader(3);
        feed.data(b"chunk");
        assert_eq!(r.readexactly(5).await.unwrap(), b"chunk");
        assert!(r.buffer().is_empty());
    });
}

#[test]
fn test_invalid_limit() {
    let zero = std::panic::catch_unwind(|| Feed::default().reader(0));
    assert!(zero.is_err(), "a limit of 0 is refused");
}

#[test]
fn test_readline_limit_with_existing_data() {
    corio::run(async {
        // The line's separator is already there: only that line goes.
        let feed = Feed::default();
        let mut r = feed.reader(3);
        feed.data(b"li");
        feed.data(b"ne1\nline2\n");
        readline_overrun(&mut r).await;
        feed.eof();
        assert_eq!(r.read_to_end().await.unwrap(), b"line2\n");

        // No separator yet: everything that arrived is dropped.
        let feed = Feed::default();
        let mut r = feed.reader(3);
        feed.data(b"li");
        feed.data(b"ne1");
        feed.data(b"li");
        readline_overrun(&mut r).await;
        assert!(nothing_ready(&mut r).await);
    });
}

#[test]
fn test_readline_limit() {
    corio::run(async {
        // Fed while readline waits: one over-long line, then end of stream.
        let feed = Feed::default();
        let mut r = feed.reader(7);
        let (result, ()) = future::zip(r.readline(), async {
            corio::yield_now().await;
            feed.data(b"chunk1");
            feed.data(b"chunk2");
            feed.data(b"chunk3\n");
            feed.eof();
        })
        .await;
        assert!(result.unwrap_err().limit_overrun().is_some());
        assert!(r.buffer().is_empty());
        assert_eq!(readline_ok(&mut r).await, b"");
        assert!(r.at_eof());

        // The over-long line ends early; the next line survives.
        let feed = Feed::default();
        let mut r = feed.reader(7);
        let (result, ()) = future::zip(r.readline(), async {
            corio::yield_now().await;
            feed.data(b"chunk1");
            feed.data(b"chunk2\n");
            feed.data(b"chunk3\n");
            feed.eof();
        })
        .await;
        assert!(result.unwrap_err().limit_overrun().is_some());
        assert_eq!(readline_ok(&mut r).await, b"chunk3\n");
        assert_eq!(readline_ok(&mut r).await, b"");

        // The limit is strict and does not count the separator.
        let feed = Feed::default();
        let mut r = feed.reader(7);
        feed.data(b"1234567\n");
        assert_eq!(readline_ok(&mut r).await, b"1234567\n");
        assert!(r.buffer().is_empty());

        feed.data(b"12345678\n");
        readline_overrun(&mut r).await;
        assert!(nothing_ready(&mut r).await);

        feed.data(b"12345678");
        readline_overrun(&mut r).await;
        assert!(nothing_ready(&mut r).await);
    });
}

#[test]
fn test_readline_nolimit_nowait() {
    corio::run(async {
        let data = b"line1\nline2\nline3\n";
        let feed = Feed::default();
        let mut r = feed.reader(64 * 1024);
        feed.data(&data[..6]);
        feed.data(&data[6..]);
        assert_eq!(readline_ok(&mut r).await, b"line1\n");
        assert_eq!(r.buffer(), b"line2\nline3\n");
    });
}

#[test]
fn test_readuntil_limit_found_sep() {
    corio::run(async {
        // asyncio buffers all of b"some dataAA" and reports "not found",
        // then "found" once one more b"A" arrives. This reader stops
        // reading at 2 × limit, so it reports "not found" from a prefix of
        // the data both times, keeps that prefix, and the caller gets past
        // it with readexactly(consumed).
        let feed = Feed::default();
        let mut r = feed.reader(3);
        feed.data(b"some dataAA");
        let err = r.readuntil(b"AAA").await.unwrap_err();
        let overrun = err.limit_overrun().unwrap();
        assert!(!overrun.separator_found());
        let kept = r.buffer().to_vec();
        assert!(b"some dataAA".starts_with(&kept) && kept.len() > 3);

        feed.data(b"A");
        let err = r.readuntil(b"AAA").await.unwrap_err();
        let overrun = err.limit_overrun().unwrap().clone();
        assert_eq!(r.buffer(), kept, "readuntil keeps the buffer");

        assert!(!overrun.separator_found());
        let skipped = r.readexactly(overrun.consumed()).await.unwrap();
        assert_eq!(skipped, &kept[..overrun.consumed()]);
        // Nothing was lost on the way.
        feed.eof();
        let rest = r.read_to_end().await.unwrap();
        assert_eq!([skipped, rest].concat(), b"some dataAAA");
    });
}

/// The scenario over a socket: the peer sent the over-long line and
/// the next one before readline ran.
#[test]
fn readline_limit_discards_through_a_separator_the_peer_already_sent() {
    corio::run(async {
        let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let mut r = StreamReader::with_limit(UnixStream::from_std(ours).unwrap(), 7);
        theirs.write_all(b"chunk1chunk2chunk3\nnext\n").unwrap();
        readline_overrun(&mut r).await;
        assert_eq!(readline_ok(&mut r).await, b"next\n");
        drop(theirs);
        assert_eq!(readline_ok(&mut r).await, b"");
    });
}

/// When the line's end has not been sent yet, readline drops what came and
/// the tail of the line arrives with a later read, as in asyncio.
#[test]
fn readline_limit_without_the_separator_sent_drops_what_arrived() {
    corio::run(async {
        let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let mut r = StreamReader::with_limit(UnixStream::from_std(ours).unwrap(), 7);
        theirs.write_all(b"chunk1chunk2chunk3").unwrap();
        readline_overrun(&mut r).await;
        assert!(nothing_ready(&mut r).await);
        theirs.write_all(b"tail\nnext\n").unwrap();
        assert_eq!(readline_ok(&mut r).await, b"tail\n");
        assert_eq!(readline_ok(&mut r).await, b"next\n");
    });
}

/// A readline cancelled while an over-long line is still arriving loses no
/// bytes: the overrun is reported, and the line dropped, only by a readline
/// that returns.
#[test]
fn cancelled_readline_during_a_long_line_loses_nothing() {
    corio::run(async {
        let feed = Feed::default();
        let mut r = feed.reader(7);
        feed.data(b"abc");
        assert!(future::poll_once(r.readline()).await.is_none());
        assert_eq!(r.buffer(), b"abc");
        feed.data(b"de\n");
        assert_eq!(readline_ok(&mut r).await, b"abcde\n");
    });
}
