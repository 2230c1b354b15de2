//! Behaviour of `as_completed`: outputs in completion order.

use std::time::Duration;

use futures_lite::StreamExt;

#[test]
fn as_completed_yields_in_completion_order_on_one_worker() {
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    let order = runner.run(async {
        // Yields make the schedule deterministic: future i finishes after
        // `steps[i]` turns of the loop.
        let steps = [5usize, 1, 4, 0, 3];
        let futures = steps.map(|n| async move {
            for _ in 0..n {
                corio::yield_now().await;
            }
            n
        });
        let mut stream = corio::as_completed(futures);
        assert_eq!(futures_lite::Stream::size_hint(&stream), (5, Some(5)));
        let mut order = Vec::new();
        while let Some(n) = stream.next().await {
            order.push(n);
        }
        order
    });
    assert_eq!(order, [0, 1, 3, 4, 5]);
}

#[test]
fn as_completed_of_tasks_follows_their_timers() {
    let order = corio::run(async {
        // 100 ms apart: a loaded machine cannot make two finish together.
        let tasks = [300u64, 100, 200].map(|n| {
            corio::spawn(async move {
                corio::sleep(Duration::from_millis(n)).await;
                n
            })
        });
        corio::as_completed(tasks)
            .map(|r| r.unwrap())
            .collect::<Vec<_>>()
            .await
    });
    assert_eq!(order, [100, 200, 300]);
}
