use eventwire::{payload, Contract, Cx};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    #[client(ack = Joined)]
    Join(Join),
}

struct App;

impl ChatHandlers for App {
    async fn join(&self, _: &Cx<Chat>, _: Joined) -> Joined {
        Joined { members: 1 }
    }
}

fn main() {}
