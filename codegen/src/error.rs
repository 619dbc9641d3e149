//! Why generation failed.

/// Why TypeScript could not be generated faithfully.
///
/// Its `Debug` form is its message, so the documented `.unwrap()` in a test prints the
/// location and the fix rather than a one-line dump of the fields.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// A 64-bit integer without bounds: a JavaScript `number` would silently lose precision
    /// above 2^53.
    #[error(
        "`{location}` is a 64-bit integer ({format}): JavaScript numbers lose precision above 2^53. \
         Use a 32-bit type, bound it with `#[validate(range(min = -{max}, max = {max}))]`, \
         or send it as a string with `eventwire::wire::U64` / `eventwire::wire::I64`",
        max = eventwire::wire::MAX_SAFE_INTEGER
    )]
    UnsafeInteger {
        /// Where: `Type.field` or `Type.field[]`.
        location: String,
        /// The schema's integer format (`int64`, `uint64`, `int`, `uint`, ...).
        format: String,
    },
    /// A payload type's name is one the generated module declares or uses itself.
    #[error(
        "the payload type `{name}` would shadow a name the generated TypeScript uses; \
         rename it, or give it another schema name with `#[schemars(rename = \"...\")]`"
    )]
    NameTaken {
        /// The name.
        name: String,
    },
    /// The schema uses a construct the generator does not translate.
    #[error("`{location}` has a schema the TypeScript generator does not support: {detail}")]
    Unsupported {
        /// Where.
        location: String,
        /// What.
        detail: String,
    },
}

/// Why checked-in generated files are not current.
///
/// Its `Debug` form is its message: `check_or_bless(..).unwrap()` in a test prints the
/// unified diff line by line and says to run with `EVENTWIRE_BLESS=1`, instead of one
/// escaped line of struct fields.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// Generation failed.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// A file differs from a fresh generation (the unified diff is in the message).
    #[error("{path} is stale; run again with EVENTWIRE_BLESS=1 to rewrite it:\n{diff}")]
    Stale {
        /// The file.
        path: String,
        /// Unified diff from the checked-in file to the fresh one.
        diff: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// `Debug` as `Display`: these errors end up in a test's `.unwrap()`, where the readable
/// message (a diff, a fix) is what the reader needs.
macro_rules! debug_is_display {
    ($($error:ty),*) => {$(
        impl std::fmt::Debug for $error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self, f)
            }
        }
    )*};
}

debug_is_display!(GenerateError, CheckError);
