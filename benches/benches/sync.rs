//! corio-sync against tokio::sync, async-lock and async-channel, on every
//! runtime of the suite.
//!
//! A criterion group is a scenario; a function is `<library>/<runtime>`
//! (`corio-sync/tokio-ct`, `tokio-sync/smol-local`, `async-lock/corio`, …).
//! Each measured iteration runs one whole batch of the scenario; the batch
//! sizes are the `*_OPS` constants below.

use std::future::Future;
use std::hint::black_box;
use std::marker::PhantomData;
use std::sync::Arc;

use corio_benches::{Runtime, RuntimeVisitor, visit_runtimes};
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};

/// Lock/unlock pairs by one task.
const LOCK_UNCONTENDED_OPS: u64 = 100_000;
/// Tasks × lock/unlock pairs each, all on one lock.
const LOCK_CONTENDED_TASKS: u64 = 1_000;
const LOCK_CONTENDED_EACH: u64 = 1_000;
/// Tasks × acquisitions each, on a semaphore of 10 permits.
const SEMAPHORE_TASKS: u64 = 1_000;
const SEMAPHORE_EACH: u64 = 100;
/// Items through the queue per batch.
const QUEUE_ITEMS: u64 = 1_000_000;
/// Round trips over two queues per batch.
const PING_PONG_OPS: u64 = 100_000;
/// Oneshot channels per batch, each sent on by a task spawned for it.
const ONESHOT_OPS: u64 = 100_000;

/// The operations a scenario needs from a library.
trait Lib: 'static {
    const NAME: &'static str;
    type Mutex: Send + Sync + 'static;
    type Semaphore: Send + Sync + 'static;
    type Tx: Clone + Send + Sync + 'static;
    type Rx: Clone + Send + Sync + 'static;
    type OnceTx: Send + 'static;
    type OnceRx: Send + 'static;

    fn mutex() -> Self::Mutex;
    fn with_lock(m: &Self::Mutex) -> impl Future<Output = ()> + Send;
    fn semaphore(permits: usize) -> Self::Semaphore;
    fn with_permit(s: &Self::Semaphore) -> impl Future<Output = ()> + Send;
    /// `capacity` 0 means unbounded.
    fn queue(capacity: usize) -> (Self::Tx, Self::Rx);
    fn put(tx: &Self::Tx, item: u64) -> impl Future<Output = ()> + Send;
    fn get(rx: &Self::Rx) -> impl Future<Output = u64> + Send;
    fn oneshot() -> (Self::OnceTx, Self::OnceRx);
    fn send_once(tx: Self::OnceTx, item: u64);
    fn recv_once(rx: Self::OnceRx) -> impl Future<Output = u64> + Send;
}

struct CorioSync;
impl Lib for CorioSync {
    const NAME: &'static str = "corio-sync";
    type Mutex = corio_sync::Lock<u64>;
    type Semaphore = corio_sync::Semaphore;
    type Tx = corio_sync::Queue<u64>;
    type Rx = corio_sync::Queue<u64>;
    type OnceTx = corio_sync::Sender<u64>;
    type OnceRx = corio_sync::Receiver<u64>;

    fn mutex() -> Self::Mutex {
        corio_sync::Lock::new(0)
    }
    async fn with_lock(m: &Self::Mutex) {
        *m.lock().await += 1;
    }
    fn semaphore(permits: usize) -> Self::Semaphore {
        corio_sync::Semaphore::new(permits)
    }
    async fn with_permit(s: &Self::Semaphore) {
        drop(black_box(s.acquire().await));
    }
    fn queue(capacity: usize) -> (Self::Tx, Self::Rx) {
        let queue = corio_sync::Queue::new(capacity);
        (queue.clone(), queue)
    }
    async fn put(tx: &Self::Tx, item: u64) {
        tx.put(item).await.unwrap();
    }
    async fn get(rx: &Self::Rx) -> u64 {
        rx.get().await.unwrap()
    }
    fn oneshot() -> (Self::OnceTx, Self::OnceRx) {
        corio_sync::oneshot()
    }
    fn send_once(tx: Self::OnceTx, item: u64) {
        tx.send(item).unwrap();
    }
    async fn recv_once(rx: Self::OnceRx) -> u64 {
        rx.await.unwrap()
    }
}

