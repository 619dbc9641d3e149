use eventwire::payload;

#[payload]
pub struct Join {
    #[validate(lenght(min = 1))]
    pub room: String,
    #[validate(range(min = 1, exclusive_max = 10))]
    pub size: u32,
}

fn main() {}
