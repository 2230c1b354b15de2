//! StreamReader: asyncio's limit rules, what stays buffered after each
//! error, and cancel safety of every read.

use std::time::Duration;

use corio::streams::{ReadError, StreamReader, UnixStream};
use futures_lite::io::Cursor;
use futures_lite::{AsyncBufReadExt, AsyncReadExt, StreamExt};

fn reader(data: &[u8], limit: usize) -> StreamReader {
    StreamReader::with_limit(Cursor::new(data.to_vec()), limit)
}

#[test]
fn limit_is_strict_and_excludes_the_separator() {
    corio::run(async {
        let mut r = reader(b"1234567\n", 7);
        assert_eq!(r.readline().await.unwrap(), b"1234567\n");

        let mut r = reader(b"12345678\n", 7);
        let err = r.readline().await.unwrap_err();
        let overrun = err.limit_overrun().expect("a LimitOverrun");
        assert_eq!(overrun.consumed(), 8);
        assert!(overrun.separator_found());
        // readline discarded the line up to and including its separator.
        assert_eq!(r.buffer(), b"");
        assert_eq!(r.readline().await.unwrap(), b"");
        assert!(r.at_eof());
    });
}

#[test]
fn readline_overrun_with_separator_in_buffer_drops_only_that_line() {
    corio::run(async {
        let mut r = reader(b"12345678\nok\n", 7);
        assert!(r.readline().await.unwrap_err().limit_overrun().is_some());
        assert_eq!(r.readline().await.unwrap(), b"ok\n");
    });
}

#[test]
fn readline_overrun_with_separator_ready_drops_through_it() {
    corio::run(async {
        // The separator is beyond what the reader buffers (2 × limit), but
        // the source has it ready: as in asyncio, which would have it
        // buffered, readline drops the long line through its separator.
        let mut r = reader(b"aaaaaaaaaaaaaaaaaaaaaaaa\nnext\n", 4);
        let err = r.readline().await.unwrap_err();
        let overrun = err.limit_overrun().unwrap();
        assert!(!overrun.separator_found());
        assert_eq!(r.readline().await.unwrap(), b"next\n");
        assert_eq!(r.readline().await.unwrap(), b"");
    });
}

#[test]
fn readuntil_overrun_keeps_the_buffer() {
    corio::run(async {
        let mut r = reader(b"12345678\nrest", 7);
        let err = r.readuntil(b"\n").await.unwrap_err();
        let overrun = err.limit_overrun().unwrap();
        assert_eq!(overrun.consumed(), 8);
        assert_eq!(r.buffer(), b"12345678\nrest");
        // The caller recovers by consuming past the data itself.
        assert_eq!(
            r.readexactly(overrun.consumed() + 1).await.unwrap(),
            b"12345678\n"
        );
        let err = r.readuntil(b"\n").await.unwrap_err();
        assert_eq!(err.incomplete().unwrap().partial(), b"rest");
        assert!(r.at_eof());
    });
}

#[test]
fn readuntil_not_found_overrun_reports_bytes_searched() {
    corio::run(async {
        let mut r = reader(b"abcdefghij", 4);
        let err = r.readuntil(b"XY").await.unwrap_err();
        let overrun = err.limit_overrun().unwrap();
        assert!(!overrun.separator_found());
        assert!(overrun.consumed() > 4);
        assert!(r.buffer().starts_with(b"abcd"));
    });
}

#[test]
fn readexactly_is_not_bounded_by_the_limit_and_reports_partial_data() {
    corio::run(async {
        let data: Vec<u8> = (0..100u8).collect();
        let mut r = reader(&data, 4);
        assert_eq!(r.readexactly(60).await.unwrap(), &data[..60]);
        match r.readexactly(50).await {
            Err(ReadError::Incomplete(e)) => {
                assert_eq!(e.partial(), &data[60..]);
                assert_eq!(e.expected(), Some(50));
            }
            other => panic!("expected IncompleteRead, got {other:?}"),
        }
        assert!(r.at_eof());
        let io_err: std::io::Error = r.readexactly(1).await.unwrap_err().into();
        assert_eq!(io_err.kind(), std::io::ErrorKind::UnexpectedEof);
    });
}

#[test]
fn read_n_read_to_end_lines_and_futures_io_traits_share_the_buffer() {
    corio::run(async {
        let mut r = reader(b"one\ntwo\nthree\nfour", 64);
        assert_eq!(r.read(0).await.unwrap(), b"");
        assert_eq!(r.readline().await.unwrap(), b"one\n");
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap(); // AsyncBufRead
        assert_eq!(line, "two\n");
        let mut three = [0; 3];
        r.read_exact(&mut three).await.unwrap(); // AsyncRead
        assert_eq!(&three, b"thr");
        let lines: Vec<_> = StreamReader::lines(&mut r).try_collect().await.unwrap();
        assert_eq!(lines, [b"ee\n".to_vec(), b"four".to_vec()]);
        assert_eq!(r.read_to_end().await.unwrap(), b"");
        assert!(r.at_eof());
    });
}

#[test]
fn empty_separator_is_invalid_input() {
    corio::run(async {
        let mut r = reader(b"abc", 64);
        let err = r.readuntil(b"").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(r.read(10).await.unwrap(), b"abc");
    });
}

#[test]
fn reading_pauses_at_twice_the_limit() {
    corio::run(async {
        let (a, b) = UnixStream::pair().unwrap();
        let mut reader = StreamReader::with_limit(a, 1024);
        let (_r2, writer) = b.into_split();
        // 1 MB with no newline against a reader with limit 1 KiB.
        writer.write(&vec![b'x'; 1 << 20]);
        let _ = reader.readuntil(b"\n").await.unwrap_err();
        assert!(
            reader.buffer().len() <= 2 * 1024,
            "buffered {}",
            reader.buffer().len()
        );
    });
}

#[test]
fn dropped_reads_lose_no_bytes() {
    corio::run(async {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut reader, _w) = a.into_split();
        let (_r, writer) = b.into_split();

        writer.write(b"hel");
        let t = corio::timeout(Duration::from_millis(30), reader.readline()).await;
        assert!(t.is_err(), "readline cannot finish without a newline");
        writer.write(b"lo\nwor");
        assert_eq!(reader.readline().await.unwrap(), b"hello\n");

        let t = corio::timeout(Duration::from_millis(30), reader.readexactly(5)).await;
        assert!(t.is_err());
        let t = corio::timeout(Duration::from_millis(30), reader.readuntil(b"!")).await;
        assert!(t.is_err());
        writer.write(b"ld!!");
        assert_eq!(reader.readexactly(5).await.unwrap(), b"world");
        assert_eq!(reader.readuntil(b"!").await.unwrap(), b"!");
        assert_eq!(reader.read(10).await.unwrap(), b"!");
    });
}
