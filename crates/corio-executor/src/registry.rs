//! The runtime's list of live tasks: what `task::all()` reports and what
//! shutdown cancels.
//!
//! The list is sharded: each worker adds the tasks it spawns to its own
//! shard, so the lock it takes is never contended on the spawn path (only
//! `task::all()`, `Task::cancel`, shutdown and spawns from foreign threads
//! touch other shards). Nothing is removed when a task ends: each entry's
//! metadata says whether the task is done, and a shard drops finished entries
//! when it has doubled since the last sweep. That keeps the exit path free of
//! any lock and the memory within twice the live tasks. Shards are slabs, so
//! a task's slot (recorded in its metadata) stays valid until it is swept,
//! which lets `Task::cancel` find the waker it needs.
//!
//! # Invariant
//!
//! An entry is only the task's waker (16 bytes: every byte here is paid by
//! every idle task). The task's metadata lives in the same allocation the
//! waker points to, at a distance that is the same for every task of the
//! runtime; `insert` measures that distance on the first task and checks it
//! on every later one before storing the entry, so for every stored entry
//! `waker.data() + offset` is its task's `TaskMeta`. The waker holds a
//! reference to the allocation, so that metadata is valid for as long as the
//! entry exists.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::Waker;

use slab::Slab;

use crate::task::TaskInfo;
use crate::task::meta::TaskMeta;

struct Entry {
    waker: Waker,
}

impl Entry {
    fn meta_ptr(&self, offset: usize) -> *const TaskMeta {
        (self.waker.data() as usize).wrapping_add(offset) as *const TaskMeta
    }

    fn meta(&self, offset: usize) -> &TaskMeta {
        // SAFETY: see the module invariant: `offset` was checked for this
        // entry when it was stored, and the waker keeps the task alive.
        unsafe { &*self.meta_ptr(offset) }
    }
}

/// A counted reference to a registered task, for [`TaskInfo`]'s cancel
/// methods: its waker keeps the allocation (and the metadata) alive.
#[derive(Clone, Debug)]
pub(crate) struct TaskRef {
    waker: Waker,
    offset: usize,
}

impl TaskRef {
    pub(crate) fn meta(&self) -> &TaskMeta {
        let ptr = (self.waker.data() as usize).wrapping_add(self.offset) as *const TaskMeta;
        // SAFETY: see the module invariant: the waker and offset come from a
        // stored entry, and the waker keeps the task alive.
        unsafe { &*ptr }
    }

    pub(crate) fn wake(&self) {
        self.waker.wake_by_ref();
    }
}

struct Shard {
    entries: Slab<Entry>,
    sweep_at: usize,
}

const MIN_SWEEP: usize = 64;

pub(crate) struct Registry {
    shards: Box<[Mutex<Shard>]>,
    /// Distance from a task's waker data pointer to its metadata.
    offset: AtomicUsize,
}

const UNKNOWN: usize = usize::MAX;

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("shards", &self.shards.len())
            .finish()
    }
}

/// Returned by [`Registry::insert`] when the runtime is shutting down.
pub(crate) struct Closed;

impl Registry {
    pub(crate) fn new(shards: usize) -> Registry {
        Registry {
            shards: (0..shards)
                .map(|_| {
                    Mutex::new(Shard {
                        entries: Slab::new(),
                        sweep_at: MIN_SWEEP,
                    })
                })
                .collect(),
            offset: AtomicUsize::new(UNKNOWN),
        }
    }

    fn offset(&self) -> usize {
        self.offset.load(Ordering::Relaxed)
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Shard> {
        self.shards[shard].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a task, unless `closed` says the runtime is shutting down. The
    /// check happens under the shard lock, which shutdown also takes, so no
    /// task slips in after shutdown has swept a shard.
    pub(crate) fn insert(
        &self,
        index: usize,
        meta: &TaskMeta,
        waker: Waker,
        closed: impl Fn() -> bool,
    ) -> Result<(), Closed> {
        let offset = (meta as *const TaskMeta as usize).wrapping_sub(waker.data() as usize);
        let mut known = self.offset.load(Ordering::Relaxed);
        if known == UNKNOWN {
            known = match self.offset.compare_exchange(
                UNKNOWN,
                offset,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => offset,
                Err(known) => known,
            };
        }
        assert_eq!(
            known, offset,
            "corio: async-task's task layout is not what the registry relies on"
        );
        let mut shard = self.lock(index);
        if closed() {
            return Err(Closed);
        }
        if shard.entries.len() >= shard.sweep_at {
            shard.entries.retain(|_, e| !e.meta(offset).is_done());
            shard.sweep_at = (shard.entries.len() * 2).max(MIN_SWEEP);
        }
        let slot = shard.entries.insert(Entry { waker });
        meta.set_slot(index, slot);
        Ok(())
    }

    /// Wakes the registered task `meta` (for a cancel request).
    pub(crate) fn wake(&self, meta: &TaskMeta) {
        let Some((index, slot)) = meta.slot() else {
            return;
        };
        let shard = self.lock(index);
        if let Some(entry) = shard.entries.get(slot) {
            if std::ptr::eq(entry.meta_ptr(self.offset()), meta) {
                entry.waker.wake_by_ref();
            }
        }
    }

    /// A reference to the registered task `meta`, if it is registered.
    pub(crate) fn task_ref(&self, meta: &TaskMeta) -> Option<TaskRef> {
        let (index, slot) = meta.slot()?;
        let shard = self.lock(index);
        let entry = shard.entries.get(slot)?;
        std::ptr::eq(entry.meta_ptr(self.offset()), meta).then(|| TaskRef {
            waker: entry.waker.clone(),
            offset: self.offset(),
        })
    }

    /// A snapshot of every live task.
    pub(crate) fn snapshot(&self, running: &dyn Fn(&TaskMeta) -> bool) -> Vec<TaskInfo> {
        let mut out = Vec::new();
        for i in 0..self.shards.len() {
            let shard = self.lock(i);
            for (_, entry) in &shard.entries {
                let meta = entry.meta(self.offset());
                if !meta.is_done() {
                    let task = TaskRef {
                        waker: entry.waker.clone(),
                        offset: self.offset(),
                    };
                    out.push(TaskInfo::from_meta(meta, running(meta), Some(task)));
                }
            }
        }
        out.sort_by_key(|t| t.id());
        out
    }

    /// Number of live tasks.
    pub(crate) fn live(&self) -> usize {
        (0..self.shards.len())
            .map(|i| {
                self.lock(i)
                    .entries
                    .iter()
                    .filter(|(_, e)| !e.meta(self.offset()).is_done())
                    .count()
            })
            .sum()
    }

    /// Asks every live task that has no pending cancel request to stop
    /// (shutdown's cooperative first part), waking it to see the request.
    pub(crate) fn cancel_once_all(&self) {
        for i in 0..self.shards.len() {
            let shard = self.lock(i);
            for (_, entry) in &shard.entries {
                let meta = entry.meta(self.offset());
                if !meta.is_done() && meta.request_cancel_once() {
                    entry.waker.wake_by_ref();
                }
            }
        }
    }

    /// Empties the registry, asking every live task to stop and waking it so
    /// the scheduler gets its runnable (and drops it).
    pub(crate) fn cancel_all(&self) {
        for i in 0..self.shards.len() {
            let entries = std::mem::take(&mut self.lock(i).entries);
            for (_, entry) in entries {
                let meta = entry.meta(self.offset());
                if !meta.is_done() {
                    meta.force_cancel();
                    entry.waker.wake_by_ref();
                }
            }
        }
    }
}
