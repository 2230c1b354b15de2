//! TCP echo over loopback: corio's sockets against tokio's, async-net (smol)
//! and hand-written loops without a runtime, the floors.
//!
//! Groups are scenarios, functions are runtimes (`corio`, `corio-1w`,
//! `tokio-mt`, `tokio-ct`, `smol`, `smol-local`; with several connections
//! also `corio-per-core`, `tokio-per-core` and `smol-per-core`, see
//! [`PerCore`]; floors `epoll-raw-1w`, `epoll-raw`, `epoll-raw-shared` and
//! `syscalls-1w`, see `raw`). One measured
//! iteration is a batch: connect, then `*_OPS` round trips of 64 bytes, each
//! written by the client and echoed by the server.
//!
//! - `tcp_echo_1conn`: one connection, ping-pong (latency).
//! - `tcp_echo_64conn`: 64 connections at once (throughput).

use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use corio_benches::{Corio, Runtime, SmolLocal, SmolMulti, Tokio, criterion};
use criterion::{Criterion, SamplingMode, Throughput};

const MSG: usize = 64;
/// Round trips per batch on one connection.
const TCP_ECHO_1CONN_OPS: u64 = 5_000;
/// Connections × round trips each per batch.
const TCP_ECHO_64CONN_CONNS: usize = 64;
const TCP_ECHO_64CONN_ROUNDS: usize = 100;
const TCP_ECHO_64CONN_OPS: u64 = (TCP_ECHO_64CONN_CONNS * TCP_ECHO_64CONN_ROUNDS) as u64;

/// The socket operations a runtime brings.
trait Net: Runtime {
    type Listener: Send + Sync + 'static;
    type Stream: Send + 'static;

    fn bind() -> impl Future<Output = Self::Listener> + Send;
    fn addr(listener: &Self::Listener) -> SocketAddr;
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send + '_;
    fn connect(addr: SocketAddr) -> impl Future<Output = Self::Stream> + Send;
    fn read<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = usize> + Send + 'a;
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = ()> + Send + 'a;
}

impl Net for Corio {
    type Listener = corio::streams::TcpListener;
    type Stream = corio::streams::TcpStream;

    async fn bind() -> Self::Listener {
        corio::streams::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
    }
    fn addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().unwrap()
    }
    async fn accept(listener: &Self::Listener) -> Self::Stream {
        listener.accept().await.unwrap().0
    }
    async fn connect(addr: SocketAddr) -> Self::Stream {
        corio::streams::TcpStream::connect(addr).await.unwrap()
    }
    async fn read<'a>(s: &'a mut Self::Stream, buf: &'a mut [u8]) -> usize {
        futures_lite::AsyncReadExt::read(s, buf).await.unwrap_or(0)
    }
    async fn write_all<'a>(s: &'a mut Self::Stream, buf: &'a [u8]) {
        futures_lite::AsyncWriteExt::write_all(s, buf)
            .await
            .unwrap();
    }
}

impl Net for Tokio {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;

    async fn bind() -> Self::Listener {
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
    }
    fn addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().unwrap()
    }
    async fn accept(listener: &Self::Listener) -> Self::Stream {
        let s = listener.accept().await.unwrap().0;
        s.set_nodelay(true).unwrap();
        s
    }
    async fn connect(addr: SocketAddr) -> Self::Stream {
        let s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        s
    }
    async fn read<'a>(s: &'a mut Self::Stream, buf: &'a mut [u8]) -> usize {
        tokio::io::AsyncReadExt::read(s, buf).await.unwrap_or(0)
    }
    async fn write_all<'a>(s: &'a mut Self::Stream, buf: &'a [u8]) {
        tokio::io::AsyncWriteExt::write_all(s, buf).await.unwrap();
    }
}

