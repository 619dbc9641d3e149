use eventwire::{payload, Contract};

#[payload]
pub struct FileMeta { pub name: String }

#[payload]
pub struct Saved { pub size: u32 }

#[derive(Contract)]
pub enum Files {
    // The size is a number of bytes, not a text.
    #[upload(ack = Saved, max_size = "8 MB")]
    Photo(FileMeta),
    // An upload is not also an event: the client starts it, the server cannot send it.
    #[upload(ack = Saved)]
    #[server]
    Pushed(FileMeta),
    // An upload carries its metadata.
    #[upload]
    Bare,
    // An upload's keys are listed when one is unknown.
    #[upload(ack = Saved, window = 4)]
    Windowed(FileMeta),
}

fn main() {}
