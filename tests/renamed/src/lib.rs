//! A crate that depends on eventwire under another name (`wire`), as a workspace might to
//! avoid a clash. `::eventwire` does not resolve here, so this compiles only if every
//! derive honours its `crate = "wire"` override.

use wire::{Contract, Cx, payload};

/// A request to join a room.
#[payload(crate = "wire")]
pub struct Join {
    /// The room's name.
    #[validate(length(min = 1, max = 32))]
    pub room: String,
}

/// A derive(Validate) beside serde's and schemars' own derives, through the renamed crate.
#[derive(
    wire::__private::serde::Deserialize, wire::__private::schemars::JsonSchema, wire::Validate,
)]
#[serde(crate = "wire::__private::serde")]
#[schemars(crate = "wire::__private::schemars")]
#[validate(crate = "wire")]
pub struct Leave {
    /// The room's name.
    #[validate(length(min = 1))]
    pub room: String,
}

/// Announced to a room.
#[payload(crate = "wire")]
pub struct Joined {
    /// Who joined.
    pub who: String,
}

/// The contract, through the renamed crate.
#[derive(Contract)]
#[contract(crate = "wire", namespace = "/rooms")]
pub enum Rooms {
    /// Join a room; the ack is the member count.
    #[client(ack = u32)]
    Join(Join),
    /// Leave a room.
    #[client]
    Leave(Leave),
    /// Someone joined.
    #[server]
    Joined(Joined),
}

/// The app.
pub struct App;

impl RoomsHandlers for App {
    async fn join(&self, cx: &Cx<Rooms>, join: Join) -> u32 {
        cx.join(join.room.as_str());
        1
    }

    async fn leave(&self, cx: &Cx<Rooms>, leave: Leave) {
        cx.leave(leave.room.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::Validate;

    #[test]
    fn the_renamed_crates_derives_work() {
        let description = wire::describe::describe::<Rooms>();
        let names: Vec<_> = description.contracts[0]
            .events
            .iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["join", "leave", "joined"]);
        let issues = Join {
            room: String::new(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(issues[0].path_string(), "room");
        assert_eq!(
            Rooms::joined(Joined { who: "ann".into() }).event(),
            "joined"
        );
    }

    #[tokio::test]
    async fn it_mounts() {
        let (_layer, _io) = wire::Server::new().contract::<Rooms>(App).build().unwrap();
    }
}

/// Generated code's own locals carry a `__` prefix (as serde's do), so items of the user's
/// with plain names cannot turn them into constant patterns: this module compiles only if no
/// generated `let` or parameter is named like one of these constants. (The parameters of
/// the signatures users implement and call, `cx`, `payload` and `auth`, keep their
/// readable names: they are what the docs and an IDE's "implement members" show.)
#[allow(non_upper_case_globals, dead_code)]
pub mod hygiene {
    use wire::{Contract, Cx, Forbidden, payload};

    const handlers: u8 = 0;
    const incoming: u8 = 0;
    const answer: u8 = 0;
    const fault: u8 = 0;
    const denied: u8 = 0;
    const describer: u8 = 0;
    const identity: u8 = 0;
    const event: u8 = 0;

    /// A handshake.
    #[payload(crate = "wire")]
    #[derive(Clone)]
    pub struct Login {
        /// Who.
        pub name: String,
    }

    /// A note.
    #[payload(crate = "wire")]
    pub struct Note {
        /// Its text.
        pub text: String,
    }

    /// Every kind of generated code that binds locals: decoding, guards, size limits,
    /// rates, acks, auth, the description.
    #[derive(Contract)]
    #[contract(crate = "wire", namespace = "/hygiene", auth = Login)]
    pub enum Hygiene {
        /// Acked, guarded, limited.
        #[client(ack = u32, guard, rate = "5/s", max_bytes = 1024)]
        Post(Note),
        /// Without payload.
        #[client]
        Ping,
        /// Sent by the server.
        #[server]
        Echo(Note),
    }

    /// The app.
    pub struct App;

    impl HygieneHandlers for App {
        async fn post(&self, _: &Cx<Hygiene>, _: Note) -> u32 {
            0
        }
        async fn ping(&self, _: &Cx<Hygiene>) {}
        async fn allow_post(&self, _: &Cx<Hygiene>, _: &Note) -> Result<(), Forbidden> {
            Ok(())
        }
    }
}
