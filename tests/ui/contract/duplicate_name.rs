use eventwire::{payload, Contract};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    #[client]
    Join(Join),
    #[client(rename = "join")]
    JoinAgain(Join),
    // The same name in the other direction is fine.
    #[server(rename = "join")]
    Joined(Joined),
}

fn main() {}
