//! The runtime's list of live tasks: what `task::all()` reports and what
//! shutdown cancels.
//!
//! The list is sharded: each worker appends the tasks it spawns to its own
//! shard, so the lock it takes is never contended on the spawn path (only
//! `task::all()`, shutdown and spawns from foreign threads touch other
//! shards). Nothing is removed when a task ends: each entry's metadata says
//! whether the task is done, and a shard drops finished entries when it has
//! doubled since the last sweep. That keeps the exit path free of any lock and
//! the memory within twice the live tasks.
//!
//! # Invariant
//!
//! An entry's `meta` points into the allocation of the task its `waker`
//! belongs to. The waker holds a reference to that allocation, so `meta` is
//! valid for as long as the entry exists.

use std::sync::{Mutex, MutexGuard};
use std::task::Waker;

use crate::task::TaskInfo;
use crate::task::meta::TaskMeta;

struct Entry {
    waker: Waker,
    meta: *const TaskMeta,
}

impl Entry {
    fn meta(&self) -> &TaskMeta {
        // SAFETY: see the module invariant.
        unsafe { &*self.meta }
    }
}

// SAFETY: `meta` is read-only shared access to `TaskMeta`, which is `Sync`,
// kept alive by `waker`, which is `Send`.
unsafe impl Send for Entry {}

struct Shard {
    entries: Vec<Entry>,
    sweep_at: usize,
}

const MIN_SWEEP: usize = 64;

pub(crate) struct Registry {
    shards: Box<[Mutex<Shard>]>,
}

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
                        entries: Vec::new(),
                        sweep_at: MIN_SWEEP,
                    })
                })
                .collect(),
        }
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Shard> {
        self.shards[shard].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a task, unless `closed` says the runtime is shutting down. The
    /// check happens under the shard lock, which shutdown also takes, so no
    /// task slips in after shutdown has swept a shard.
    pub(crate) fn insert(
        &self,
        shard: usize,
        meta: &TaskMeta,
        waker: Waker,
        closed: impl Fn() -> bool,
    ) -> Result<(), Closed> {
        let mut shard = self.lock(shard);
        if closed() {
            return Err(Closed);
        }
        if shard.entries.len() >= shard.sweep_at {
            shard.entries.retain(|e| !e.meta().is_done());
            shard.sweep_at = (shard.entries.len() * 2).max(MIN_SWEEP);
        }
        shard.entries.push(Entry {
            waker,
            meta: meta as *const TaskMeta,
        });
        Ok(())
    }

    /// A snapshot of every live task.
    pub(crate) fn snapshot(&self, running: &dyn Fn(&TaskMeta) -> bool) -> Vec<TaskInfo> {
        let mut out = Vec::new();
        for i in 0..self.shards.len() {
            let shard = self.lock(i);
            for entry in &shard.entries {
                let meta = entry.meta();
                if !meta.is_done() {
                    out.push(TaskInfo::from_meta(meta, running(meta)));
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
                    .filter(|e| !e.meta().is_done())
                    .count()
            })
            .sum()
    }

    /// Empties the registry, asking every live task to stop and waking it so
    /// the scheduler gets its runnable (and drops it).
    pub(crate) fn cancel_all(&self) {
        for i in 0..self.shards.len() {
            let entries = std::mem::take(&mut self.lock(i).entries);
            for entry in entries {
                let meta = entry.meta();
                if !meta.is_done() {
                    meta.request_cancel();
                    entry.waker.wake_by_ref();
                }
            }
        }
    }
}
