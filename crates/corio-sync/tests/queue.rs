//! `Queue`, `LifoQueue`, `PriorityQueue`: producers and consumers with
//! `join`, FIFO putters, cancel safety of `get`, shutdown (Python 3.13
//! semantics) and a threads stress test.

mod common;

use std::collections::HashSet;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::{poll_now, poll_once, run_all, run_multi_thread};
use corio_sync::{GetNowaitError, LifoQueue, Lock, PriorityQueue, PutNowaitError, Queue, oneshot};

#[test]
fn producers_consumers_process_each_item_once() {
    run_all(|rt| async move {
        let queue = Queue::new(10);
        let seen = Arc::new(Lock::new(Vec::new()));
        let mut producers = Vec::new();
        for p in 0..3 {
            let queue = queue.clone();
            producers.push(rt.spawn(async move {
                for i in 0..100 {
                    queue.put(p * 1000 + i).await.unwrap();
                }
            }));
        }
        let mut consumers = Vec::new();
        for _ in 0..4 {
            let (queue, seen) = (queue.clone(), seen.clone());
            // Consumers loop until the queue is shut down.
            consumers.push(rt.spawn(async move {
                while let Ok(item) = queue.get().await {
                    seen.lock().await.push(item);
                    queue.task_done().unwrap();
                }
            }));
        }
        for producer in producers {
            producer.await;
        }
        queue.join().await;
        queue.shutdown(false);
        for consumer in consumers {
            consumer.await;
        }
        let seen = seen.lock().await.clone();
        assert_eq!(seen.len(), 300, "on {}", rt.name());
        let distinct: HashSet<_> = seen.iter().copied().collect();
        assert_eq!(distinct.len(), 300, "an item was processed twice");
        assert!(queue.is_empty());
    });
}

#[test]
fn blocked_putters_are_admitted_in_arrival_order() {
    run_all(|rt| async move {
        let queue = Queue::new(1);
        queue.put(usize::MAX).await.unwrap();
        let mut putters = Vec::new();
        for i in 0..100 {
            let queue = queue.clone();
            let (queued, is_queued) = oneshot();
            putters.push(rt.spawn(async move {
                let mut putting = pin!(queue.put(i));
                assert!(poll_once(&mut putting).await.is_none());
                queued.send(()).unwrap();
                putting.await.unwrap();
            }));
            is_queued.await.unwrap();
        }
        assert_eq!(queue.get().await, Ok(usize::MAX));
        let mut order = Vec::new();
        for _ in 0..100 {
            order.push(queue.get().await.unwrap());
        }
        assert_eq!(order, (0..100).collect::<Vec<_>>(), "on {}", rt.name());
        for putter in putters {
            putter.await;
        }
    });
}

#[test]
fn blocked_getters_are_served_in_arrival_order() {
    let queue = Queue::unbounded();
    let mut first = pin!(queue.get());
    let mut second = pin!(queue.get());
    assert!(poll_now(&mut first).is_pending());
    assert!(poll_now(&mut second).is_pending());
    queue.put_nowait(1).unwrap();
    // The item is promised to the first getter, whoever is polled first.
    assert!(poll_now(&mut second).is_pending());
    assert!(queue.get_nowait().unwrap_err().is_empty());
    assert_eq!(poll_now(&mut first), Poll::Ready(Ok(1)));
    queue.put_nowait(2).unwrap();
    assert_eq!(poll_now(&mut second), Poll::Ready(Ok(2)));
}

#[test]
fn dropped_pending_get_loses_no_item() {
    let queue = Queue::unbounded();
    let mut first = Box::pin(queue.get());
    let mut second = pin!(queue.get());
    assert!(poll_now(&mut first).is_pending());
    assert!(poll_now(&mut second).is_pending());
    queue.put_nowait("item").unwrap(); // wakes `first`
    drop(first); // cancelled before it ran
    assert_eq!(poll_now(&mut second), Poll::Ready(Ok("item")));
    assert!(queue.is_empty());
}

#[test]
fn dropped_get_on_runtimes_loses_no_item() {
    run_all(|rt| async move {
        let queue = Queue::new(4);
        let (queued, is_queued) = oneshot();
        let cancelled = rt.spawn({
            let queue = queue.clone();
            async move {
                let mut getting = pin!(queue.get());
                assert!(poll_once(&mut getting).await.is_none());
                queued.send(()).unwrap();
            }
        });
        is_queued.await.unwrap();
        cancelled.await;
        queue.put(42).await.unwrap();
        assert_eq!(queue.get().await, Ok(42));
    });
}

#[test]
fn dropped_put_frees_its_turn() {
    let queue = Queue::new(1);
    queue.put_nowait(0).unwrap();
    let mut first = Box::pin(queue.put(1));
    let mut second = pin!(queue.put(2));
    assert!(poll_now(&mut first).is_pending());
    assert!(poll_now(&mut second).is_pending());
    assert_eq!(queue.get_nowait(), Ok(0)); // the slot goes to `first`
    drop(first); // which is cancelled: the slot moves on
    assert_eq!(poll_now(&mut second), Poll::Ready(Ok(())));
    assert_eq!(queue.get_nowait(), Ok(2));
}

#[test]
fn nowait_variants_and_sizes() {
    let queue = Queue::new(2);
    assert!(queue.is_empty());
    queue.put_nowait(1).unwrap();
    queue.put_nowait(2).unwrap();
    assert!(queue.is_full());
    assert_eq!(queue.qsize(), 2);
    let Err(PutNowaitError::Full(full)) = queue.put_nowait(3) else {
        panic!()
    };
    assert_eq!(full.into_inner(), 3);
    assert_eq!(queue.get_nowait(), Ok(1));
    assert_eq!(queue.get_nowait(), Ok(2));
    assert!(matches!(queue.get_nowait(), Err(GetNowaitError::Empty(_))));
    assert_eq!(queue.maxsize(), 2);
}

