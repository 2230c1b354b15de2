//! Work handed to a runner between two `Runner::run` calls: the calling
//! thread is away then, and the runner's other workers must take it.

use std::sync::mpsc;
use std::time::Duration;

use corio::Runner;

#[test]
fn tasks_spawned_between_runs_run_on_the_other_workers() {
    let runner = Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    for round in 0..300 {
        // The main future is woken from the other worker, often while the
        // calling thread is looking for work to steal; it then leaves
        // `run` in the middle of that search.
        runner.run(async {
            let task = corio::spawn(async { std::thread::yield_now() });
            task.await.unwrap();
        });
        let (tx, rx) = mpsc::channel();
        let from_elsewhere = handle.clone();
        std::thread::spawn(move || {
            drop(from_elsewhere.spawn(async move { tx.send(()).unwrap() }));
        });
        rx.recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("round {round}: a task spawned between runs never ran"));
    }
}
