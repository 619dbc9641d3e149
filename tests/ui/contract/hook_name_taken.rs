use eventwire::{payload, Contract};

#[payload]
pub struct Bye {
    pub reason: String,
}

#[derive(Contract)]
pub enum Chat {
    // Its handler method would be `on_disconnect`, the trait's disconnect hook.
    #[client]
    OnDisconnect(Bye),
}

fn main() {}
