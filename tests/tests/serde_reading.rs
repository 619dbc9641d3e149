//! The macros read serde's attributes the way serde does: for each serde attribute that
//! changes where a value sits on the wire, a payload with one invalid field is serialized by
//! serde, validated by eventwire, and every issue's path must lead, in serde's own JSON, to
//! the invalid value. A path that names a key serde does not write fails here.

use eventwire::{Issue, PathSegment, Validate, payload};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The value at `path` in `json`, as a client sees it.
fn at<'a>(json: &'a Value, path: &[PathSegment]) -> Option<&'a Value> {
    path.iter().try_fold(json, |value, segment| match segment {
        PathSegment::Key(key) => value.get(key),
        PathSegment::Index(index) => value.get(index),
    })
}

/// Serializes `value` with serde, checks serde reads that JSON back, validates `value`,
/// and asserts that each issue's path leads to `bad` in serde's JSON. Returns the paths.
fn paths_into_wire<T>(value: &T, bad: Value) -> Vec<String>
where
    T: Serialize + DeserializeOwned + Validate,
{
    let wire = serde_json::to_value(value).expect("serde writes the payload");
    let read: T = serde_json::from_value(wire.clone()).expect("serde reads its own output");
    let issues: Vec<Issue> = read.validate().expect_err("the payload is invalid");
    for issue in &issues {
        assert_eq!(
            at(&wire, &issue.path),
            Some(&bad),
            "issue at `{}` does not point at the invalid value in serde's JSON {wire}",
            issue.path_string()
        );
    }
    issues.iter().map(Issue::path_string).collect()
}

#[test]
fn rename_on_a_field() {
    #[payload]
    struct Signup {
        #[serde(rename = "userName")]
        #[validate(length(min = 3))]
        name: String,
    }
    let paths = paths_into_wire(&Signup { name: "al".into() }, json!("al"));
    assert_eq!(paths, ["userName"]);
}

#[test]
fn rename_all_on_a_struct() {
    #[payload]
    #[serde(rename_all = "SCREAMING-KEBAB-CASE")]
    struct Signup {
        #[validate(length(min = 3))]
        user_name: String,
    }
    let paths = paths_into_wire(
        &Signup {
            user_name: "al".into(),
        },
        json!("al"),
    );
    assert_eq!(paths, ["USER-NAME"]);
}

#[test]
fn rename_all_fields_on_an_enum() {
    #[payload]
    #[serde(rename_all_fields = "camelCase")]
    enum Change {
        Move {
            #[validate(range(max = 10))]
            new_place: u32,
        },
    }
    let paths = paths_into_wire(&Change::Move { new_place: 11 }, json!(11));
    assert_eq!(paths, ["Move.newPlace"]);
}

#[test]
fn rename_on_a_variant_of_an_externally_tagged_enum() {
    #[payload]
    enum Change {
        #[serde(rename = "move-to")]
        Move {
            #[validate(range(max = 10))]
            place: u32,
        },
    }
    let paths = paths_into_wire(&Change::Move { place: 11 }, json!(11));
    assert_eq!(paths, ["move-to.place"]);
}

#[test]
fn rename_all_on_an_enum_renames_the_variants() {
    #[payload]
    #[serde(rename_all = "snake_case")]
    enum Change {
        MoveTo {
            #[validate(range(max = 10))]
            place: u32,
        },
    }
    let paths = paths_into_wire(&Change::MoveTo { place: 11 }, json!(11));
    assert_eq!(paths, ["move_to.place"]);
}

#[test]
fn tag_puts_the_fields_beside_the_tag() {
    #[payload]
    #[serde(tag = "kind")]
    enum Change {
        Move {
            #[validate(range(max = 10))]
            place: u32,
        },
    }
    let paths = paths_into_wire(&Change::Move { place: 11 }, json!(11));
    assert_eq!(paths, ["place"]);
}

#[test]
fn tag_and_content_put_the_fields_under_the_content_key() {
    #[payload]
    #[serde(tag = "kind", content = "body")]
    enum Change {
        Move {
            #[validate(range(max = 10))]
            place: u32,
        },
    }
    let paths = paths_into_wire(&Change::Move { place: 11 }, json!(11));
    assert_eq!(paths, ["body.place"]);
}

#[test]
fn untagged_on_an_enum() {
    #[payload]
    #[serde(untagged)]
    enum Change {
        Move {
            #[validate(range(max = 10))]
            place: u32,
        },
    }
    let paths = paths_into_wire(&Change::Move { place: 11 }, json!(11));
    assert_eq!(paths, ["place"]);
}

#[test]
fn untagged_on_one_variant() {
    #[payload]
    enum Change {
        Stay,
        #[serde(untagged)]
        Move {
            #[validate(range(max = 10))]
            place: u32,
        },
    }
    let paths = paths_into_wire(&Change::Move { place: 11 }, json!(11));
    assert_eq!(paths, ["place"]);
    assert!(Change::Stay.validate().is_ok());
}

