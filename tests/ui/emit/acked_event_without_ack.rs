use eventwire::{payload, Contract, Cx};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    #[server(ack = Joined)]
    Ask(Join),
}

fn emit(cx: &Cx<Chat>) {
    // The client answers this event: it must be sent with `emit_with_ack`.
    let _ = cx.emit(Chat::ask(Join { room: "a".into() }));
}

fn main() {}
