use eventwire::{payload, Contract};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
#[contract(namespace = "/chat", order)]
pub enum Chat {
    #[client(acks = Joined)]
    Join(Join),
}

fn main() {}
