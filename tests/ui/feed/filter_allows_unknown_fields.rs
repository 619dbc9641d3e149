use eventwire::{payload, Filter};

#[payload]
pub struct Task { pub id: u32 }

// Without `deny_unknown_fields`, `{"idd": 3}` would subscribe to every task.
#[payload]
#[derive(Filter)]
#[filter(item = Task)]
pub struct TaskFilter {
    #[filter(eq)]
    pub id: Option<u32>,
}

fn main() {}
