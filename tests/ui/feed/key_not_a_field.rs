use eventwire::{payload, Contract, Filter};

#[payload]
pub struct Task { pub id: u32 }

#[payload]
#[derive(Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Task)]
pub struct TaskFilter {
    #[filter(eq)]
    pub id: Option<u32>,
}

#[derive(Contract)]
pub enum Board {
    #[feed(item = Task, key = task_id, filter = TaskFilter)]
    Tasks,
}

fn main() {}
