//! `PanicPayload`: what a task panicked with, shareable across threads.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;

/// What a task (or a task group's child) panicked with: the value given to
/// `panic!`, and its message when it was a string.
///
/// A panic payload is a `Box<dyn Any + Send>`, which is not `Sync`; errors
/// that hold one could not cross into `Box<dyn Error + Send + Sync>` (or
/// `anyhow::Error`). This wrapper is `Sync`: the payload sits behind a
/// `Mutex` that shared references never lock (they only read the message,
/// copied out when the task panicked), and it is handed out only through
/// `&mut self` or by value.
///
/// # Examples
///
/// ```
/// use corio::task::{PanicPayload, TaskError};
///
/// corio::run(async {
///     let err = corio::spawn(async { panic!("disk full") }).await.unwrap_err();
///     if let TaskError::Panicked { payload, .. } = err {
///         let payload: PanicPayload = payload;
///         assert_eq!(payload.message(), Some("disk full"));
///         let raw = payload.into_inner();
///         assert_eq!(raw.downcast_ref::<&str>(), Some(&"disk full"));
///     }
/// });
/// ```
pub struct PanicPayload {
    message: Option<Cow<'static, str>>,
    payload: Mutex<Box<dyn Any + Send + 'static>>,
}

impl PanicPayload {
    /// Wraps a payload caught from a panic, copying out its message.
    pub(crate) fn new(payload: Box<dyn Any + Send + 'static>) -> PanicPayload {
        let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
            Some(Cow::Borrowed(*s))
        } else {
            payload
                .downcast_ref::<String>()
                .map(|s| Cow::Owned(s.clone()))
        };
        PanicPayload {
            message,
            payload: Mutex::new(payload),
        }
    }

    /// The panic message, when the payload was a string (`panic!("...")`
    /// with or without arguments).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::spawn(async { panic!("code {}", 7) }).await.unwrap_err();
    /// let corio::task::TaskError::Panicked { payload, .. } = err else { unreachable!() };
    /// assert_eq!(payload.message(), Some("code 7"));
    /// # });
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The payload itself, to inspect it with `downcast_mut` or `is`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::spawn(async { std::panic::panic_any(42u32) }).await.unwrap_err();
    /// let corio::task::TaskError::Panicked { mut payload, .. } = err else { unreachable!() };
    /// assert_eq!(payload.get_mut().downcast_mut::<u32>(), Some(&mut 42));
    /// assert_eq!(payload.message(), None);
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut (dyn Any + Send + 'static) {
        // Nothing ever panics while holding the lock (it is never locked),
        // so a poisoned state cannot occur; take the value either way.
        &mut **self.payload.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// The payload, to resume the panic with [`std::panic::resume_unwind`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::spawn(async { panic!("x") }).await.unwrap_err();
    /// let corio::task::TaskError::Panicked { payload, .. } = err else { unreachable!() };
    /// let raw: Box<dyn std::any::Any + Send> = payload.into_inner();
    /// assert!(raw.is::<&str>());
    /// # });
    /// ```
    pub fn into_inner(self) -> Box<dyn Any + Send + 'static> {
        self.payload.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for PanicPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanicPayload")
            .field("message", &self.message())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::PanicPayload;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn is_send_and_sync() {
        assert_send_sync::<PanicPayload>();
    }

    #[test]
    fn keeps_the_message_of_both_string_kinds() {
        assert_eq!(
            PanicPayload::new(Box::new("static")).message(),
            Some("static")
        );
        let owned = PanicPayload::new(Box::new(String::from("owned")));
        assert_eq!(owned.message(), Some("owned"));
        assert_eq!(
            owned
                .into_inner()
                .downcast_ref::<String>()
                .map(String::as_str),
            Some("owned")
        );
        assert_eq!(PanicPayload::new(Box::new(3u8)).message(), None);
    }
}
