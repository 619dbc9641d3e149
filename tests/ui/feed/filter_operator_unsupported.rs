use eventwire::{payload, Filter};

#[payload]
#[derive(PartialEq, PartialOrd)]
pub enum Status { Todo, Done }

#[payload]
pub struct Task { pub id: u32, pub status: Status }

#[payload]
#[derive(Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Task)]
pub struct TaskFilter {
    // An enum's order is Rust's, not the database's: no order operators on it.
    #[filter(gt, field = status)]
    pub after: Option<Status>,
    // `contains` searches text fields.
    #[filter(contains, field = id)]
    pub id_text: Option<String>,
}

fn main() {}
