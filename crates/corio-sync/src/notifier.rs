//! The waiting tasks of a [`Condition`](crate::Condition), first come, first
//! notified.
//!
//! Each waiter owns a slot from `register` until `poll_notified` sees it
//! notified or `cancel` withdraws it; `waiting` lists the slots not yet
//! notified, oldest first. `notify(n)` marks the `n` oldest as notified and
//! wakes them once the mutex is released. A waiter dropped after its
//! notification passes it to the next one, so a notification is never lost
//! to a cancelled wait. Slots are reused (see `slab.rs`).

use std::collections::VecDeque;
use std::task::{Poll, Waker};

use crate::primitive::{Mutex, lock};
use crate::slab::Slab;
use crate::wakeups::Wakeups;

pub(crate) struct Notifier {
    queue: Mutex<Queue>,
}

struct Queue {
    waiting: VecDeque<usize>,
    slots: Slab<Slot>,
}

enum Slot {
    Waiting(Waker),
    Notified,
}

impl Notifier {
    pub(crate) fn new() -> Notifier {
        Notifier {
            queue: Mutex::new(Queue {
                waiting: VecDeque::new(),
                slots: Slab::new(),
            }),
        }
    }

    /// Joins the back of the queue; returns the waiter's slot.
    pub(crate) fn register(&self, waker: &Waker) -> usize {
        let mut queue = lock(&self.queue);
        let index = queue.slots.insert(Slot::Waiting(waker.clone()));
        queue.waiting.push_back(index);
        index
    }

    /// Ready (and the slot given back) once the waiter in `index` was
    /// notified; otherwise keeps `waker` for the notification.
    pub(crate) fn poll_notified(&self, index: usize, waker: &Waker) -> Poll<()> {
        let mut queue = lock(&self.queue);
        if let Slot::Waiting(stored) = &mut queue.slots[index] {
            if !stored.will_wake(waker) {
                stored.clone_from(waker);
            }
            return Poll::Pending;
        }
        queue.slots.remove(index);
        Poll::Ready(())
    }

    /// Withdraws the waiter in `index`; a notification it had not taken
    /// yet goes to the next waiter.
    pub(crate) fn cancel(&self, index: usize) {
        let mut queue = lock(&self.queue);
        if let Slot::Waiting(_) = queue.slots.remove(index) {
            if let Some(at) = queue.waiting.iter().position(|&i| i == index) {
                queue.waiting.remove(at);
            }
        } else {
            // Notified but never told: the next waiter gets it.
            let woken = Self::take(&mut queue, 1);
            drop(queue);
            woken.wake();
        }
    }

    /// Notifies the `n` oldest waiters; returns how many there were.
    pub(crate) fn notify(&self, n: usize) -> usize {
        let mut queue = lock(&self.queue);
        if queue.waiting.is_empty() {
            return 0;
        }
        let woken = Self::take(&mut queue, n);
        drop(queue);
        let count = woken.len();
        woken.wake();
        count
    }

    /// Marks up to `n` waiters, oldest first, notified; their wakers.
    fn take(queue: &mut Queue, n: usize) -> Wakeups {
        let mut woken = Wakeups::default();
        for _ in 0..n {
            let Some(index) = queue.waiting.pop_front() else {
                break;
            };
            if let Slot::Waiting(waker) = std::mem::replace(&mut queue.slots[index], Slot::Notified)
            {
                woken.push(waker);
            }
        }
        woken
    }
}
