//! Where a queue keeps its items: a lock-free FIFO, a stack, or a min-heap.
//!
//! Every store can be closed: after `close`, `push` gives its item back and
//! `pop` still drains what is left. The queues rely on this so that a `put`
//! racing with `shutdown` either lands before the drain or is refused.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use concurrent_queue::ConcurrentQueue;

use crate::primitive::{Mutex, lock};

// One store per queue, inside its `Arc`: boxing the large lock-free variant
// would only add a pointer chase to every push and pop.
#[allow(clippy::large_enum_variant)] // reason: see above
pub(crate) enum Store<T> {
    Fifo(ConcurrentQueue<T>),
    Lifo(Mutex<Locked<Vec<T>>>),
    Heap(Mutex<Locked<Heap<T>>>),
}

/// A store behind a mutex, with its closed flag under the same mutex.
pub(crate) struct Locked<S> {
    items: S,
    closed: bool,
}

/// A min-heap whose `T: Ord` bound is captured in function pointers at
/// construction, so that the queue's code needs no bound of its own.
pub(crate) struct Heap<T> {
    heap: BinaryHeap<Reverse<T>>,
    push: fn(&mut BinaryHeap<Reverse<T>>, T),
    pop: fn(&mut BinaryHeap<Reverse<T>>) -> Option<T>,
}

impl<T> Store<T> {
    /// A first in, first out store; `capacity` 0 means unbounded.
    pub(crate) fn fifo(capacity: usize) -> Self {
        Self::Fifo(if capacity == 0 {
            ConcurrentQueue::unbounded()
        } else {
            ConcurrentQueue::bounded(capacity)
        })
    }

    /// A last in, first out store.
    pub(crate) fn lifo() -> Self {
        Self::Lifo(Mutex::new(Locked {
            items: Vec::new(),
            closed: false,
        }))
    }

    /// A smallest first store.
    pub(crate) fn heap() -> Self
    where
        T: Ord,
    {
        Self::Heap(Mutex::new(Locked {
            items: Heap {
                heap: BinaryHeap::new(),
                push: |heap, item| heap.push(Reverse(item)),
                pop: |heap| heap.pop().map(|Reverse(item)| item),
            },
            closed: false,
        }))
    }

    /// Adds an item; gives it back if the store is closed.
    pub(crate) fn push(&self, item: T) -> Result<(), T> {
        match self {
            Self::Fifo(queue) => queue.push(item).map_err(|e| e.into_inner()),
            Self::Lifo(stack) => {
                let mut stack = lock(stack);
                if stack.closed {
                    return Err(item);
                }
                stack.items.push(item);
                Ok(())
            }
            Self::Heap(heap) => {
                let mut heap = lock(heap);
                if heap.closed {
                    return Err(item);
                }
                let Heap { heap, push, .. } = &mut heap.items;
                push(heap, item);
                Ok(())
            }
        }
    }

    /// Takes the next item, if any.
    pub(crate) fn pop(&self) -> Option<T> {
        match self {
            Self::Fifo(queue) => queue.pop().ok(),
            Self::Lifo(stack) => lock(stack).items.pop(),
            Self::Heap(heap) => {
                let mut heap = lock(heap);
                let Heap { heap, pop, .. } = &mut heap.items;
                pop(heap)
            }
        }
    }

    /// The number of items held.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Fifo(queue) => queue.len(),
            Self::Lifo(stack) => lock(stack).items.len(),
            Self::Heap(heap) => lock(heap).items.heap.len(),
        }
    }

    /// Refuses further pushes.
    pub(crate) fn close(&self) {
        match self {
            Self::Fifo(queue) => {
                queue.close();
            }
            Self::Lifo(stack) => lock(stack).closed = true,
            Self::Heap(heap) => lock(heap).closed = true,
        }
    }
}