macro_rules! async_net {
    ($rt:ty) => {
        impl Net for $rt {
            type Listener = async_net::TcpListener;
            type Stream = async_net::TcpStream;

            async fn bind() -> Self::Listener {
                async_net::TcpListener::bind("127.0.0.1:0").await.unwrap()
            }
            fn addr(listener: &Self::Listener) -> SocketAddr {
                listener.local_addr().unwrap()
            }
            async fn accept(listener: &Self::Listener) -> Self::Stream {
                let s = listener.accept().await.unwrap().0;
                s.set_nodelay(true).unwrap();
                s
            }
            async fn connect(addr: SocketAddr) -> Self::Stream {
                let s = async_net::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                s
            }
            async fn read<'a>(s: &'a mut Self::Stream, buf: &'a mut [u8]) -> usize {
                futures_lite::AsyncReadExt::read(s, buf).await.unwrap_or(0)
            }
            async fn write_all<'a>(s: &'a mut Self::Stream, buf: &'a [u8]) {
                futures_lite::AsyncWriteExt::write_all(s, buf)
                    .await
                    .unwrap();
            }
        }
    };
}
async_net!(SmolMulti);
async_net!(SmolLocal);

async fn serve<N: Net>(mut stream: N::Stream) {
    let mut buf = [0u8; 4 * MSG];
    loop {
        let n = N::read(&mut stream, &mut buf).await;
        if n == 0 {
            return;
        }
        N::write_all(&mut stream, &buf[..n]).await;
    }
}

async fn client<N: Net>(addr: SocketAddr, rounds: usize) {
    let mut stream = N::connect(addr).await;
    let msg = [7u8; MSG];
    let mut buf = [0u8; MSG];
    for _ in 0..rounds {
        N::write_all(&mut stream, &msg).await;
        let mut got = 0;
        while got < MSG {
            let n = N::read(&mut stream, &mut buf[got..]).await;
            assert!(n > 0, "the echo server hung up");
            got += n;
        }
    }
}

async fn echo_batch<N: Net>(conns: usize, rounds: usize) {
    let listener = Arc::new(N::bind().await);
    let addr = N::addr(&listener);
    let acceptor = N::spawn(async move {
        for _ in 0..conns {
            let stream = N::accept(&listener).await;
            N::spawn_detached(serve::<N>(stream));
        }
    });
    let clients: Vec<_> = (0..conns)
        .map(|_| N::spawn(client::<N>(addr, rounds)))
        .collect();
    for c in clients {
        c.await;
    }
    acceptor.await;
}

/// Threads sharing nothing: one single-threaded runtime per thread, each
/// serving its own share of the connections through its own listener, the
/// layout of the two-thread `epoll-raw` floor. The bench thread runs the
/// first share; the others run on threads that live as long as this.
struct PerCore<R> {
    own: R,
    jobs: Vec<mpsc::Sender<(usize, usize)>>,
    done: mpsc::Receiver<()>,
    threads: Vec<JoinHandle<()>>,
}

impl<R: Net> PerCore<R> {
    fn start(threads: usize, start: fn() -> R) -> PerCore<R> {
        let (done_tx, done) = mpsc::channel();
        let mut jobs = Vec::new();
        let mut handles = Vec::new();
        for _ in 1..threads {
            let (tx, rx) = mpsc::channel::<(usize, usize)>();
            let done_tx = done_tx.clone();
            handles.push(std::thread::spawn(move || {
                let rt = start();
                for (conns, rounds) in rx {
                    rt.run_in_task(echo_batch::<R>(conns, rounds));
                    done_tx.send(()).expect("the bench thread waits");
                }
            }));
            jobs.push(tx);
        }
        PerCore {
            own: start(),
            jobs,
            done,
            threads: handles,
        }
    }

    fn echo_batch(&self, conns: usize, rounds: usize) {
        let threads = self.jobs.len() + 1;
        for (i, job) in self.jobs.iter().enumerate() {
            let share = conns * (i + 2) / threads - conns * (i + 1) / threads;
            job.send((share, rounds)).expect("the share thread runs");
        }
        self.own
            .run_in_task(echo_batch::<R>(conns / threads, rounds));
        for _ in &self.jobs {
            self.done
                .recv()
                .expect("the share thread finished its batch");
        }
    }
}

