//! Model-based property tests: the three queues against `VecDeque`, `Vec`
//! and `BinaryHeap` under random sequences of non-blocking operations.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use corio_sync::{LifoQueue, PriorityQueue, Queue};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Put(u8),
    Get,
    TaskDone,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<u8>().prop_map(Op::Put),
            2 => Just(Op::Get),
            1 => Just(Op::TaskDone),
        ],
        0..200,
    )
}

/// What every model shares: the size limit and the unfinished count.
struct Model<S> {
    items: S,
    maxsize: usize,
    unfinished: usize,
}

trait ModelStore: Default {
    fn push(&mut self, item: u8);
    fn pop(&mut self) -> Option<u8>;
    fn len(&self) -> usize;
}

impl ModelStore for VecDeque<u8> {
    fn push(&mut self, item: u8) {
        self.push_back(item);
    }
    fn pop(&mut self) -> Option<u8> {
        self.pop_front()
    }
    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

impl ModelStore for Vec<u8> {
    fn push(&mut self, item: u8) {
        Vec::push(self, item);
    }
    fn pop(&mut self) -> Option<u8> {
        Vec::pop(self)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

impl ModelStore for BinaryHeap<Reverse<u8>> {
    fn push(&mut self, item: u8) {
        BinaryHeap::push(self, Reverse(item));
    }
    fn pop(&mut self) -> Option<u8> {
        BinaryHeap::pop(self).map(|Reverse(item)| item)
    }
    fn len(&self) -> usize {
        BinaryHeap::len(self)
    }
}

/// Runs `ops` on the real queue (through the closures) and on the model,
/// comparing every result.
macro_rules! check_against_model {
    ($queue:expr, $model:ty, $maxsize:expr, $ops:expr) => {{
        let queue = $queue;
        let mut model = Model::<$model> {
            items: Default::default(),
            maxsize: $maxsize,
            unfinished: 0,
        };
        for op in $ops {
            match op {
                Op::Put(item) => {
                    let fits = model.maxsize == 0 || ModelStore::len(&model.items) < model.maxsize;
                    let result = queue.put_nowait(item);
                    prop_assert_eq!(result.is_ok(), fits);
                    if fits {
                        ModelStore::push(&mut model.items, item);
                        model.unfinished += 1;
                    } else {
                        prop_assert_eq!(result.unwrap_err().into_inner(), item);
                    }
                }
                Op::Get => {
                    let expected = ModelStore::pop(&mut model.items);
                    prop_assert_eq!(queue.get_nowait().ok(), expected);
                }
                Op::TaskDone => {
                    let result = queue.task_done();
                    prop_assert_eq!(result.is_ok(), model.unfinished > 0);
                    model.unfinished = model.unfinished.saturating_sub(1);
                }
            }
            prop_assert_eq!(queue.qsize(), ModelStore::len(&model.items));
            prop_assert_eq!(queue.is_empty(), ModelStore::len(&model.items) == 0);
            prop_assert_eq!(
                queue.is_full(),
                model.maxsize > 0 && ModelStore::len(&model.items) >= model.maxsize
            );
        }
    }};
}

proptest! {
    #[test]
    fn fifo_queue_matches_vecdeque(maxsize in 0usize..8, ops in ops()) {
        check_against_model!(Queue::new(maxsize), VecDeque<u8>, maxsize, ops);
    }

    #[test]
    fn lifo_queue_matches_vec(maxsize in 0usize..8, ops in ops()) {
        check_against_model!(LifoQueue::new(maxsize), Vec<u8>, maxsize, ops);
    }

    #[test]
    fn priority_queue_matches_binary_heap(maxsize in 0usize..8, ops in ops()) {
        check_against_model!(PriorityQueue::new(maxsize), BinaryHeap<Reverse<u8>>, maxsize, ops);
    }
}
