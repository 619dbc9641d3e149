// A typo in one rule of a payload used by a contract: the typo is the only error, not
// also one for every place the contract needs the payload to be validated.
use eventwire::{payload, Contract};

#[payload]
pub struct Join {
    #[validate(lenght(min = 1))]
    pub room: String,
}

#[derive(Contract)]
pub enum Chat {
    #[client(ack = u32)]
    Join(Join),
}

fn main() {}
