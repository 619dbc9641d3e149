//! The feed index finds every subscription a change concerns: for random subscriptions
//! (with and without `eq` constraints, some removed again) and random items, the index's
//! candidates that match equal a naive scan of every subscription.

use eventwire::Filter;
use eventwire::feed::Index;
use eventwire_tests::board::{Status, Task, TaskFilter};
use proptest::prelude::*;

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Todo), Just(Status::Doing), Just(Status::Done)]
}

fn filter() -> impl Strategy<Value = TaskFilter> {
    (
        proptest::option::of(0..3u32),
        proptest::option::of(status()),
        proptest::option::of("[ab]"),
        proptest::option::of(1..6u8),
    )
        .prop_map(|(workspace, status, assignee, min_priority)| TaskFilter {
            workspace,
            status,
            assignee,
            min_priority,
            ..TaskFilter::default()
        })
}

fn task() -> impl Strategy<Value = Task> {
    (0..3u32, status(), "[ab]", 1..6u8).prop_map(|(workspace, status, assignee, priority)| Task {
        id: 1,
        workspace,
        status,
        assignee,
        priority,
        title: "t".into(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn candidates_that_match_equal_a_naive_scan(
        filters in proptest::collection::vec(filter(), 0..40),
        removed in proptest::collection::vec(any::<bool>(), 40),
        tasks in proptest::collection::vec(task(), 1..10),
    ) {
        let mut index = Index::new(TaskFilter::EQ_FIELDS);
        let mut live = Vec::new();
        for (id, filter) in filters.iter().enumerate() {
            index.insert(id as u64, filter.index_entry());
            live.push(id);
        }
        // Remove some again: removal must leave no stale entry behind.
        live.retain(|&id| {
            if removed[id] {
                index.remove(id as u64, filters[id].index_entry().as_ref());
                false
            } else {
                true
            }
        });
        prop_assert_eq!(index.len(), live.len());
        for task in &tasks {
            let mut candidates = index.candidates(&TaskFilter::index_values(task));
            candidates.sort_unstable();
            let before = candidates.len();
            candidates.dedup();
            prop_assert_eq!(before, candidates.len(), "each candidate once");
            let mut found: Vec<u64> = candidates.into_iter().filter(|&id| filters[id as usize].matches(task)).collect();
            found.sort_unstable();
            let naive: Vec<u64> = live.iter().filter(|&&id| filters[id].matches(task)).map(|&id| id as u64).collect();
            prop_assert_eq!(found, naive);
        }
    }
}

#[test]
fn candidates_skip_subscriptions_of_other_values() {
    // 1,000 subscriptions on 10 workspaces: a change in one workspace looks at its 100.
    let mut index = Index::new(TaskFilter::EQ_FIELDS);
    for id in 0..1_000u64 {
        let filter = TaskFilter {
            workspace: Some((id % 10) as u32),
            ..TaskFilter::default()
        };
        index.insert(id, filter.index_entry());
    }
    let task = Task {
        id: 1,
        workspace: 3,
        status: Status::Todo,
        assignee: "a".into(),
        priority: 1,
        title: "t".into(),
    };
    assert_eq!(
        index.candidates(&TaskFilter::index_values(&task)).len(),
        100
    );
}
