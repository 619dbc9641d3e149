use eventwire::{payload, Contract};

#[payload]
pub struct Post {
    pub text: String,
}

#[derive(Contract)]
pub enum Chat {
    #[client(rate = "5 per second")]
    Post(Post),
    #[client(rate = "0/s")]
    Never(Post),
}

fn main() {}
