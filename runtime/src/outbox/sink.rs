//! Where relayed messages go: the [`Sink`] trait and [`EmitterSink`], which emits a
//! contract's server events.

use std::future::Future;

use serde_json::Value;

use crate::contract::Contract;
use crate::contract::describe::{Describer, Direction};
use crate::outbox::Message;
use crate::socket::{EmitError, Emitter};

/// Why a sink did not take a message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// A passing failure: the message stays in the outbox and the relay tries it again
    /// later, before any later message.
    #[error("could not publish now: {0}")]
    Retry(String),
    /// The message can never be published here (an unknown event, say): the relay drops it
    /// with an error in the log, so it does not block the messages after it.
    #[error("cannot publish this message: {0}")]
    Reject(String),
}

/// Takes relayed messages. The relay calls it one message at a time, in id order, and
/// deletes the message once it returns `Ok`.
///
/// ```
/// use eventwire::outbox::{Message, PublishError, Sink};
///
/// struct Log;
/// impl Sink for Log {
///     async fn publish(&self, message: &Message) -> Result<(), PublishError> {
///         println!("{} {}", message.id, message.event);
///         Ok(())
///     }
/// }
/// ```
pub trait Sink: Send + Sync + 'static {
    /// Publishes one message.
    fn publish(&self, message: &Message) -> impl Future<Output = Result<(), PublishError>> + Send;
}

/// Emits messages recorded with [`NewMessage::to_room`](crate::outbox::NewMessage::to_room)
/// or [`to_all`](crate::outbox::NewMessage::to_all) as contract `C`'s server events, with
/// the message id as the argument after the payload: `["posted", {..}, 7]` (with connection
/// state recovery on, the offset comes after it).
///
/// Messages of another topic, or naming an event that is not one of `C`'s server events
/// without ack, are rejected. An emit that some sockets could not take (a full queue, a
/// closed socket) counts as published: those sockets were gone, not the message.
///
/// ```no_run
/// use eventwire::outbox::EmitterSink;
/// use eventwire::{payload, Contract, Emitter, Server};
///
/// #[payload] pub struct Posted { text: String }
/// #[derive(Contract)]
/// pub enum Chat { #[server] Posted(Posted) }
/// impl ChatHandlers for () {}
///
/// let (_layer, io) = Server::new().contract::<Chat>(()).build().unwrap();
/// let sink = EmitterSink::new(Emitter::<Chat>::new(&io).unwrap());
/// # let _ = sink;
/// ```
pub struct EmitterSink<C> {
    emitter: Emitter<C>,
    /// `C`'s server events without ack, the ones a message may name.
    events: Vec<&'static str>,
}

impl<C: Contract> EmitterSink<C> {
    /// A sink emitting through `emitter`.
    pub fn new(emitter: Emitter<C>) -> Self {
        let events = C::describe(&mut Describer::default())
            .events
            .into_iter()
            .filter(|e| e.direction == Direction::ServerToClient && e.ack.is_none())
            .map(|e| e.name)
            .collect();
        Self { emitter, events }
    }
}

impl<C: Contract> Sink for EmitterSink<C> {
    async fn publish(&self, message: &Message) -> Result<(), PublishError> {
        if message.topic != C::NAME {
            return Err(PublishError::Reject(format!(
                "topic `{}` is not contract `{}`",
                message.topic,
                C::NAME
            )));
        }
        let Some(event) = self.events.iter().find(|e| **e == message.event) else {
            return Err(PublishError::Reject(format!(
                "`{}` is not a server event without ack of `{}`",
                message.event,
                C::NAME
            )));
        };
        let mut args: Vec<Value> = message.payload.iter().cloned().collect();
        args.push(Value::from(message.id.0));
        let target = match &message.room {
            Some(room) => self.emitter.to(room),
            None => self.emitter.to(Vec::<String>::new()),
        };
        match target.emit_values(event, args).await {
            Ok(()) => Ok(()),
            Err(error @ EmitError::Serialize(_)) => Err(PublishError::Reject(error.to_string())),
            Err(error) => {
                tracing::warn!(id = %message.id, error = %error, "some sockets did not get a relayed message");
                Ok(())
            }
        }
    }
}