impl<R> Drop for PerCore<R> {
    fn drop(&mut self) {
        self.jobs.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The floors: the same echo with no runtime at all.
///
/// `echo_batch` is a hand-written edge-triggered epoll loop. Each thread
/// owns whole connections (both ends in one epoll set), so no message ever
/// crosses threads; each end reads with the buffer the async version uses
/// and stops at a short read or `EAGAIN`, the rule corio and tokio follow
/// too. With one connection only one thread can have work: a loop on more
/// threads would only be slower, so the one-connection floor is one thread.
///
/// `shared_epoll_batch` (`epoll-raw-shared`) is the floor of a runtime whose
/// workers share one reactor: two threads wait on one epoll set holding every
/// end, and each serves the events the kernel hands it, so either thread may
/// serve either end of a connection. A per-end try-lock with a pending flag
/// keeps two threads from serving one end at once without losing an event.
///
/// `syscalls_only` is the kernel's own price of a round trip: one thread
/// calling send and recv on both ends in turn, no readiness wait at all.
mod raw {
    use super::*;
    use std::net::TcpStream;

    fn epoll() -> i32 {
        // SAFETY: epoll_create1 has no memory preconditions.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        assert!(fd >= 0);
        fd
    }

    fn add(ep: i32, fd: i32, token: u64) {
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLET) as u32,
            u64: token,
        };
        // SAFETY: `ev` is a valid epoll_event; `fd` is an open socket.
        let added = unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, fd, &mut ev) };
        assert_eq!(added, 0);
    }

    fn wait(ep: i32, events: &mut [libc::epoll_event]) -> usize {
        loop {
            // SAFETY: `events` is valid for `events.len()` entries.
            let n = unsafe { libc::epoll_wait(ep, events.as_mut_ptr(), events.len() as i32, -1) };
            if n >= 0 {
                return n as usize;
            }
        }
    }

    fn write_all(mut s: &TcpStream, mut buf: &[u8]) {
        while !buf.is_empty() {
            match s.write(buf) {
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::hint::spin_loop(),
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// One read; `None` when the socket has nothing more for now.
    fn read(mut s: &TcpStream, buf: &mut [u8]) -> Option<usize> {
        match s.read(buf) {
            Ok(0) => None,
            Ok(n) => Some(n),
            Err(e) if e.kind() == ErrorKind::WouldBlock => None,
            Err(e) => panic!("{e}"),
        }
    }

    /// `conns` connected pairs `(client, server)`, non-blocking, no delay.
    fn pairs(conns: usize) -> Vec<(TcpStream, TcpStream)> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        (0..conns)
            .map(|_| {
                let client = TcpStream::connect(addr).unwrap();
                let server = listener.accept().unwrap().0;
                for s in [&client, &server] {
                    s.set_nodelay(true).unwrap();
                    s.set_nonblocking(true).unwrap();
                }
                (client, server)
            })
            .collect()
    }

    /// Serves one end after an event: token `2i` is client `i`, `2i + 1`
    /// its server end. `progress` is the client's bytes of the current echo
    /// and its rounds left; returns true when the client's last echo is in.
    fn serve(
        pairs: &[(TcpStream, TcpStream)],
        token: usize,
        progress: &mut (usize, usize),
        buf: &mut [u8; 4 * MSG],
    ) -> bool {
        let (client, server) = &pairs[token / 2];
        if token % 2 == 1 {
            while let Some(n) = read(server, buf) {
                write_all(server, &buf[..n]);
                if n < buf.len() {
                    break;
                }
            }
            return false;
        }
        let (got, left) = progress;
        let mut finished = false;
        loop {
            let want = MSG - *got;
            let Some(n) = read(client, &mut buf[..want]) else {
                break;
            };
            *got += n;
            if *got == MSG {
                *got = 0;
                *left -= 1;
                if *left == 0 {
                    finished = true;
                } else {
                    write_all(client, &[7u8; MSG]);
                }
            }
            if n < want {
                break;
            }
        }
        finished
    }

    /// Echoes `rounds` messages over each pair, on the calling thread.
    fn event_loop(pairs: &[(TcpStream, TcpStream)], rounds: usize) {
        let ep = epoll();
        let msg = [7u8; MSG];
        // Token 2i is client i, 2i + 1 its server end.
        let mut progress = vec![(0, rounds); pairs.len()];
        for (i, (client, server)) in pairs.iter().enumerate() {
            add(ep, client.as_raw_fd(), 2 * i as u64);
            add(ep, server.as_raw_fd(), 2 * i as u64 + 1);
            write_all(client, &msg);
        }
        let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 64];
        let mut active = pairs.len();
        let mut buf = [0u8; 4 * MSG];
        while active > 0 {
            let ready = wait(ep, &mut events);
            for ev in &events[..ready] {
                let token = ev.u64 as usize;
                if serve(pairs, token, &mut progress[token / 2], &mut buf) {
                    active -= 1;
                }
            }
        }
        // SAFETY: `ep` is our epoll descriptor, closed once.
        unsafe { libc::close(ep) };
    }

    /// `conns` connections split over `threads` threads, whole pairs each.
    pub(super) fn echo_batch(conns: usize, rounds: usize, threads: usize) {
        let mut shares: Vec<Vec<(TcpStream, TcpStream)>> =
            (0..threads).map(|_| Vec::new()).collect();
        for (i, pair) in pairs(conns).into_iter().enumerate() {
            shares[i % threads].push(pair);
        }
        let mut shares = shares.into_iter();
        let mine = shares.next().expect("at least one thread");
        let others: Vec<_> = shares
            .map(|share| std::thread::spawn(move || event_loop(&share, rounds)))
            .collect();
        event_loop(&mine, rounds);
        for t in others {
            t.join().unwrap();
        }
    }

    /// Token of the eventfd that tells the shared-epoll threads to stop.
    const DONE: u64 = u64::MAX;

    /// One end of a connection in the shared-epoll floor. The thread that
    /// holds `state` serves the end; an event that finds it held leaves
    /// `pending` set, and the holder serves the end again before it lets go.
    struct End {
        pending: AtomicBool,
        /// A client's bytes of the current echo so far, and rounds left.
        state: Mutex<(usize, usize)>,
    }

    /// `conns` connections, `rounds` round trips each, served by `threads`
    /// threads waiting on one epoll set: each event goes to whichever
    /// thread the kernel wakes, as a runtime whose workers share one reactor
    /// receives them, so a connection's two ends are served on either core.
    pub(super) fn shared_epoll_batch(conns: usize, rounds: usize, threads: usize) {
        let pairs = pairs(conns);
        let ep = epoll();
        // SAFETY: eventfd has no memory preconditions.
        let done = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        assert!(done >= 0);
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: DONE,
        };
        // SAFETY: `ev` is a valid epoll_event; `done` is an open eventfd.
        let added = unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, done, &mut ev) };
        assert_eq!(added, 0);
        let ends: Vec<End> = (0..2 * conns)
            .map(|_| End {
                pending: AtomicBool::new(false),
                state: Mutex::new((0, rounds)),
            })
            .collect();
        let active = AtomicUsize::new(conns);
        let msg = [7u8; MSG];
        for (i, (client, server)) in pairs.iter().enumerate() {
            add(ep, client.as_raw_fd(), 2 * i as u64);
            add(ep, server.as_raw_fd(), 2 * i as u64 + 1);
            write_all(client, &msg);
        }
        let run = || {
            let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 64];
            let mut buf = [0u8; 4 * MSG];
            loop {
                let ready = wait(ep, &mut events);
                for ev in &events[..ready] {
                    if ev.u64 == DONE {
                        return;
                    }
                    let token = ev.u64 as usize;
                    let end = &ends[token];
                    end.pending.store(true, Ordering::SeqCst);
                    while end.pending.load(Ordering::SeqCst) {
                        let Ok(mut state) = end.state.try_lock() else {
                            break;
                        };
                        end.pending.store(false, Ordering::SeqCst);
                        if serve(&pairs, token, &mut state, &mut buf)
                            && active.fetch_sub(1, Ordering::AcqRel) == 1
                        {
                            let one = 1u64.to_ne_bytes();
                            // SAFETY: `one` is 8 readable bytes; `done` is open.
                            let wrote = unsafe { libc::write(done, one.as_ptr().cast(), 8) };
                            assert_eq!(wrote, 8);
                        }
                    }
                }
            }
        };
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(run);
            }
            run();
        });
        // SAFETY: both descriptors are ours, closed once.
        unsafe {
            libc::close(done);
            libc::close(ep);
        }
    }

    /// One connection, `rounds` round trips with bare send/recv calls.
    pub(super) fn syscalls_only(rounds: usize) {
        let pairs = pairs(1);
        let (client, server) = &pairs[0];
        let msg = [7u8; MSG];
        let mut buf = [0u8; 4 * MSG];
        let next = |s: &TcpStream, buf: &mut [u8]| loop {
            if let Some(n) = read(s, buf) {
                return n;
            }
        };
        for _ in 0..rounds {
            write_all(client, &msg);
            let n = next(server, &mut buf);
            write_all(server, &buf[..n]);
            let mut got = 0;
            while got < MSG {
                got += next(client, &mut buf[got..MSG]);
            }
        }
    }
}

