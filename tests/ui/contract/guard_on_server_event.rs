use eventwire::{payload, Contract};

#[payload]
pub struct Post {
    pub text: String,
}

#[derive(Contract)]
pub enum Chat {
    #[server(guard, rate = "5/s")]
    Posted(Post),
}

fn main() {}
