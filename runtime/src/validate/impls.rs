//! `Validate` for standard types: leaves accept every value, containers validate their elements.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Display;
use std::sync::Arc;

use super::{Report, Validate};

macro_rules! always_valid {
    ($($ty:ty),* $(,)?) => {
        $(impl Validate for $ty {
            fn validate_into(&self, _: &mut Report) {}
        })*
    };
}

/// Leaves that are payloads on their own too: `Validate` and
/// [`IncomingPayload`](crate::IncomingPayload) from one list.
macro_rules! leaf_payloads {
    ($($ty:ty),* $(,)?) => {
        always_valid!($($ty),*);
        $(impl crate::IncomingPayload for $ty {})*
    };
}

// Unsized, or without a schema: fields only.
always_valid!(str, bytes::Bytes);

leaf_payloads!(
    (),
    bool,
    char,
    String,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    serde_json::Value,
);

impl<T: Validate + ?Sized> Validate for &T {
    fn validate_into(&self, report: &mut Report) {
        (**self).validate_into(report);
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, report: &mut Report) {
        (**self).validate_into(report);
    }
}

impl<T: Validate + ?Sized> Validate for Arc<T> {
    fn validate_into(&self, report: &mut Report) {
        (**self).validate_into(report);
    }
}

/// An answer declared `ack = Result<T, E>`: whichever side arrived is checked.
impl<T: Validate, E: Validate> Validate for Result<T, E> {
    fn validate_into(&self, report: &mut Report) {
        match self {
            Ok(value) => value.validate_into(report),
            Err(error) => error.validate_into(report),
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, report: &mut Report) {
        if let Some(value) = self {
            value.validate_into(report);
        }
    }
}

fn sequence<'a, T: Validate + 'a>(items: impl IntoIterator<Item = &'a T>, report: &mut Report) {
    for (index, item) in items.into_iter().enumerate() {
        report.at(index, |report| item.validate_into(report));
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, report: &mut Report) {
        sequence(self, report);
    }
}

impl<T: Validate> Validate for [T] {
    fn validate_into(&self, report: &mut Report) {
        sequence(self, report);
    }
}

impl<T: Validate, const N: usize> Validate for [T; N] {
    fn validate_into(&self, report: &mut Report) {
        sequence(self, report);
    }
}

impl<T: Validate> Validate for VecDeque<T> {
    fn validate_into(&self, report: &mut Report) {
        sequence(self, report);
    }
}

impl<T: Validate, S> Validate for HashSet<T, S> {
    fn validate_into(&self, report: &mut Report) {
        sequence(self, report);
    }
}

impl<T: Validate> Validate for BTreeSet<T> {
    fn validate_into(&self, report: &mut Report) {
        sequence(self, report);
    }
}

impl<K: Display, V: Validate, S> Validate for HashMap<K, V, S> {
    fn validate_into(&self, report: &mut Report) {
        for (key, value) in self {
            report.at(key.to_string(), |report| value.validate_into(report));
        }
    }
}

impl<K: Display, V: Validate> Validate for BTreeMap<K, V> {
    fn validate_into(&self, report: &mut Report) {
        for (key, value) in self {
            report.at(key.to_string(), |report| value.validate_into(report));
        }
    }
}
