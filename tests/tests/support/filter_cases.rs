//! The cases a filter's SQL fragment is checked with against its in-memory matcher, on
//! every database the fragment is written for: the row and filter types, the strategies
//! that draw them, and the `contains` cases whose case folding must agree.

use eventwire::{Filter, payload};
use proptest::prelude::*;

/// A row's state, stored as its wire name.
#[payload]
#[derive(Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Todo,
    Doing,
    Done,
}

/// One row of the table, one item of the feed.
#[payload]
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) id: u32,
    pub(crate) status: Status,
    pub(crate) owner: String,
    pub(crate) priority: i32,
    pub(crate) title: String,
}

/// Every operator once (eq twice, `in` on an enum, order operators on numbers and text).
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Row)]
pub(crate) struct Probe {
    #[filter(eq)]
    pub(crate) status: Option<Status>,
    #[filter(eq, field = owner, column = "owner_name")]
    pub(crate) owner: Option<String>,
    #[filter(ne, field = owner, column = "owner_name")]
    pub(crate) not_owner: Option<String>,
    #[filter(in, field = status)]
    pub(crate) statuses: Option<Vec<Status>>,
    #[filter(gt, field = priority)]
    pub(crate) above: Option<i32>,
    #[filter(gte, field = priority)]
    pub(crate) from: Option<i32>,
    #[filter(lt, field = priority)]
    pub(crate) below: Option<i32>,
    #[filter(lte, field = priority)]
    pub(crate) to: Option<i32>,
    #[filter(between, field = priority)]
    pub(crate) within: Option<(i32, i32)>,
    #[filter(gte, field = title)]
    pub(crate) title_from: Option<String>,
    #[filter(contains, field = title)]
    pub(crate) search: Option<String>,
}

pub(crate) fn status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Todo), Just(Status::Doing), Just(Status::Done)]
}

/// Short strings over a small alphabet, so that filters hit: ASCII of both cases,
/// accented letters of both cases, `ß`, a space.
pub(crate) fn text() -> impl Strategy<Value = String> {
    "[abAB éÉß]{0,4}"
}

pub(crate) fn row() -> impl Strategy<Value = Row> {
    (status(), "[ab]{1,2}", -3..3i32, text()).prop_map(|(status, owner, priority, title)| Row {
        id: 0,
        status,
        owner,
        priority,
        title,
    })
}

pub(crate) fn probe() -> impl Strategy<Value = Probe> {
    (
        proptest::option::of(status()),
        proptest::option::of("[ab]{1,2}"),
        proptest::option::of("[ab]{1,2}"),
        proptest::option::of(proptest::collection::vec(status(), 0..3)),
        (
            proptest::option::of(-3..3i32),
            proptest::option::of(-3..3i32),
            proptest::option::of(-3..3i32),
            proptest::option::of(-3..3i32),
            proptest::option::of((-3..3i32, -3..3i32)),
        ),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(
            |(
                status,
                owner,
                not_owner,
                statuses,
                (above, from, below, to, within),
                title_from,
                search,
            )| Probe {
                status,
                owner,
                not_owner,
                statuses,
                above,
                from,
                below,
                to,
                within,
                title_from,
                search,
            },
        )
}

/// Numbers the rows by their position, the key the queries return.
pub(crate) fn numbered(rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| Row {
            id: i as u32,
            ..row
        })
        .collect()
}

/// The ids of the rows `probe` accepts in memory, in order.
pub(crate) fn accepted(rows: &[Row], probe: &Probe) -> Vec<u32> {
    rows.iter()
        .filter(|row| probe.matches(row))
        .map(|row| row.id)
        .collect()
}

/// `(title, search, whether it matches)`: only ASCII letters fold, in Rust and in SQL.
pub(crate) const CONTAINS_CASES: [(&str, &str, bool); 5] = [
    ("Ship IT", "it", true),
    ("École", "éc", false),
    ("École", "Éc", true),
    ("straße", "STRASSE", false),
    ("anything", "", true),
];

/// The row and the filter of one of [`CONTAINS_CASES`].
pub(crate) fn contains_case(index: usize, title: &str, search: &str) -> (Row, Probe) {
    let row = Row {
        id: index as u32,
        status: Status::Todo,
        owner: "a".into(),
        priority: 0,
        title: title.into(),
    };
    let probe = Probe {
        search: Some(search.into()),
        ..Probe::default()
    };
    (row, probe)
}
