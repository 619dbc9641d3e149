use eventwire::{payload, Contract};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
#[contract(namespace = "chat")]
pub enum Chat {
    #[client]
    Join(Join),
}

fn main() {}