#[test]
fn flatten_lifts_the_inner_fields() {
    #[payload]
    struct Page {
        #[validate(range(max = 100))]
        size: u32,
    }
    #[payload]
    struct Query {
        #[serde(flatten)]
        #[validate(nested)]
        page: Page,
        #[validate(length(min = 1))]
        text: String,
    }
    let query = Query {
        page: Page { size: 101 },
        text: "rust".into(),
    };
    let paths = paths_into_wire(&query, json!(101));
    assert_eq!(paths, ["size"]);
}

#[test]
fn a_newtype_variant_is_its_content() {
    #[payload]
    struct Place {
        #[validate(range(max = 10))]
        at: u32,
    }
    #[payload]
    enum Change {
        Move(#[validate(nested)] Place),
    }
    let paths = paths_into_wire(&Change::Move(Place { at: 11 }), json!(11));
    assert_eq!(paths, ["Move.at"]);
}

#[test]
fn a_tuple_variant_indexes_its_fields() {
    #[payload]
    enum Change {
        Swap(
            #[validate(range(max = 10))] u32,
            #[validate(range(max = 10))] u32,
        ),
    }
    let paths = paths_into_wire(&Change::Swap(11, 11), json!(11));
    assert_eq!(paths, ["Swap[0]", "Swap[1]"]);
}

#[test]
fn transparent_is_its_one_field() {
    #[payload]
    #[serde(transparent)]
    struct Name {
        #[validate(length(min = 3))]
        inner: String,
    }
    let paths = paths_into_wire(&Name { inner: "al".into() }, json!("al"));
    assert_eq!(paths, ["(root)"]);
}

#[test]
fn alias_reports_the_primary_name() {
    // serde writes the primary name and reads both; the issue names what serde writes.
    #[payload]
    struct Signup {
        #[serde(alias = "login")]
        #[validate(length(min = 3))]
        name: String,
    }
    let paths = paths_into_wire(&Signup { name: "al".into() }, json!("al"));
    assert_eq!(paths, ["name"]);
}

#[test]
fn a_rename_for_deserializing_only_reports_the_name_the_client_sends() {
    // Here serde writes `name` and reads `userName`: issues are about what the client sent.
    #[payload]
    struct Signup {
        #[serde(rename(deserialize = "userName"))]
        #[validate(length(min = 3))]
        name: String,
    }
    let sent = json!({ "userName": "al" });
    let read: Signup = serde_json::from_value(sent.clone()).expect("serde reads `userName`");
    let issues = read.validate().expect_err("too short");
    assert_eq!(issues.len(), 1);
    assert_eq!(at(&sent, &issues[0].path), Some(&json!("al")));
}

// The integer check and the filter derive read serde's attributes through the same reader:
// what serde takes off the wire, or puts another type on it for, is what they leave alone.

#[test]
fn a_skipped_wide_integer_is_not_on_the_wire() {
    #[payload]
    #[derive(Default)]
    struct Counter {
        #[serde(skip)]
        total: u64,
        #[validate(range(max = 10))]
        step: u32,
    }
    let wire = serde_json::to_value(Counter { total: 1, step: 3 }).unwrap();
    assert_eq!(wire, json!({ "step": 3 }));
    let read: Counter = serde_json::from_value(wire).unwrap();
    assert_eq!(read.total, 0, "a skipped field is its default when read");
    let paths = paths_into_wire(&Counter { total: 0, step: 11 }, json!(11));
    assert_eq!(paths, ["step"]);
}

#[test]
fn a_wide_integer_behind_into_and_from_is_not_on_the_wire() {
    #[payload]
    #[derive(Clone)]
    #[serde(into = "Decimal", from = "Decimal")]
    #[schemars(with = "Decimal")]
    struct Amount {
        cents: u64,
    }
    #[payload]
    struct Decimal {
        text: String,
    }
    impl From<Amount> for Decimal {
        fn from(amount: Amount) -> Self {
            Decimal {
                text: amount.cents.to_string(),
            }
        }
    }
    impl From<Decimal> for Amount {
        fn from(decimal: Decimal) -> Self {
            Amount {
                cents: decimal.text.parse().unwrap_or_default(),
            }
        }
    }
    let amount = Amount { cents: u64::MAX };
    let wire = serde_json::to_value(amount).unwrap();
    assert_eq!(wire, json!({ "text": u64::MAX.to_string() }));
}

#[test]
fn a_filter_denies_unknown_fields_beside_other_serde_settings() {
    #[payload]
    #[derive(Clone)]
    struct Task {
        priority: u8,
    }
    // `deny_unknown_fields` shares the attribute with `rename_all`, after it, as serde allows.
    #[payload]
    #[derive(eventwire::Filter)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[filter(item = Task)]
    struct TaskFilter {
        #[filter(gte, field = priority)]
        min_priority: Option<u8>,
    }
    let read: TaskFilter = serde_json::from_value(json!({ "minPriority": 3 })).unwrap();
    assert!(eventwire::Filter::matches(&read, &Task { priority: 4 }));
    let unknown = serde_json::from_value::<TaskFilter>(json!({ "minPriority": 3, "max": 1 }));
    assert!(
        unknown.is_err(),
        "serde refuses the unknown field the derive required it to"
    );
}
