//! The runtime's list of live tasks: what `task::all()` reports and what
//! shutdown cancels.
//!
//! The list is sharded: each worker adds the tasks it spawns to its own
//! shard, so the lock it takes is never contended on the spawn path (only
//! `task::all()`, `Task::cancel`, shutdown and spawns from foreign threads
//! touch other shards). Shards are slabs, so a task's slot (recorded in its
//! metadata) stays valid until the entry is removed, which lets
//! `Task::cancel` find the waker it needs.
//!
//! An entry goes when its task ends, so that a finished task whose handle is
//! gone is freed at once (the entry's waker is the last reference to it).
//! A worker does not take a shard lock per task for that: the tasks it
//! finishes are noted in a batch ([`Finished`]) and removed together when
//! the batch is full or the worker goes idle (`Worker::note_finished`), so
//! the exit path costs a push, and the memory of a burst comes back as soon
//! as the burst ends. A task finished on any other thread is removed at
//! once. A shard left empty gives its slab's memory back too.
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
}

/// A shard whose slab holds more slots than this when it empties frees
/// them (a smaller one keeps them for the next tasks).
const KEEP_SLOTS: usize = 1024;

/// A task that has ended, waiting in a worker's batch to leave the registry.
///
/// The pointer is only compared with the entry found in the slot, never
/// dereferenced unless it matches: an entry that is still stored keeps its
/// task (and so the metadata) alive.
pub(crate) struct Finished {
    shard: u32,
    slot: u32,
    meta: *const TaskMeta,
}

impl Finished {
    /// The note for `meta`'s task, if it was registered.
    #[inline]
    pub(crate) fn of(meta: &TaskMeta) -> Option<Finished> {
        let (shard, slot) = meta.slot()?;
        Some(Finished {
            shard: shard as u32,
            slot: slot as u32,
            meta,
        })
    }
}

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
        let slot = shard.entries.insert(Entry { waker });
        meta.set_slot(index, slot);
        Ok(())
    }

    /// Removes the entries of the ended tasks in `batch` (emptying it). The
    /// wakers are dropped after the locks are released: dropping the last
    /// reference frees a task.
    pub(crate) fn remove_finished(&self, batch: &mut Vec<Finished>) {
        let offset = self.offset();
        let mut removed = Vec::with_capacity(batch.len());
        let mut held: Option<(u32, MutexGuard<'_, Shard>)> = None;
        for done in batch.drain(..) {
            let shard = match &mut held {
                Some((index, shard)) if *index == done.shard => shard,
                _ => {
                    if let Some((_, shard)) = held.take() {
                        Self::release_if_empty(shard);
                    }
                    &mut held.insert((done.shard, self.lock(done.shard as usize))).1
                }
            };
            let slot = done.slot as usize;
            // Only an ended task's entry leaves: should the slot hold
            // another task by now (this one's entry went with a shutdown,
            // and the slot and the address were both reused), that task is
            // live and stays.
            let ended = shard.entries.get(slot).is_some_and(|entry| {
                std::ptr::eq(entry.meta_ptr(offset), done.meta) && entry.meta(offset).is_done()
            });
            if ended {
                removed.push(shard.entries.remove(slot));
            }
        }
        if let Some((_, shard)) = held {
            Self::release_if_empty(shard);
        }
        drop(removed);
    }

    /// Removes the entry of one ended task, for a task that ended on a
    /// thread that keeps no batch.
    pub(crate) fn remove_one(&self, done: Finished) {
        let mut batch = vec![done];
        self.remove_finished(&mut batch);
    }

    fn release_if_empty(mut shard: MutexGuard<'_, Shard>) {
        if shard.entries.is_empty() && shard.entries.capacity() > KEEP_SLOTS {
            shard.entries = Slab::new();
        }
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