struct TokioSync;
impl Lib for TokioSync {
    const NAME: &'static str = "tokio-sync";
    type Mutex = tokio::sync::Mutex<u64>;
    type Semaphore = tokio::sync::Semaphore;
    // tokio has no MPMC queue: its mpsc receiver is shared behind a mutex
    // for the multi-consumer rows, as a tokio user would.
    type Tx = TokioTx;
    type OnceTx = tokio::sync::oneshot::Sender<u64>;
    type OnceRx = tokio::sync::oneshot::Receiver<u64>;
    type Rx = Arc<tokio::sync::Mutex<TokioRx>>;

    fn mutex() -> Self::Mutex {
        tokio::sync::Mutex::new(0)
    }
    async fn with_lock(m: &Self::Mutex) {
        *m.lock().await += 1;
    }
    fn semaphore(permits: usize) -> Self::Semaphore {
        tokio::sync::Semaphore::new(permits)
    }
    async fn with_permit(s: &Self::Semaphore) {
        drop(black_box(s.acquire().await.unwrap()));
    }
    fn queue(capacity: usize) -> (Self::Tx, Self::Rx) {
        if capacity == 0 {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            (
                TokioTx::Unbounded(tx),
                Arc::new(tokio::sync::Mutex::new(TokioRx::Unbounded(rx))),
            )
        } else {
            let (tx, rx) = tokio::sync::mpsc::channel(capacity);
            (
                TokioTx::Bounded(tx),
                Arc::new(tokio::sync::Mutex::new(TokioRx::Bounded(rx))),
            )
        }
    }
    async fn put(tx: &Self::Tx, item: u64) {
        match tx {
            TokioTx::Bounded(tx) => tx.send(item).await.unwrap(),
            TokioTx::Unbounded(tx) => tx.send(item).unwrap(),
        }
    }
    async fn get(rx: &Self::Rx) -> u64 {
        match &mut *rx.lock().await {
            TokioRx::Bounded(rx) => rx.recv().await.unwrap(),
            TokioRx::Unbounded(rx) => rx.recv().await.unwrap(),
        }
    }
    fn oneshot() -> (Self::OnceTx, Self::OnceRx) {
        tokio::sync::oneshot::channel()
    }
    fn send_once(tx: Self::OnceTx, item: u64) {
        tx.send(item).unwrap();
    }
    async fn recv_once(rx: Self::OnceRx) -> u64 {
        rx.await.unwrap()
    }
}

#[derive(Clone)]
enum TokioTx {
    Bounded(tokio::sync::mpsc::Sender<u64>),
    Unbounded(tokio::sync::mpsc::UnboundedSender<u64>),
}

enum TokioRx {
    Bounded(tokio::sync::mpsc::Receiver<u64>),
    Unbounded(tokio::sync::mpsc::UnboundedReceiver<u64>),
}

/// smol's primitives: async-lock for locks, async-channel for queues.
struct AsyncLock;
impl Lib for AsyncLock {
    const NAME: &'static str = "async-lock";
    type Mutex = async_lock::Mutex<u64>;
    type Semaphore = async_lock::Semaphore;
    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;
    // smol has no oneshot channel of its own: a channel of capacity 1.
    type OnceTx = async_channel::Sender<u64>;
    type OnceRx = async_channel::Receiver<u64>;

