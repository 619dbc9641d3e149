//! [`Index`]: which subscriptions a change may concern, without testing every one.
//!
//! Each subscription is filed under one `eq` constraint it sets (the first), by field and
//! value; one without any `eq` constraint goes to the residual list. A changed item is
//! looked up once per `eq` field (its value of that field) plus the residual list, so a
//! change costs O(candidates), and every candidate still goes through the full
//! [`Filter::matches`](crate::Filter::matches).

use std::collections::{HashMap, HashSet};

/// Subscription ids filed by their first `eq` constraint.
///
/// ```
/// use eventwire::feed::Index;
///
/// let mut index = Index::new(2); // two `eq` fields
/// index.insert(1, Some((0, "\"doing\"".into())));
/// index.insert(2, Some((1, "\"ann\"".into())));
/// index.insert(3, None); // no `eq` constraint
/// let mut found = index.candidates(&["\"doing\"".into(), "\"bob\"".into()]);
/// found.sort();
/// assert_eq!(found, [1, 3]);
/// ```
#[derive(Debug, Default)]
pub struct Index {
    by_field: Vec<HashMap<String, HashSet<u64>>>,
    residual: HashSet<u64>,
}

impl Index {
    /// An index over `fields` `eq` fields.
    pub fn new(fields: usize) -> Self {
        Self {
            by_field: (0..fields).map(|_| HashMap::new()).collect(),
            residual: HashSet::new(),
        }
    }

    /// Files subscription `id` under `entry` (field position and value text), or in the
    /// residual list.
    pub fn insert(&mut self, id: u64, entry: Option<(usize, String)>) {
        match entry {
            Some((field, value)) if field < self.by_field.len() => {
                self.by_field[field].entry(value).or_default().insert(id);
            }
            _ => {
                self.residual.insert(id);
            }
        }
    }

    /// Removes subscription `id`, filed under `entry`.
    pub fn remove(&mut self, id: u64, entry: Option<&(usize, String)>) {
        match entry {
            Some((field, value)) if *field < self.by_field.len() => {
                let bucket = &mut self.by_field[*field];
                if let Some(ids) = bucket.get_mut(value) {
                    ids.remove(&id);
                    if ids.is_empty() {
                        // Empty buckets would grow the map with every value ever seen.
                        bucket.remove(value);
                    }
                }
            }
            _ => {
                self.residual.remove(&id);
            }
        }
    }

    /// The subscriptions an item with these `eq` field values may match (each once).
    pub fn candidates(&self, values: &[String]) -> Vec<u64> {
        let mut out: Vec<u64> = self.residual.iter().copied().collect();
        for (field, value) in self.by_field.iter().zip(values) {
            if let Some(ids) = field.get(value) {
                out.extend(ids.iter().copied());
            }
        }
        out
    }

    /// How many subscriptions are filed.
    pub fn len(&self) -> usize {
        self.residual.len()
            + self
                .by_field
                .iter()
                .flat_map(|f| f.values())
                .map(HashSet::len)
                .sum::<usize>()
    }

    /// Whether no subscription is filed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
