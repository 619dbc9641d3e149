use eventwire::{payload, Contract, Filter};

#[payload]
pub struct Task { pub id: u32 }

#[payload]
pub struct Note { pub id: u32 }

#[payload]
#[derive(Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Note)]
pub struct NoteFilter {
    #[filter(eq)]
    pub id: Option<u32>,
}

#[derive(Contract)]
pub enum Board {
    // The filter must filter the feed's items.
    #[feed(item = Task, key = id, filter = NoteFilter)]
    Tasks,
}

fn main() {}
