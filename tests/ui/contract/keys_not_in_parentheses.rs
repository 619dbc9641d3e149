use eventwire::{payload, Contract};

#[payload]
pub struct Join { pub room: String }

// The keys go in parentheses: `#[contract(namespace = "/chat")]`.
#[derive(Contract)]
#[contract = "/chat"]
pub enum Chat {
    #[client]
    Join(Join),
}

fn main() {}
