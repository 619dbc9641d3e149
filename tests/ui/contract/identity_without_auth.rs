use eventwire::{payload, Contract};

#[payload]
pub struct Join {
    pub room: String,
}

#[derive(Clone)]
pub struct User;

#[derive(Contract)]
#[contract(identity = User)]
pub enum Chat {
    #[client]
    Join(Join),
}

fn main() {}
