//! W6's subscriptions and changes, and the matcher alone: [`Index`] candidates + `matches`
//! against a naive scan of every subscription's `matches`, in this process.
//! `cargo bench -p eventwire-bench --bench matching` measures the same two with criterion.

use std::hint::black_box;
use std::time::{Duration, Instant};

use eventwire::Filter;
use eventwire::feed::Index;

use super::server::{Status, Task, TaskFilter};

/// Who holds which filter: `connections` connections with `per_connection` subscriptions
/// each, over as many distinct filters as there are connections; every filter is held by
/// `per_connection` subscriptions on as many different connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Connections, and distinct filters.
    pub connections: usize,
    /// Subscriptions per connection, and subscriptions per filter.
    pub per_connection: usize,
}

impl Layout {
    /// The layout of `connections` × `per_connection` (`per_connection` must divide
    /// `connections`).
    pub fn new(connections: usize, per_connection: usize) -> Self {
        assert!(
            per_connection > 0 && connections.is_multiple_of(per_connection),
            "{per_connection} subscriptions per connection must divide {connections} connections"
        );
        Self {
            connections,
            per_connection,
        }
    }

    /// Distinct filters.
    pub fn filters(&self) -> usize {
        self.connections
    }

    /// Subscriptions in all.
    pub fn subscriptions(&self) -> usize {
        self.connections * self.per_connection
    }

    /// The filter of subscription `k` of connection `c`: `c + k × step`, where `step` is
    /// `connections / per_connection`. For one filter `f` and each `k` there is exactly
    /// one `c`, and they differ: every filter has `per_connection` holders, on different
    /// connections.
    pub fn filter(&self, connection: usize, k: usize) -> usize {
        let step = self.connections / self.per_connection;
        (connection + k * step) % self.connections
    }
}

/// Filter number `f`: project `f / 4`, status `f % 4`, priority at least 2. Four filters
/// share each project, so the index (which files a subscription under its first `eq`
/// constraint, the project) hands four filters' subscriptions to `matches` for each
/// change, of which one filter's match.
pub fn filter(f: usize) -> TaskFilter {
    TaskFilter {
        project: Some((f / 4) as u32),
        status: Some(Status::ALL[f % 4]),
        min_priority: Some(2),
    }
}

/// Filter `f` as JSON (the `filter` of a subscribe request).
pub fn filter_json(f: usize) -> String {
    format!(
        r#"{{"project":{},"status":"{}","minPriority":2}}"#,
        f / 4,
        Status::ALL[f % 4].name()
    )
}

/// Change number `n`: a task matching filter `n % filters` and no other.
pub fn task(n: u32, filters: usize) -> Task {
    let f = n as usize % filters;
    Task {
        id: n,
        project: (f / 4) as u32,
        status: Status::ALL[f % 4],
        priority: 3,
        title: "Write the quarterly report".to_owned(),
    }
}

/// Change number `n` as JSON: the same as [`task`] serializes to.
pub fn task_json(n: u32, filters: usize) -> String {
    let f = n as usize % filters;
    format!(
        r#"{{"id":{n},"project":{},"status":"{}","priority":3,"title":"Write the quarterly report"}}"#,
        f / 4,
        Status::ALL[f % 4].name()
    )
}

/// Every subscription of a [`Layout`], filed in an [`Index`] as a feed files them.
pub struct Subscriptions {
    filters: Vec<TaskFilter>,
    index: Index,
}

impl Subscriptions {
    /// The subscriptions of `layout`; subscription ids are positions.
    pub fn new(layout: Layout) -> Self {
        let mut filters = Vec::with_capacity(layout.subscriptions());
        let mut index = Index::new(TaskFilter::EQ_FIELDS);
        for connection in 0..layout.connections {
            for k in 0..layout.per_connection {
                let filter = filter(layout.filter(connection, k));
                index.insert(filters.len() as u64, filter.index_entry());
                filters.push(filter);
            }
        }
        Self { filters, index }
    }

    /// Subscriptions `item` matches, found through the index.
    pub fn indexed(&self, item: &Task) -> usize {
        self.index
            .candidates(&TaskFilter::index_values(item))
            .into_iter()
            .filter(|&id| self.filters[id as usize].matches(item))
            .count()
    }

    /// Subscriptions `item` matches, testing every one.
    pub fn naive(&self, item: &Task) -> usize {
        self.filters
            .iter()
            .filter(|filter| filter.matches(item))
            .count()
    }

    /// Subscriptions the index hands to `matches` for `item`.
    pub fn candidates(&self, item: &Task) -> usize {
        self.index.candidates(&TaskFilter::index_values(item)).len()
    }
}

/// Mean nanoseconds per change of `find` over `changes`, each matching `expected`
/// subscriptions, taking at least `at_least`.
pub fn ns_per_change(
    changes: &[Task],
    expected: usize,
    at_least: Duration,
    find: impl Fn(&Task) -> usize,
) -> crate::Result<f64> {
    let start = Instant::now();
    let mut done = 0u64;
    while done == 0 || start.elapsed() < at_least {
        for change in changes {
            let found = find(black_box(change));
            if found != expected {
                return Err(format!(
                    "change {} matched {found} subscriptions, not {expected}",
                    change.id
                )
                .into());
            }
            done += 1;
        }
    }
    Ok(start.elapsed().as_nanos() as f64 / done as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_has_its_holders_on_different_connections() {
        let layout = Layout::new(20, 5);
        let mut holders = vec![Vec::new(); layout.filters()];
        for connection in 0..layout.connections {
            for k in 0..layout.per_connection {
                holders[layout.filter(connection, k)].push(connection);
            }
        }
        for connections in &mut holders {
            connections.sort();
            connections.dedup();
            assert_eq!(connections.len(), layout.per_connection);
        }
    }

    #[test]
    fn a_change_matches_one_filter_and_both_matchers_agree() {
        let layout = Layout::new(20, 5);
        let subscriptions = Subscriptions::new(layout);
        for n in 0..40 {
            let task = task(n, layout.filters());
            assert_eq!(
                serde_json::to_string(&task).unwrap(),
                task_json(n, layout.filters())
            );
            assert_eq!(subscriptions.naive(&task), layout.per_connection);
            assert_eq!(subscriptions.indexed(&task), layout.per_connection);
            assert_eq!(subscriptions.candidates(&task), 4 * layout.per_connection);
        }
        let json: TaskFilter = serde_json::from_str(&filter_json(7)).unwrap();
        assert_eq!(json.index_entry(), filter(7).index_entry());
    }
}