fn scenario(c: &mut Criterion, name: &str, ops: u64, conns: usize, rounds: usize) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(ops));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    fn on<R: Net>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        start: impl FnOnce() -> R,
        conns: usize,
        rounds: usize,
    ) {
        let mut runtime = None;
        let mut start = Some(start);
        group.bench_function(name, |b| {
            let rt = runtime.get_or_insert_with(|| (start.take().expect("started once"))());
            b.iter(|| rt.run_in_task(echo_batch::<R>(conns, rounds)));
        });
    }
    on(
        &mut group,
        "corio",
        || Corio::start("corio", 2),
        conns,
        rounds,
    );
    on(
        &mut group,
        "corio-1w",
        || Corio::start("corio-1w", 1),
        conns,
        rounds,
    );
    on(&mut group, "tokio-mt", Tokio::multi_thread, conns, rounds);
    on(&mut group, "tokio-ct", Tokio::current_thread, conns, rounds);
    on(&mut group, "smol", SmolMulti::start, conns, rounds);
    on(&mut group, "smol-local", SmolLocal::start, conns, rounds);
    if conns > 1 {
        fn per_core<R: Net>(
            group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
            name: &str,
            start: fn() -> R,
            conns: usize,
            rounds: usize,
        ) {
            let mut runtimes = None;
            group.bench_function(name, |b| {
                let rts = runtimes.get_or_insert_with(|| PerCore::start(2, start));
                b.iter(|| rts.echo_batch(conns, rounds));
            });
        }
        per_core(
            &mut group,
            "corio-per-core",
            || Corio::start("corio-per-core", 1),
            conns,
            rounds,
        );
        per_core(
            &mut group,
            "tokio-per-core",
            Tokio::current_thread,
            conns,
            rounds,
        );
        per_core(&mut group, "smol-per-core", SmolLocal::start, conns, rounds);
    }
    group.bench_function("epoll-raw-1w", |b| {
        b.iter(|| raw::echo_batch(conns, rounds, 1))
    });
    if conns > 1 {
        group.bench_function("epoll-raw", |b| {
            b.iter(|| raw::echo_batch(conns, rounds, 2))
        });
        group.bench_function("epoll-raw-shared", |b| {
            b.iter(|| raw::shared_epoll_batch(conns, rounds, 2))
        });
    } else {
        group.bench_function("syscalls-1w", |b| b.iter(|| raw::syscalls_only(rounds)));
    }
    group.finish();
}

fn main() {
    let mut c = criterion();
    scenario(
        &mut c,
        "tcp_echo_1conn",
        TCP_ECHO_1CONN_OPS,
        1,
        TCP_ECHO_1CONN_OPS as usize,
    );
    scenario(
        &mut c,
        "tcp_echo_64conn",
        TCP_ECHO_64CONN_OPS,
        TCP_ECHO_64CONN_CONNS,
        TCP_ECHO_64CONN_ROUNDS,
    );
    c.final_summary();
}
