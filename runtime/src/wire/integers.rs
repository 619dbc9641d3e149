//! [`U64`] and [`I64`]: 64-bit integers as decimal strings.

use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validate::{Report, Validate};

/// The largest integer a JavaScript `number` holds exactly, 2^53 − 1
/// (`Number.MAX_SAFE_INTEGER`); its negation is the smallest. The code generator accepts a
/// 64-bit field as `number` only when its `#[validate(range(...))]` stays within them.
///
/// ```
/// assert_eq!(eventwire::wire::MAX_SAFE_INTEGER, 9_007_199_254_740_991);
/// ```
pub const MAX_SAFE_INTEGER: i64 = eventwire_macros::__max_safe_integer!();

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
                        <$int>::from_str(text).map($name).map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
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
