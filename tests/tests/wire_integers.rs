//! `wire::U64` / `wire::I64` accept exactly the decimal strings their published JSON Schema
//! pattern allows (and that fit the type), so the Rust and TypeScript sides agree.

use eventwire::__private::schemars::{self, JsonSchema};
use eventwire::wire::{I64, U64};
use proptest::prelude::*;
use regex::Regex;

fn pattern<T: JsonSchema>() -> Regex {
    let schema = schemars::schema_for!(T);
    let pattern = schema
        .get("pattern")
        .and_then(|p| p.as_str())
        .expect("a string pattern");
    Regex::new(pattern).expect("the published pattern compiles")
}

fn parses<T: serde::de::DeserializeOwned>(text: &str) -> bool {
    serde_json::from_value::<T>(serde_json::Value::String(text.to_owned())).is_ok()
}

/// Strings near the pattern's edges: signs, leading zeros, spaces, digits of every length.
fn decimal_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+ 0]{0,2}[0-9]{0,21}[ ]?",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("0{n}")),
        any::<i64>().prop_map(|n| format!("+{n}")),
        any::<i128>().prop_map(|n| n.to_string()),
    ]
}

proptest! {
    #[test]
    fn u64_parses_exactly_what_its_pattern_allows(text in decimal_like()) {
        let allowed = pattern::<U64>().is_match(&text) && text.parse::<u64>().is_ok();
        prop_assert_eq!(parses::<U64>(&text), allowed, "{:?}", text);
    }

    #[test]
    fn i64_parses_exactly_what_its_pattern_allows(text in decimal_like()) {
        let allowed = pattern::<I64>().is_match(&text) && text.parse::<i64>().is_ok();
        prop_assert_eq!(parses::<I64>(&text), allowed, "{:?}", text);
    }
}

#[test]
fn signs_and_leading_zeros_are_refused() {
    for text in ["+5", "007", "00", "-0", "-", "", " 5", "5 ", "-5"] {
        assert!(!parses::<U64>(text), "U64 took {text:?}");
    }
    for text in ["+5", "007", "-007", "-0", "00", "-", ""] {
        assert!(!parses::<I64>(text), "I64 took {text:?}");
    }
    assert_eq!(
        serde_json::from_str::<U64>("\"18446744073709551615\"").unwrap(),
        U64(u64::MAX)
    );
    assert_eq!(
        serde_json::from_str::<I64>("\"-9223372036854775808\"").unwrap(),
        I64(i64::MIN)
    );
    assert_eq!(serde_json::from_str::<I64>("\"0\"").unwrap(), I64(0));
}
