use eventwire::{payload, Contract};

#[payload]
#[derive(Clone)]
pub struct Settings { pub title: String }

#[derive(Contract)]
pub enum Board {
    // The prop's write event is `writeSettings`: an event of that name is a collision.
    #[prop(value = Settings)]
    Settings,
    #[client]
    WriteSettings(Settings),
}

fn main() {}
