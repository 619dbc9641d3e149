use eventwire::payload;

#[payload]
pub struct Join<'a> {
    pub room: &'a str,
}

fn main() {}
