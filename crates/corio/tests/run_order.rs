//! On one worker, tasks run in the order they became ready, as in asyncio's
//! FIFO ready queue.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use corio::sync::Event;

fn one_worker<T>(f: impl std::future::Future<Output = T>) -> T {
    corio::Runner::builder().workers(1).build().unwrap().run(f)
}

/// Three tasks woken back to back by one poll run in the order they were
/// woken.
#[test]
fn tasks_woken_by_one_poll_run_in_wake_order() {
    one_worker(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let events: Vec<_> = (0..3).map(|_| Rc::new(Event::new())).collect();
        let mut tasks = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let (order, event) = (order.clone(), event.clone());
            tasks.push(corio::spawn_local(async move {
                event.wait().await;
                order.borrow_mut().push(i);
            }));
        }
        corio::sleep(Duration::from_millis(1)).await;
        let setter = {
            let events = events.clone();
            corio::spawn_local(async move {
                for event in &events {
                    event.set();
                }
            })
        };
        setter.await.unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.borrow(), [0, 1, 2]);
    });
}

/// A task woken by a running task does not overtake one that was already
/// ready.
#[test]
fn a_woken_task_queues_behind_ready_ones() {
    one_worker(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let event = Rc::new(Event::new());
        let waiter = {
            let (order, event) = (order.clone(), event.clone());
            corio::spawn_local(async move {
                event.wait().await;
                order.borrow_mut().push("woken");
            })
        };
        corio::sleep(Duration::from_millis(1)).await;
        let (o1, o2) = (order.clone(), order.clone());
        let setter = corio::spawn_local(async move {
            o1.borrow_mut().push("setter");
            event.set();
        });
        let ready = corio::spawn_local(async move {
            o2.borrow_mut().push("ready");
        });
        // setter and ready are queued in that order; setter wakes the
        // waiter, which goes behind ready.
        setter.await.unwrap();
        ready.await.unwrap();
        waiter.await.unwrap();
        assert_eq!(*order.borrow(), ["setter", "ready", "woken"]);
    });
}

/// Many waiters released at once by one `set` run in arrival order.
#[test]
fn event_waiters_resume_in_arrival_order() {
    one_worker(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let event = Rc::new(Event::new());
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (order, event) = (order.clone(), event.clone());
            tasks.push(corio::spawn_local(async move {
                event.wait().await;
                order.borrow_mut().push(i);
            }));
            corio::yield_now().await;
        }
        let setter = corio::spawn_local(async move { event.set() });
        setter.await.unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.borrow(), (0..50).collect::<Vec<_>>());
    });
}
