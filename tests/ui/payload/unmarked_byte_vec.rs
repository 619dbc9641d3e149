use eventwire::payload;

#[payload]
pub struct Upload {
    pub name: String,
    pub data: Vec<u8>,
}

#[payload]
pub struct Marked {
    #[payload(bytes)]
    pub data: Option<Vec<u8>>,
    #[payload(base64)]
    pub other: Vec<u8>,
}

fn main() {}