    fn mutex() -> Self::Mutex {
        async_lock::Mutex::new(0)
    }
    async fn with_lock(m: &Self::Mutex) {
        *m.lock().await += 1;
    }
    fn semaphore(permits: usize) -> Self::Semaphore {
        async_lock::Semaphore::new(permits)
    }
    async fn with_permit(s: &Self::Semaphore) {
        drop(black_box(s.acquire().await));
    }
    fn queue(capacity: usize) -> (Self::Tx, Self::Rx) {
        if capacity == 0 {
            async_channel::unbounded()
        } else {
            async_channel::bounded(capacity)
        }
    }
    async fn put(tx: &Self::Tx, item: u64) {
        tx.send(item).await.unwrap();
    }
    async fn get(rx: &Self::Rx) -> u64 {
        rx.recv().await.unwrap()
    }
    fn oneshot() -> (Self::OnceTx, Self::OnceRx) {
        async_channel::bounded(1)
    }
    fn send_once(tx: Self::OnceTx, item: u64) {
        tx.try_send(item).unwrap();
    }
    async fn recv_once(rx: Self::OnceRx) -> u64 {
        rx.recv().await.unwrap()
    }
}

/// One scenario, written once for every library and runtime.
trait SyncScenario {
    const NAME: &'static str;
    const OPS: u64;
    fn run<L: Lib, R: Runtime>(runtime: &R);
}

struct LockUncontended;
impl SyncScenario for LockUncontended {
    const NAME: &'static str = "sync_lock_uncontended";
    const OPS: u64 = LOCK_UNCONTENDED_OPS;
    fn run<L: Lib, R: Runtime>(runtime: &R) {
        runtime.run_in_task(async {
            let m = L::mutex();
            for _ in 0..LOCK_UNCONTENDED_OPS {
                L::with_lock(&m).await;
            }
        });
    }
}

