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
    // Only server events can be emitted; a client event says so.
    let _ = cx.emit(Chat::join(Join { room: "a".into() }));
}

fn main() {}
