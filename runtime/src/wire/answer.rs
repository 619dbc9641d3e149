//! [`Answer`]: an event's answer made away from the dispatch, type-erased.

use serde::Serialize;

use crate::wire::fault::Fault;

type Boxed = Box<dyn erased_serde::Serialize + Send>;

/// An answer made away from the dispatch, type-erased: an upload's handler runs in a task
/// of its own, and its answer is sent later, as the answer to the upload's `finish`.
/// Events answered in the dispatch use [`Reply`]'s typed methods instead.
pub enum Answer {
    /// The handler ran; the event has no ack.
    Done,
    /// The handler answered.
    Data(Boxed),
    /// The handler returned the app's error.
    Error(Boxed),
    /// eventwire refused or failed the event.
    Fault(Fault),
}

impl Answer {
    /// For events without ack.
    pub fn none(_: ()) -> Self {
        Self::Done
    }

    /// For `ack = T`.
    pub fn data<T: Serialize + Send + 'static>(data: T) -> Self {
        Self::Data(Box::new(data))
    }

    /// For `ack = Result<T, E>`.
    pub fn result<T, E>(result: Result<T, E>) -> Self
    where
        T: Serialize + Send + 'static,
        E: Serialize + Send + 'static,
    {
        match result {
            Ok(data) => Self::Data(Box::new(data)),
            Err(error) => Self::Error(Box::new(error)),
        }
    }

    /// A guard denied the event.
    pub fn forbidden(event: &str, denied: crate::wire::fault::Forbidden) -> Self {
        Self::Fault(Fault::forbidden(event, denied))
    }
}
