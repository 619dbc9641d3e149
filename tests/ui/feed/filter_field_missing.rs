use eventwire::{payload, Filter};

#[payload]
pub struct Task { pub id: u32, pub priority: u8 }

#[payload]
#[derive(Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Task)]
pub struct TaskFilter {
    // `Task` has `priority`, not `prio`.
    #[filter(gte, field = prio)]
    pub min_priority: Option<u8>,
}

fn main() {}
