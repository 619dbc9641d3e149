//! Validation of incoming payloads, driven by `#[validate(...)]` attributes.
//!
//! [`Validate`] is derived (through [`payload`](crate::payload)) from the `validator`
//! crate's attribute vocabulary, which schemars also reads into JSON Schema: one attribute
//! reaches the Rust check, the schema and the TypeScript JSDoc. eventwire generates the
//! checks itself rather than deriving `validator::Validate`, so every problem is reported
//! at the JSON path the client sent (serde renames applied) and users need no extra crate.

pub mod check;
mod impls;
mod issue;

pub use issue::{Issue, PathSegment};

use std::borrow::Cow;

/// A type whose values can be checked after deserialization.
///
/// Derive it with [`#[payload]`](crate::payload) (or `#[derive(Validate)]` on a type that
/// already has serde and schemars derives). Implementations exist for the standard types
/// (which accept every value) and for containers, which validate their elements.
///
/// ```
/// use eventwire::{payload, Validate};
///
/// #[payload]
/// struct Signup {
///     #[validate(length(min = 3, max = 20))]
///     name: String,
///     #[validate(email)]
///     email: String,
/// }
///
/// let bad = Signup { name: "al".into(), email: "nope".into() };
/// let issues = bad.validate().unwrap_err();
/// assert_eq!(issues.len(), 2);
/// assert_eq!(issues[0].path_string(), "name");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be validated as an eventwire payload",
    note = "declare it with `#[eventwire::payload]`, or add `#[derive(eventwire::Validate)]` next to its serde derives"
)]
pub trait Validate {
    /// Adds every problem of `self` to `report`, at the report's current path.
    fn validate_into(&self, report: &mut Report);

    /// Checks `self`, returning every problem found.
    fn validate(&self) -> Result<(), Vec<Issue>> {
        let mut report = Report::default();
        self.validate_into(&mut report);
        report.into_result()
    }
}

/// The problems found while validating one value, each at its JSON path.
#[derive(Debug, Default)]
pub struct Report {
    /// Inline up to 8 steps: a valid payload is checked without allocating (a `Vec` would
    /// allocate at the first field, for every event).
    path: smallvec::SmallVec<[Step; 8]>,
    issues: Vec<Issue>,
}

/// One step of a [`Report`]'s current path: a field name (borrowed, so walking a valid
/// value allocates nothing), a map key, or an index.
#[derive(Debug, Clone)]
pub enum Step {
    /// A field name, as written in the code.
    Field(&'static str),
    /// A map key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl From<&'static str> for Step {
    fn from(field: &'static str) -> Self {
        Self::Field(field)
    }
}

impl From<String> for Step {
    fn from(key: String) -> Self {
        Self::Key(key)
    }
}

impl From<usize> for Step {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

impl Report {
    /// Runs `f` with `step` appended to the current path.
    pub fn at(&mut self, step: impl Into<Step>, f: impl FnOnce(&mut Report)) {
        self.path.push(step.into());
        f(self);
        self.path.pop();
    }

    /// Records a problem at the current path.
    pub fn push(&mut self, error: ValidationError) {
        let path = self
            .path
            .iter()
            .map(|step| match step {
                Step::Field(name) => PathSegment::Key((*name).to_owned()),
                Step::Key(key) => PathSegment::Key(key.clone()),
                Step::Index(index) => PathSegment::Index(*index),
            })
            .collect();
        self.issues.push(Issue {
            path,
            code: error.code.into_owned(),
            message: error.message.into_owned(),
        });
    }

    /// `Ok` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Vec<Issue>> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(self.issues)
        }
    }
}

/// What a custom check returns when a value is invalid.
///
/// ```
/// use eventwire::ValidationError;
///
/// fn not_admin(name: &String) -> Result<(), ValidationError> {
///     if name == "admin" {
///         return Err(ValidationError::new("reserved", "this name is reserved"));
///     }
///     Ok(())
/// }
/// assert!(not_admin(&"admin".to_string()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// A short machine-readable code, e.g. `"length"` or `"reserved"`.
    pub code: Cow<'static, str>,
    /// A human-readable sentence.
    pub message: Cow<'static, str>,
}

impl ValidationError {
    /// A problem with a code and a message.
    pub fn new(code: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<&'static str> for ValidationError {
    /// A problem with code `"custom"` and the given message.
    fn from(message: &'static str) -> Self {
        Self::new("custom", message)
    }
}

impl From<String> for ValidationError {
    /// A problem with code `"custom"` and the given message.
    fn from(message: String) -> Self {
        Self::new("custom", message)
    }
}
