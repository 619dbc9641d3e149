use eventwire::{payload, Filter};

#[payload]
pub struct Task { pub id: u32, pub priority: u8 }

#[payload]
#[derive(Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Task)]
pub struct TaskFilter {
    #[filter(eq)]
    pub priority: u8,
    #[filter(in, field = priority)]
    pub priorities: Option<u8>,
    #[filter(between, field = priority)]
    pub range: Option<u8>,
    pub unmarked: Option<u8>,
    #[filter(contains, field = priority)]
    pub search: Option<u8>,
}

fn main() {}
