use eventwire::{payload, Contract};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    #[client]
    Disconnect(Join),
    #[server(rename = "connect_error")]
    Oops(Joined),
}

fn main() {}
