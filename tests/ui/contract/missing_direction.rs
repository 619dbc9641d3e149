use eventwire::{payload, Contract};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    Join(Join),
}

fn main() {}
