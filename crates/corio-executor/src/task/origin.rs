//! Where a task came from: its spawn location and, if it has one, its name,
//! in one pointer.
//!
//! Most tasks have no name, and every byte of task metadata is paid by every
//! idle task, so the two share one word: the pointer is either a
//! `&'static Location` (low bit clear) or, for a named task, a leaked
//! `Box<Named>` holding both (low bit set). Both pointees are aligned to at
//! least 8 bytes, so the low bit is always free.
//!
//! # Invariant
//!
//! `tagged` is created by `Origin::new` and never changed: with the low bit
//! clear it is a `&'static Location<'static>`; with it set, the pointer with
//! the bit cleared came from `Box::into_raw` and is freed only by `Drop`.

use std::panic::Location;
use std::ptr::NonNull;
use std::sync::Arc;

struct Named {
    name: Arc<str>,
    location: &'static Location<'static>,
}

pub(crate) struct Origin {
    tagged: NonNull<u8>,
}

// SAFETY: an `Origin` owns either nothing (a `'static` reference) or a
// `Box<Named>`, and `Named` is `Send + Sync`.
unsafe impl Send for Origin {}
// SAFETY: as above; `&Origin` only gives shared access.
unsafe impl Sync for Origin {}

const NAMED: usize = 1;

impl Origin {
    pub(crate) fn new(name: Option<Arc<str>>, location: &'static Location<'static>) -> Origin {
        let tagged = match name {
            None => NonNull::from(location).cast::<u8>(),
            Some(name) => {
                let named = NonNull::from(Box::leak(Box::new(Named { name, location })));
                named.cast::<u8>().map_addr(|a| a | NAMED)
            }
        };
        Origin { tagged }
    }

    fn named(&self) -> Option<&Named> {
        if self.tagged.addr().get() & NAMED == 0 {
            return None;
        }
        let ptr = self.tagged.map_addr(|a| {
            std::num::NonZero::new(a.get() & !NAMED).expect("a boxed pointer is never null")
        });
        // SAFETY: see the module invariant: with the bit cleared this is the
        // live `Box<Named>` this `Origin` owns.
        Some(unsafe { ptr.cast::<Named>().as_ref() })
    }

    pub(crate) fn location(&self) -> &'static Location<'static> {
        match self.named() {
            Some(named) => named.location,
            // SAFETY: see the module invariant: an untagged pointer is a
            // `&'static Location`.
            None => unsafe { self.tagged.cast::<Location<'static>>().as_ref() },
        }
    }

    pub(crate) fn name(&self) -> Option<&Arc<str>> {
        self.named().map(|n| &n.name)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        if let Some(named) = self.named() {
            let ptr = named as *const Named as *mut Named;
            // SAFETY: the pointer came from `Box::leak` in `new` and is
            // released only here, once.
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin")
            .field("name", &self.name())
            .field("location", &self.location())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnamed_and_named_origins_round_trip() {
        let here = Location::caller();
        let plain = Origin::new(None, here);
        assert_eq!(plain.location(), here);
        assert!(plain.name().is_none());
        let named = Origin::new(Some("worker".into()), here);
        assert_eq!(named.location(), here);
        assert_eq!(named.name().map(|n| &**n), Some("worker"));
        assert_eq!(std::mem::size_of::<Origin>(), 8);
    }
}
