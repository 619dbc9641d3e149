use eventwire::Contract;

pub struct Join {
    pub room: String,
}

#[derive(Contract)]
pub enum Chat {
    #[client]
    Join(Join),
}

fn main() {}
