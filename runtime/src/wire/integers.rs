//! [`U64`] and [`I64`]: 64-bit integers as decimal strings.

use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validate::{Report, Validate};

/// Whether `text` is written as the published patterns allow: `0`, or a digit other than 0
/// followed by digits, with a leading `-` (not before `0`) when `signed`. No `+`, no leading
/// zeros, no spaces. (The range is checked by the parse that follows.)
fn canonical_decimal(text: &str, signed: bool) -> bool {
    let digits = match text.strip_prefix('-') {
        Some(rest) if signed => rest,
        Some(_) => return false,
        None => text,
    };
    match digits.as_bytes() {
        [b'0'] => digits.len() == text.len(),
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

macro_rules! decimal_string {
    ($name:ident, $int:ty, $pattern:literal, $what:literal) => {
        #[doc = concat!("A `", stringify!($int), "` sent as a decimal string: ", $what, ".")]
        ///
        /// ```
        #[doc = concat!("use eventwire::wire::", stringify!($name), ";")]
        ///
        #[doc = concat!("let value = ", stringify!($name), "(", stringify!($int), "::MAX);")]
        /// let json = serde_json::to_string(&value).unwrap();
        #[doc = concat!("assert_eq!(json, format!(\"\\\"{}\\\"\", ", stringify!($int), "::MAX));")]
        #[doc = concat!("assert_eq!(serde_json::from_str::<", stringify!($name), ">(&json).unwrap(), value);")]
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub $int);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Decimal;
                impl Visitor<'_> for Decimal {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a decimal string holding ", $what))
                    }
                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$name, E> {
                        // `from_str` alone also takes "+5" and "007", which the published
                        // pattern refuses: a value the TypeScript side would reject must
                        // not pass here either.
                        canonical_decimal(text, <$int>::MIN != 0)
                            .then(|| <$int>::from_str(text).ok())
                            .flatten()
                            .map($name)
                            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
                    }
                }
                deserializer.deserialize_str(Decimal)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": concat!("A decimal string holding ", $what, "."),
                })
            }
        }

        impl Validate for $name {
            fn validate_into(&self, _: &mut Report) {}
        }

        impl crate::IncomingPayload for $name {}

        impl From<$int> for $name {
            fn from(value: $int) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $int {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

decimal_string!(
    U64,
    u64,
    "^(0|[1-9][0-9]{0,19})$",
    "an unsigned 64-bit integer"
);
decimal_string!(
    I64,
    i64,
    "^(0|-?[1-9][0-9]{0,18})$",
    "a signed 64-bit integer"
);
