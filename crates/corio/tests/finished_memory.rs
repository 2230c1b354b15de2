//! Finished work gives its memory back at once: after a burst of tasks,
//! timers or callbacks ends, the heap returns to (about) where it was, with
//! no later spawn needed to trigger a sweep.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts the bytes allocated and not yet freed.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter is only arithmetic on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// The tests of this file count the whole process's heap, so they take
/// turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const TASKS: usize = 50_000;

/// Waits (yielding, then sleeping) until `done` reaches `target`.
async fn until(done: &AtomicUsize, target: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while done.load(Ordering::Acquire) < target {
        assert!(Instant::now() < deadline, "the burst did not end");
        corio::sleep(Duration::from_millis(1)).await;
    }
}

/// Heap growth at the burst's peak, and what is still held once it ended.
fn task_burst(workers: usize, eager: bool) -> (isize, isize) {
    let runner = corio::Runner::builder()
        .workers(workers)
        .eager_tasks(eager)
        .build()
        .unwrap();
    runner.run(async {
        // Warm the runtime's own lazily made state first.
        corio::spawn(async {}).await.unwrap();
        corio::sleep(Duration::from_millis(1)).await;
        let before = live_bytes();
        let go = Arc::new(corio::sync::Event::new());
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..TASKS {
            let go = go.clone();
            let done = done.clone();
            let payload = [1u8; 1024];
            // Detached at once: nothing but the runtime refers to the task.
            drop(corio::spawn(async move {
                go.wait().await;
                std::hint::black_box(&payload);
                done.fetch_add(1, Ordering::Release);
            }));
        }
        let peak = live_bytes() - before;
        go.set();
        until(&done, TASKS).await;
        drop(go);
        // The last tasks are freed when their worker next goes idle.
        corio::sleep(Duration::from_millis(20)).await;
        (peak, live_bytes() - before)
    })
}

#[test]
fn finished_tasks_are_freed_without_later_spawns() {
    let _serial = serial();
    for workers in [1, 2] {
        for eager in [false, true] {
            let (peak, held) = task_burst(workers, eager);
            assert!(
                peak > (TASKS * 1024) as isize,
                "the burst should hold its futures: {peak} bytes"
            );
            assert!(
                held * 10 < peak,
                "{workers} worker(s), eager {eager}: {held} of {peak} bytes still held after \
                 every task finished"
            );
        }
    }
}

const CALLBACKS: usize = 100_000;

/// Half the callbacks run, the other half (due in an hour) are cancelled.
fn callback_burst(workers: usize) -> (isize, isize) {
    let runner = corio::Runner::builder().workers(workers).build().unwrap();
    runner.run(async {
        corio::call_soon(|| {});
        corio::sleep(Duration::from_millis(1)).await;
        let before = live_bytes();
        let ran = std::rc::Rc::new(std::cell::Cell::new(0usize));
        let soon = Instant::now() + Duration::from_millis(5);
        let later = Instant::now() + Duration::from_secs(3600);
        let mut cancel = Vec::with_capacity(CALLBACKS / 2);
        for i in 0..CALLBACKS {
            let ran = ran.clone();
            let handle = corio::call_at(if i % 2 == 0 { soon } else { later }, move || {
                ran.set(ran.get() + 1);
            });
            if i % 2 == 1 {
                cancel.push(handle);
            }
        }
        let peak = live_bytes() - before;
        for handle in &cancel {
            assert!(handle.cancel());
        }
        drop(cancel);
        let deadline = Instant::now() + Duration::from_secs(60);
        while ran.get() < CALLBACKS / 2 {
            assert!(Instant::now() < deadline, "the callbacks did not run");
            corio::sleep(Duration::from_millis(1)).await;
        }
        corio::sleep(Duration::from_millis(20)).await;
        (peak, live_bytes() - before)
    })
}

#[test]
fn callbacks_run_or_cancelled_are_freed() {
    let _serial = serial();
    for workers in [1, 2] {
        let (peak, held) = callback_burst(workers);
        assert!(
            held * 10 < peak,
            "{workers} worker(s): {held} of {peak} bytes still held after every callback ran or \
             was cancelled"
        );
    }
}

const BLOCKS: usize = 20_000;

#[test]
fn a_shared_deadline_forgets_finished_blocks() {
    let _serial = serial();
    corio::run(async {
        let deadline = corio::time::Deadline::after(Duration::from_secs(3600));
        deadline.run(async {}).await.unwrap();
        let before = live_bytes();
        let go = Arc::new(corio::sync::Event::new());
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..BLOCKS {
            let (deadline, go, done) = (deadline.clone(), go.clone(), done.clone());
            drop(corio::spawn(async move {
                // Each block waits once, so it registers with the deadline.
                deadline.run(go.wait()).await.unwrap();
                done.fetch_add(1, Ordering::Release);
            }));
        }
        corio::sleep(Duration::from_millis(5)).await;
        let peak = live_bytes() - before;
        go.set();
        until(&done, BLOCKS).await;
        drop(go);
        corio::sleep(Duration::from_millis(20)).await;
        let held = live_bytes() - before;
        assert!(
            held < 16 * 1024,
            "{held} bytes still held for {BLOCKS} finished blocks (peak {peak})"
        );
        // The deadline itself still works.
        let r = deadline
            .run(async {
                deadline.reschedule(Some(Instant::now()));
                std::future::pending::<()>().await
            })
            .await;
        assert!(r.is_err() && deadline.expired());
    });
}
