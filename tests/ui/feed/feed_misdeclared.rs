use eventwire::{payload, Contract, Filter};

#[payload]
pub struct Task { pub id: u32 }

#[payload]
pub struct Other { pub id: u32 }

#[payload]
#[derive(Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Other)]
pub struct OtherFilter {
    #[filter(eq)]
    pub id: Option<u32>,
}

#[derive(Contract)]
pub enum Board {
    // A feed names its filter.
    #[feed(item = Task, key = id)]
    Tasks,
    // A feed carries no payload.
    #[feed(item = Task, key = id, filter = OtherFilter)]
    WithPayload(Task),
    // A mode is `data` or `notify`.
    #[feed(item = Task, key = id, filter = OtherFilter, mode = live)]
    Live,
}

fn main() {}
