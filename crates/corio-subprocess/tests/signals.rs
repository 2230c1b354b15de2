//! Signals delivered through the reactor to every listener (a binary of its
//! own: signal handlers are process-wide).

use std::io;
use std::time::Duration;

use corio::signal::Signals;
use futures_lite::StreamExt;

fn raise(sig: i32) {
    // SAFETY: kill(2) with our own pid touches no memory.
    #[allow(unsafe_code, reason = "sending a signal to this process")]
    let rc = unsafe { libc::kill(libc::getpid(), sig) };
    assert_eq!(rc, 0);
}

#[test]
fn two_listeners_both_receive_sigusr1() {
    corio::run(async {
        let mut first = Signals::new([libc::SIGUSR1, libc::SIGHUP])?;
        let mut second = Signals::new([libc::SIGUSR1])?;
        // A listener in another task, woken through the reactor.
        let subscribed = std::sync::Arc::new(corio::sync::Event::new());
        let s = subscribed.clone();
        let third = corio::spawn(async move {
            let mut third = Signals::new([libc::SIGUSR1])?;
            s.set();
            io::Result::Ok(third.recv().await)
        });
        // A signal sent before the third task subscribes would be missed by
        // it, by design.
        subscribed.wait().await;
        raise(libc::SIGUSR1);
        let limit = Duration::from_secs(10);
        let got = corio::timeout(limit, first.next())
            .await
            .expect("first timed out");
        assert_eq!(got, Some(libc::SIGUSR1));
        let got = corio::timeout(limit, second.next())
            .await
            .expect("second timed out");
        assert_eq!(got, Some(libc::SIGUSR1));
        let got = corio::timeout(limit, third).await.expect("third timed out");
        assert_eq!(got.expect("task failed")?, libc::SIGUSR1);

        // Each listener sees each signal once; a second signal is new.
        raise(libc::SIGHUP);
        let got = corio::timeout(limit, first.next())
            .await
            .expect("SIGHUP timed out");
        assert_eq!(got, Some(libc::SIGHUP));
        io::Result::Ok(())
    })
    .unwrap();
}

#[test]
fn ctrl_c_resolves_on_sigint() {
    corio::run(async {
        let ctrl_c = corio::signal::ctrl_c();
        raise(libc::SIGINT);
        corio::timeout(Duration::from_secs(10), ctrl_c)
            .await
            .expect("ctrl_c timed out")
    })
    .unwrap();
}

/// Whether `sig` has its default disposition.
fn is_default(sig: i32) -> bool {
    #[allow(unsafe_code, reason = "reading a signal disposition")]
    // SAFETY: an all-zero sigaction is valid, and sigaction only writes it.
    let old = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(sig, std::ptr::null(), &mut old), 0);
        old
    };
    old.sa_sigaction == libc::SIG_DFL
}

#[test]
fn the_last_listener_restores_the_disposition() {
    corio::run(async {
        // SIGWINCH is ignored by default, so this test cannot hurt the
        // process whatever happens.
        assert!(is_default(libc::SIGWINCH));
        let first = Signals::new([libc::SIGWINCH])?;
        let second = Signals::new([libc::SIGWINCH])?;
        assert!(!is_default(libc::SIGWINCH));
        drop(first);
        assert!(!is_default(libc::SIGWINCH), "a listener is still there");
        drop(second);
        assert!(is_default(libc::SIGWINCH));
        io::Result::Ok(())
    })
    .unwrap();
}

#[test]
fn uncatchable_signals_are_refused() {
    corio::run(async {
        for sig in [libc::SIGKILL, libc::SIGSTOP, 0, 1000] {
            let err = Signals::new([sig]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        }
        let err = Signals::new([]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    });
}
