//! Every public error type is `Send + Sync + 'static` and converts into a boxed error.

use std::error::Error;
use std::fmt;
use std::time::Duration;

type BoxError = Box<dyn Error + Send + Sync + 'static>;

fn assert_send_sync<T: Send + Sync + 'static>() {}

fn assert_error<T: Error + Send + Sync + 'static>() {}

#[test]
fn every_public_error_is_send_sync_and_static() {
    // corio::task and corio::structured
    assert_error::<corio::task::TaskError>();
    assert_send_sync::<corio::task::PanicPayload>();
    assert_error::<corio::structured::ChildFailure<std::io::Error>>();
    assert_error::<corio::TaskGroupError<std::io::Error>>();
    assert_error::<corio::structured::ChildFailure<&'static str>>();
    assert_error::<corio::TaskGroupError<String>>();
    // corio::time
    assert_error::<corio::time::Elapsed>();
    // corio::sync
    assert_error::<corio::sync::BrokenBarrier>();
    assert_error::<corio::sync::GetNowaitError>();
    assert_error::<corio::sync::PutNowaitError<u32>>();
    assert_error::<corio::sync::QueueEmpty>();
    assert_error::<corio::sync::QueueFull<u32>>();
    assert_error::<corio::sync::QueueShutDown>();
    assert_error::<corio::sync::QueueShutDown<u32>>();
    assert_error::<corio::sync::RecvError>();
    assert_error::<corio::sync::ReleaseError>();
    assert_error::<corio::sync::SendError<u32>>();
    assert_error::<corio::sync::TaskDoneError>();
    assert_error::<corio::sync::TryRecvError>();
    // corio::streams
    assert_error::<corio::streams::ConnectError>();
    assert_error::<corio::streams::IncompleteRead>();
    assert_error::<corio::streams::LimitOverrun>();
    assert_error::<corio::streams::ReadError>();
}

async fn joined_value() -> Result<u32, BoxError> {
    let task = corio::spawn(async { 41 });
    let value = task.await?;
    Ok(value + 1)
}

async fn joined_panic() -> Result<u32, BoxError> {
    let task = corio::task::Builder::new()
        .name("bad")
        .spawn(async { panic!("gone wrong") });
    let value: u32 = task.await?;
    Ok(value)
}

#[test]
fn a_task_error_converts_into_a_boxed_send_sync_error() {
    corio::run(async {
        assert_eq!(joined_value().await.unwrap(), 42);
        let err = joined_panic().await.unwrap_err();
        let task_err = err
            .downcast_ref::<corio::task::TaskError>()
            .expect("the boxed error is the TaskError");
        assert!(task_err.is_panic());
        assert_eq!(task_err.panic_message(), Some("gone wrong"));
        assert!(err.to_string().contains("panicked: gone wrong"));
    });
}

#[derive(Debug)]
struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refused")
    }
}

impl Error for Refused {}

async fn group_that_fails() -> Result<(), BoxError> {
    let group = corio::TaskGroup::<Refused>::new();
    group.spawn_named("dial", async { Err::<(), _>(Refused) });
    group.spawn(async { panic!("and a panic") as Result<(), Refused> });
    group.join().await?;
    Ok(())
}

#[test]
fn a_task_group_error_converts_into_a_boxed_send_sync_error() {
    corio::run(async {
        let err = group_that_fails().await.unwrap_err();
        let group_err = err
            .downcast_ref::<corio::TaskGroupError<Refused>>()
            .expect("the boxed error is the TaskGroupError");
        assert!(group_err.iter().any(|f| f.error().is_some()));
        assert!(err.to_string().contains("refused"));
    });
}

async fn time_limited() -> Result<(), BoxError> {
    corio::timeout(Duration::from_millis(1), std::future::pending::<()>()).await?;
    Ok(())
}

#[test]
fn elapsed_converts_into_a_boxed_send_sync_error() {
    corio::run(async {
        let err = time_limited().await.unwrap_err();
        assert!(err.is::<corio::time::Elapsed>());
    });
}

#[test]
fn a_boxed_task_error_crosses_threads() {
    let err = corio::run(async { joined_panic().await.unwrap_err() });
    // Shared between threads by reference: needs `Sync`.
    let shared = std::sync::Arc::new(err);
    let other = std::sync::Arc::clone(&shared);
    let text = std::thread::spawn(move || other.to_string())
        .join()
        .unwrap();
    assert_eq!(text, shared.to_string());
}
