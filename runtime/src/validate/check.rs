//! The checks that `#[validate(...)]` rules expand to. Used by generated code only.
//!
//! A rule on an `Option` field checks the value when it is present (as `validator` does);
//! `required` is the rule that demands presence.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Display;

use validator::{ValidateEmail, ValidateUrl};

use super::{Report, ValidationError};

/// Something with a length: characters for strings, items for collections.
pub trait HasLength {
    /// `None` when absent (an empty `Option`): nothing to check.
    fn length(&self) -> Option<usize>;
    /// What the length counts, for messages.
    const UNIT: &'static str;
}

impl HasLength for String {
    fn length(&self) -> Option<usize> {
        Some(self.chars().count())
    }
    const UNIT: &'static str = "character";
}

impl HasLength for str {
    fn length(&self) -> Option<usize> {
        Some(self.chars().count())
    }
    const UNIT: &'static str = "character";
}

macro_rules! collection_length {
    ($($ty:ident<$($p:ident),*>),*) => {
        $(impl<$($p),*> HasLength for $ty<$($p),*> {
            fn length(&self) -> Option<usize> {
                Some(self.len())
            }
            const UNIT: &'static str = "item";
        })*
    };
}

collection_length!(Vec<T>, VecDeque<T>, HashSet<T, S>, BTreeSet<T>, HashMap<K, V, S>, BTreeMap<K, V>);

/// Binary data counts bytes.
impl HasLength for bytes::Bytes {
    fn length(&self) -> Option<usize> {
        Some(self.len())
    }
    const UNIT: &'static str = "byte";
}

impl<T> HasLength for [T] {
    fn length(&self) -> Option<usize> {
        Some(self.len())
    }
    const UNIT: &'static str = "item";
}

impl<T: HasLength + ?Sized> HasLength for &T {
    fn length(&self) -> Option<usize> {
        (**self).length()
    }
    const UNIT: &'static str = T::UNIT;
}

impl<T: HasLength> HasLength for Option<T> {
    fn length(&self) -> Option<usize> {
        self.as_ref().and_then(HasLength::length)
    }
    const UNIT: &'static str = T::UNIT;
}

impl<T: HasLength + ?Sized> HasLength for Box<T> {
    fn length(&self) -> Option<usize> {
        (**self).length()
    }
    const UNIT: &'static str = T::UNIT;
}

fn plural(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("{n} {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `#[validate(length(min, max, equal))]`.
pub fn length<T: HasLength + ?Sized>(
    report: &mut Report,
    value: &T,
    min: Option<usize>,
    max: Option<usize>,
    equal: Option<usize>,
) {
    let Some(len) = value.length() else { return };
    let message = match (equal, min, max) {
        (Some(eq), _, _) if len != eq => format!("must be exactly {} long", plural(eq, T::UNIT)),
        (_, Some(min), Some(max)) if len < min || len > max => {
            format!("must be between {min} and {} long", plural(max, T::UNIT))
        }
        (_, Some(min), None) if len < min => {
            format!("must be at least {} long", plural(min, T::UNIT))
        }
        (_, None, Some(max)) if len > max => {
            format!("must be at most {} long", plural(max, T::UNIT))
        }
        _ => return,
    };
    report.push(ValidationError::new("length", message));
}

/// A number that `range` can compare; `Option` numbers are checked when present.
pub trait RangeValue {
    /// The number type the bounds are written in.
    type Number: PartialOrd + Display + Copy;
    /// `None` when absent.
    fn number(&self) -> Option<Self::Number>;
}

macro_rules! range_value {
    ($($ty:ty),*) => {
        $(impl RangeValue for $ty {
            type Number = $ty;
            fn number(&self) -> Option<$ty> {
                Some(*self)
            }
        })*
    };
}

range_value!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

impl<T: RangeValue> RangeValue for Option<T> {
    type Number = T::Number;
    fn number(&self) -> Option<T::Number> {
        self.as_ref().and_then(RangeValue::number)
    }
}

impl<T: RangeValue + ?Sized> RangeValue for &T {
    type Number = T::Number;
    fn number(&self) -> Option<T::Number> {
        (**self).number()
    }
}

/// `#[validate(range(min, max))]`. NaN is outside every range.
pub fn range<T: RangeValue + ?Sized>(
    report: &mut Report,
    value: &T,
    min: Option<T::Number>,
    max: Option<T::Number>,
) {
    let Some(n) = value.number() else { return };
    // `partial_cmp` is `None` for NaN: outside every range.
    use std::cmp::Ordering::{Greater, Less};
    let below = min.is_some_and(|min| matches!(n.partial_cmp(&min), Some(Less) | None));
    let above = max.is_some_and(|max| matches!(n.partial_cmp(&max), Some(Greater) | None));
    if !below && !above {
        return;
    }
    let message = match (min, max) {
        (Some(min), Some(max)) => format!("must be between {min} and {max}"),
        (Some(min), None) => format!("must be at least {min}"),
        (None, Some(max)) => format!("must be at most {max}"),
        (None, None) => return,
    };
    report.push(ValidationError::new("range", message));
}

/// Text that the string rules check; `Option` text is checked when present.
pub trait AsText {
    /// `None` when absent.
    fn text(&self) -> Option<&str>;
}

impl AsText for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl AsText for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: AsText + ?Sized> AsText for &T {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}

impl<T: AsText> AsText for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(AsText::text)
    }
}

/// `#[validate(email)]`, with the `validator` crate's HTML5 email rule.
pub fn email<T: AsText + ?Sized>(report: &mut Report, value: &T) {
    if let Some(text) = value.text()
        && !text.validate_email()
    {
        report.push(ValidationError::new("email", "must be an email address"));
    }
}

/// `#[validate(url)]`, with the `validator` crate's (WHATWG) URL rule.
pub fn url<T: AsText + ?Sized>(report: &mut Report, value: &T) {
    if let Some(text) = value.text()
        && !text.validate_url()
    {
        report.push(ValidationError::new("url", "must be a URL"));
    }
}

/// `#[validate(regex(path = *RE))]`.
pub fn regex<T: AsText + ?Sized>(report: &mut Report, value: &T, regex: &regex::Regex) {
    if let Some(text) = value.text()
        && !regex.is_match(text)
    {
        report.push(ValidationError::new(
            "pattern",
            format!("must match the pattern {}", regex.as_str()),
        ));
    }
}

/// `#[validate(contains(pattern = "..."))]`.
pub fn contains<T: AsText + ?Sized>(report: &mut Report, value: &T, needle: &str) {
    if let Some(text) = value.text()
        && !text.contains(needle)
    {
        report.push(ValidationError::new(
            "contains",
            format!("must contain {needle:?}"),
        ));
    }
}

/// `#[validate(required)]`: the field must be present and not `null`.
pub fn required<T>(report: &mut Report, value: &Option<T>) {
    if value.is_none() {
        report.push(ValidationError::new("required", "is required"));
    }
}

/// `#[validate(custom(function = f))]`: `f(&value)`, whose error is reported as is.
pub fn custom<T: ?Sized, E: Into<ValidationError>>(
    report: &mut Report,
    value: &T,
    check: impl FnOnce(&T) -> Result<(), E>,
) {
    if let Err(error) = check(value) {
        report.push(error.into());
    }
}
