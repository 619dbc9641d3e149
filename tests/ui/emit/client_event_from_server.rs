use eventwire::{payload, Contract, Cx};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    #[client]
    Join(Join),
    #[server]
    Joined(Joined),
}

fn emit(cx: &Cx<Chat>) {
    // Client events have no constructor: only server events can be emitted.
    let _ = cx.emit(Chat::join(Join { room: "a".into() }));
}

fn main() {}