#[test]
fn task_done_more_than_put_is_an_error() {
    let queue = Queue::unbounded();
    queue.put_nowait(()).unwrap();
    queue.get_nowait().unwrap();
    queue.task_done().unwrap();
    let error = queue.task_done().unwrap_err();
    assert!(error.to_string().contains("more times than items were put"));
    assert_eq!(poll_now(&mut pin!(queue.join())), Poll::Ready(()));
}

#[test]
fn join_waits_for_every_task_done() {
    let queue = Queue::unbounded();
    queue.put_nowait(1).unwrap();
    queue.put_nowait(2).unwrap();
    let mut joining = pin!(queue.join());
    assert!(poll_now(&mut joining).is_pending());
    queue.get_nowait().unwrap();
    queue.task_done().unwrap();
    assert!(poll_now(&mut joining).is_pending());
    queue.get_nowait().unwrap();
    queue.task_done().unwrap();
    assert_eq!(poll_now(&mut joining), Poll::Ready(()));
}

#[test]
fn shutdown_refuses_puts_and_drains_gets() {
    let queue = Queue::new(1);
    queue.put_nowait(1).unwrap();
    let mut blocked_put = pin!(queue.put(2));
    assert!(poll_now(&mut blocked_put).is_pending());
    queue.shutdown(false);
    let Poll::Ready(Err(refused)) = poll_now(&mut blocked_put) else {
        panic!()
    };
    assert_eq!(refused.into_inner(), 2);
    let Err(PutNowaitError::ShutDown(refused)) = queue.put_nowait(3) else {
        panic!()
    };
    assert_eq!(refused.into_inner(), 3);
    // What is left can still be taken, then gets fail.
    assert_eq!(poll_now(&mut pin!(queue.get())), Poll::Ready(Ok(1)));
    assert!(matches!(
        poll_now(&mut pin!(queue.get())),
        Poll::Ready(Err(_))
    ));
    assert!(queue.get_nowait().unwrap_err().is_shutdown());
    assert!(queue.is_shut_down());
}

#[test]
fn shutdown_wakes_blocked_getters() {
    run_all(|rt| async move {
        let queue = Queue::<u8>::unbounded();
        let (queued, is_queued) = oneshot();
        let getter = rt.spawn({
            let queue = queue.clone();
            async move {
                let mut getting = pin!(queue.get());
                assert!(poll_once(&mut getting).await.is_none());
                queued.send(()).unwrap();
                getting.await
            }
        });
        is_queued.await.unwrap();
        queue.shutdown(false);
        assert!(getter.await.is_err(), "on {}", rt.name());
    });
}

#[test]
fn immediate_shutdown_drops_items_and_releases_join() {
    let queue = Queue::unbounded();
    for i in 0..3 {
        queue.put_nowait(i).unwrap();
    }
    queue.get_nowait().unwrap(); // taken, not yet done
    let mut joining = pin!(queue.join());
    assert!(poll_now(&mut joining).is_pending());
    queue.shutdown(true);
    assert!(queue.is_empty());
    assert!(queue.get_nowait().unwrap_err().is_shutdown());
    // The two dropped items count as done; the taken one still needs its
    // task_done.
    assert!(poll_now(&mut joining).is_pending());
    queue.task_done().unwrap();
    assert_eq!(poll_now(&mut joining), Poll::Ready(()));
}

#[test]
fn lifo_and_priority_orders() {
    let stack = LifoQueue::new(3);
    let heap = PriorityQueue::new(3);
    for i in [2, 3, 1] {
        stack.put_nowait(i).unwrap();
        heap.put_nowait(i).unwrap();
    }
    assert!(stack.put_nowait(9).unwrap_err().is_full());
    assert!(heap.put_nowait(9).unwrap_err().is_full());
    let popped: Vec<_> = (0..3).map(|_| stack.get_nowait().unwrap()).collect();
    assert_eq!(popped, [1, 3, 2]);
    let popped: Vec<_> = (0..3).map(|_| heap.get_nowait().unwrap()).collect();
    assert_eq!(popped, [1, 2, 3]);
}

#[test]
fn handles_share_one_queue_and_debug_shows_it() {
    let queue = Queue::new(5);
    let other = queue.clone();
    other.put_nowait('x').unwrap();
    assert_eq!(queue.qsize(), 1);
    let shown = format!("{queue:?}");
    assert!(
        shown.contains("qsize: 1") && shown.contains("maxsize: 5"),
        "{shown}"
    );
}

#[test]
fn threads_stress_exact_count() {
    const THREADS: usize = 4;
    const OPS: usize = 100_000;
    run_multi_thread(|rt| async move {
        let queue = Queue::new(64);
        let total = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..THREADS / 2 {
            let queue = queue.clone();
            tasks.push(rt.spawn(async move {
                for i in 0..OPS {
                    queue.put(i).await.unwrap();
                }
            }));
        }
        for _ in 0..THREADS / 2 {
            let (queue, total) = (queue.clone(), total.clone());
            tasks.push(rt.spawn(async move {
                for _ in 0..OPS {
                    let item = queue.get().await.unwrap();
                    total.fetch_add(item, std::sync::atomic::Ordering::Relaxed);
                    queue.task_done().unwrap();
                }
            }));
        }
        for task in tasks {
            task.await;
        }
        queue.join().await;
        let expected = THREADS / 2 * (OPS * (OPS - 1) / 2);
        assert_eq!(total.load(std::sync::atomic::Ordering::Relaxed), expected);
        assert!(queue.is_empty());
    });
}
