//! [`Issue`]: one problem in a payload, at a JSON path. Validation, decoding, handshake
//! refusals and faults all report problems this way.

use serde::Serialize;

/// One problem in a payload: where (a JSON path) and what.
///
/// ```
/// use eventwire::{Issue, PathSegment};
///
/// let issue = Issue {
///     path: vec![PathSegment::from("items"), PathSegment::from(2), PathSegment::from("name")],
///     code: "length".into(),
///     message: "must be at least 1 character long".into(),
/// };
/// assert_eq!(issue.path_string(), "items[2].name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Issue {
    /// Keys and indices from the payload's root to the problem; empty for the root itself.
    pub path: Vec<PathSegment>,
    /// A short machine-readable code: `type` for a value of the wrong shape, or the rule
    /// that failed (`length`, `range`, `email`, `url`, `pattern`, `contains`, `required`,
    /// or a custom check's code).
    pub code: String,
    /// A sentence for humans.
    pub message: String,
}

impl Issue {
    /// Every issue as `path: message`, separated by `; `: how error messages, faults and
    /// handshake refusals list them. An issue about the whole payload has no path.
    ///
    /// ```
    /// use eventwire::{Issue, PathSegment};
    ///
    /// let issue = |path: Vec<PathSegment>, message: &str| Issue {
    ///     path,
    ///     code: "type".into(),
    ///     message: message.into(),
    /// };
    /// let issues = [
    ///     issue(vec!["name".into()], "too short"),
    ///     issue(vec![], "expected an object"),
    /// ];
    /// assert_eq!(Issue::list(&issues), "name: too short; expected an object");
    /// ```
    pub fn list(issues: &[Issue]) -> String {
        let shown: Vec<String> = issues.iter().map(Issue::to_string).collect();
        shown.join("; ")
    }

    /// The path as JavaScript would write it: `items[2].name`, or `(root)`.
    pub fn path_string(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
                PathSegment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
            }
        }
        if out.is_empty() {
            "(root)".to_owned()
        } else {
            out
        }
    }
}

/// One step of an [`Issue`]'s path: an object key (a string on the wire) or an array index
/// (a number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl PathSegment {
    /// The segments of a path tracked while deserializing.
    pub(crate) fn from_serde_path(path: &serde_path_to_error::Path) -> Vec<PathSegment> {
        use serde_path_to_error::Segment;
        path.iter()
            .filter_map(|segment| match segment {
                Segment::Seq { index } => Some(PathSegment::Index(*index)),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    Some(PathSegment::Key(key.clone()))
                }
                Segment::Unknown => None,
            })
            .collect()
    }
}

impl From<&str> for PathSegment {
    fn from(key: &str) -> Self {
        Self::Key(key.to_owned())
    }
}

impl From<String> for PathSegment {
    fn from(key: String) -> Self {
        Self::Key(key)
    }
}

impl From<usize> for PathSegment {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

impl std::fmt::Display for Issue {
    /// `path: message`, or the message alone for the whole payload.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path_string(), self.message)
        }
    }
}
