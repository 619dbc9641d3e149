use eventwire::payload;

#[payload]
#[derive(Debug, serde::Serialize)]
pub struct Join {
    pub room: String,
}

fn main() {}