struct LockContended;
impl SyncScenario for LockContended {
    const NAME: &'static str = "sync_lock_contended";
    const OPS: u64 = LOCK_CONTENDED_TASKS * LOCK_CONTENDED_EACH;
    fn run<L: Lib, R: Runtime>(runtime: &R) {
        runtime.run_in_task(async {
            let m = Arc::new(L::mutex());
            let tasks: Vec<_> = (0..LOCK_CONTENDED_TASKS)
                .map(|_| {
                    let m = m.clone();
                    R::spawn(async move {
                        for _ in 0..LOCK_CONTENDED_EACH {
                            L::with_lock(&m).await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await;
            }
        });
    }
}

struct SemaphoreScenario;
impl SyncScenario for SemaphoreScenario {
    const NAME: &'static str = "sync_semaphore";
    const OPS: u64 = SEMAPHORE_TASKS * SEMAPHORE_EACH;
    fn run<L: Lib, R: Runtime>(runtime: &R) {
        runtime.run_in_task(async {
            let s = Arc::new(L::semaphore(10));
            let tasks: Vec<_> = (0..SEMAPHORE_TASKS)
                .map(|_| {
                    let s = s.clone();
                    R::spawn(async move {
                        for _ in 0..SEMAPHORE_EACH {
                            L::with_permit(&s).await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await;
            }
        });
    }
}

/// `P` producers and `C` consumers move `QUEUE_ITEMS` items through one
/// queue of capacity `CAP` (0: unbounded).
struct QueueScenario<const P: u64, const C: u64, const CAP: usize>;
impl<const P: u64, const C: u64, const CAP: usize> SyncScenario for QueueScenario<P, C, CAP> {
    const NAME: &'static str = match (P, CAP) {
        (1, 0) => "sync_queue_spsc_unbounded",
        (1, _) => "sync_queue_spsc_bounded",
        (_, 0) => "sync_queue_mpmc_unbounded",
        _ => "sync_queue_mpmc_bounded",
    };
    const OPS: u64 = QUEUE_ITEMS;
    fn run<L: Lib, R: Runtime>(runtime: &R) {
        runtime.run_in_task(async {
            let (tx, rx) = L::queue(CAP);
            let producers: Vec<_> = (0..P)
                .map(|_| {
                    let tx = tx.clone();
                    R::spawn(async move {
                        for i in 0..QUEUE_ITEMS / P {
                            L::put(&tx, i).await;
                        }
                    })
                })
                .collect();
            let consumers: Vec<_> = (0..C)
                .map(|_| {
                    let rx = rx.clone();
                    R::spawn(async move {
                        let mut sum = 0;
                        for _ in 0..QUEUE_ITEMS / C {
                            sum += L::get(&rx).await;
                        }
                        sum
                    })
                })
                .collect();
            for task in producers {
                task.await;
            }
            for task in consumers {
                black_box(task.await);
            }
        });
    }
}

struct PingPong;
impl SyncScenario for PingPong {
    const NAME: &'static str = "sync_ping_pong";
    const OPS: u64 = PING_PONG_OPS;
    fn run<L: Lib, R: Runtime>(runtime: &R) {
        runtime.run_in_task(async {
            let (ping_tx, ping_rx) = L::queue(1);
            let (pong_tx, pong_rx) = L::queue(1);
            let echo = R::spawn(async move {
                for _ in 0..PING_PONG_OPS {
                    let n = L::get(&ping_rx).await;
                    L::put(&pong_tx, n + 1).await;
                }
            });
            for i in 0..PING_PONG_OPS {
                L::put(&ping_tx, i).await;
                black_box(L::get(&pong_rx).await);
            }
            echo.await;
        });
    }
}

/// A task awaits a oneshot channel that a task spawned for it sends on.
struct Oneshot;
impl SyncScenario for Oneshot {
    const NAME: &'static str = "sync_oneshot";
    const OPS: u64 = ONESHOT_OPS;
    fn run<L: Lib, R: Runtime>(runtime: &R) {
        runtime.run_in_task(async {
            for i in 0..ONESHOT_OPS {
                let (tx, rx) = L::oneshot();
                R::spawn_detached(async move { L::send_once(tx, i) });
                black_box(L::recv_once(rx).await);
            }
        });
    }
}

/// Adds `<library>/<runtime>` functions for scenario `S` to a group.
struct Visitor<'g, 'c, S> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    scenario: PhantomData<S>,
}

impl<S: SyncScenario> RuntimeVisitor for Visitor<'_, '_, S> {
    fn visit<R: Runtime>(&mut self, name: &'static str, start: fn() -> R) {
        let mut runtime: Option<R> = None;
        let mut one = |group: &mut BenchmarkGroup<'_, WallTime>, lib: &str, run: fn(&R)| {
            group.bench_function(format!("{lib}/{name}"), |bencher| {
                let runtime = runtime.get_or_insert_with(start);
                bencher.iter(|| run(runtime));
            });
        };
        one(self.group, CorioSync::NAME, S::run::<CorioSync, R>);
        one(self.group, TokioSync::NAME, S::run::<TokioSync, R>);
        one(self.group, AsyncLock::NAME, S::run::<AsyncLock, R>);
    }
}

fn bench<S: SyncScenario>(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group(S::NAME);
    group.throughput(Throughput::Elements(S::OPS));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    visit_runtimes(&mut Visitor::<S> {
        group: &mut group,
        scenario: PhantomData,
    });
    group.finish();
}

fn main() {
    let mut criterion = corio_benches::criterion();
    bench::<LockUncontended>(&mut criterion);
    bench::<LockContended>(&mut criterion);
    bench::<SemaphoreScenario>(&mut criterion);
    bench::<QueueScenario<1, 1, 1024>>(&mut criterion);
    bench::<QueueScenario<4, 4, 1024>>(&mut criterion);
    bench::<QueueScenario<1, 1, 0>>(&mut criterion);
    bench::<QueueScenario<4, 4, 0>>(&mut criterion);
    bench::<PingPong>(&mut criterion);
    bench::<Oneshot>(&mut criterion);
    criterion.final_summary();
}
