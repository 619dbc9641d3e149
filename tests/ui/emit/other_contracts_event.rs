use eventwire::{payload, Contract, Cx};

#[payload]
pub struct Join { pub room: String }

#[payload]
pub struct Joined { pub members: u32 }

#[derive(Contract)]
pub enum Chat {
    #[server]
    Joined(Joined),
}

#[derive(Contract)]
#[contract(namespace = "/admin")]
pub enum Admin {
    #[server]
    Joined(Joined),
}

fn emit(cx: &Cx<Chat>) {
    let _ = cx.emit(Admin::joined(Joined { members: 1 }));
}

fn main() {}
