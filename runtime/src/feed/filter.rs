//! [`Filter`]: a typed, validated filter over a feed's items, written once for memory (the
//! matcher) and for the database (a parameterized SQL `WHERE` fragment).

use std::fmt::Write as _;

use serde::Serialize;

use crate::wire::payload::IncomingPayload;

/// A filter over items of type [`Item`](Filter::Item), derived with
/// [`#[derive(Filter)]`](crate::Filter) on a `#[payload]` struct whose fields are all
/// `Option`: a field left out (or `null`) does not constrain, the others are combined
/// with AND.
///
/// ```
/// use eventwire::{payload, Filter, feed::Placeholders};
///
/// #[payload]
/// #[derive(Clone)]
/// pub struct Task { pub id: u32, pub status: String, pub priority: u8, pub title: String }
///
/// #[payload]
/// #[derive(Filter)]
/// #[serde(deny_unknown_fields, rename_all = "camelCase")]
/// #[filter(item = Task)]
/// pub struct TaskFilter {
///     #[filter(eq)]
///     pub status: Option<String>,
///     #[filter(gte, field = priority)]
///     pub min_priority: Option<u8>,
///     #[filter(contains, field = title)]
///     pub search: Option<String>,
/// }
///
/// let filter = TaskFilter { status: Some("doing".into()), min_priority: Some(3), search: None };
/// let task = Task { id: 1, status: "doing".into(), priority: 4, title: "Ship it".into() };
/// assert!(filter.matches(&task));
///
/// let sql = filter.to_sql(Placeholders::Sqlite);
/// assert_eq!(sql.clause, r#""status" = ?1 AND "priority" >= ?2"#);
/// assert_eq!(sql.params.len(), 2);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a feed filter",
    note = "derive it: `#[payload] #[derive(eventwire::Filter)] #[filter(item = Item)] struct {Self} {{ ... }}`"
)]
pub trait Filter: IncomingPayload + Sync {
    /// The items this filter selects.
    type Item;

    /// Whether `item` passes every constraint that is set (and the custom predicate, if
    /// the filter declares one).
    fn matches(&self, item: &Self::Item) -> bool;

    /// The operator constraints as a SQL condition with placeholders numbered from 1
    /// (custom predicates are not part of it: see [`HAS_CUSTOM`](Self::HAS_CUSTOM)).
    fn to_sql(&self, style: Placeholders) -> Where {
        self.to_sql_from(style, 1)
    }

    /// Like [`to_sql`](Self::to_sql), numbering placeholders from `first` (to follow
    /// parameters of your own).
    fn to_sql_from(&self, style: Placeholders, first: usize) -> Where;

    /// Whether the filter has a custom predicate, which the SQL fragment cannot express:
    /// a snapshot loaded with [`to_sql`](Self::to_sql) then keeps the rows that
    /// [`matches`](Self::matches).
    const HAS_CUSTOM: bool;

    /// How many fields the feed's index knows (the `eq` constraints). Used by the feed
    /// runtime, not public API.
    #[doc(hidden)]
    const EQ_FIELDS: usize;

    /// The index entry of this filter: the first `eq` constraint that is set, as its
    /// field's position among the `eq` fields and the value's JSON text.
    #[doc(hidden)]
    fn index_entry(&self) -> Option<(usize, String)>;

    /// The JSON text of `item`'s value of every `eq` field, in order.
    #[doc(hidden)]
    fn index_values(item: &Self::Item) -> Vec<String>;

    /// A text equal for two filters only when they select the same items, so that their
    /// subscribers can share one frame per change; `None` (the default, for filters written
    /// by hand): never shared. The derive returns [`sql_share_key`].
    #[doc(hidden)]
    fn share_key(&self) -> Option<String> {
        None
    }
}

/// The share key of a derived filter: its SQL fragment and its values as bound (a float's
/// text is exact), which say everything a filter without a custom predicate selects (they
/// agree with [`Filter::matches`], as the property tests check); `None` with a custom
/// predicate, or a value whose bound form is not exact (a `u64` above `i64::MAX`, one that
/// failed to serialize).
///
/// ```
/// use eventwire::{payload, Filter, feed::sql_share_key};
///
/// #[payload]
/// pub struct Item { pub id: u32, pub title: String }
///
/// #[payload]
/// #[derive(Filter)]
/// #[serde(deny_unknown_fields)]
/// #[filter(item = Item)]
/// pub struct ById {
///     #[filter(eq)]
///     pub id: Option<u32>,
///     #[filter(contains, field = title)]
///     pub search: Option<String>,
/// }
///
/// let key = |id, search: &str| sql_share_key(&ById { id: Some(id), search: Some(search.into()) });
/// assert!(key(7, "a").is_some());
/// assert_eq!(key(7, "a"), key(7, "a"));
/// assert_ne!(key(7, "a"), key(8, "a"));
/// assert_ne!(key(7, "a"), key(7, "b"));
/// assert_ne!(key(7, "a"), sql_share_key(&ById { id: Some(7), search: None }));
/// ```
#[doc(hidden)]
pub fn sql_share_key<F: Filter>(filter: &F) -> Option<String> {
    if F::HAS_CUSTOM {
        return None;
    }
    let sql = filter.to_sql(Placeholders::Sqlite);
    sql.exact
        .then(|| format!("{}\u{0}{:?}", sql.clause, sql.params))
}

/// How placeholders are written in a [`Where`] clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholders {
    /// `?1`, `?2`, ... (SQLite; rusqlite binds them by position).
    Sqlite,
    /// `$1`, `$2`, ... (PostgreSQL).
    Postgres,
}

/// A SQL condition and the values bound to its placeholders, in order. Column names are
/// quoted identifiers; values are never written into the text.
///
/// ```
/// use eventwire::feed::{Placeholders, SqlValue, Where};
///
/// let mut clause = Where::new(Placeholders::Postgres, 1);
/// clause.compare("priority", ">=", &3u8);
/// clause.contains("title", "ship");
/// assert_eq!(clause.params, [SqlValue::Integer(3), SqlValue::Text("ship".into())]);
/// assert!(clause.clause.starts_with(r#""priority" >= $1 AND strpos("#));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Where {
    /// The condition, `1 = 1` when nothing is constrained: always valid after `WHERE`.
    pub clause: String,
    /// The values of the placeholders, in order.
    pub params: Vec<SqlValue>,
    style: Placeholders,
    next: usize,
    parts: usize,
    /// Whether every value is bound as it is (see [`sql_share_key`]).
    exact: bool,
}

/// A value bound to a placeholder: the JSON (wire) form of the filter value. Strings and
/// unit enum variants are text, integers integers, other numbers reals, booleans booleans
/// (SQLite stores them as 0 and 1); any other shape is bound as its JSON text.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// An integer (a `u64` above `i64::MAX` is bound as a real).
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// A boolean.
    Bool(bool),
}

impl SqlValue {
    /// The value of `value`'s JSON form.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        Self::read(value).0
    }

    /// The value of `value`'s JSON form, and whether it is `value` exactly.
    fn read<T: Serialize + ?Sized>(value: &T) -> (Self, bool) {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::String(text)) => (Self::Text(text), true),
            Ok(serde_json::Value::Bool(b)) => (Self::Bool(b), true),
            Ok(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) => (Self::Integer(i), true),
                // A float is bound as it is; a `u64` above `i64::MAX` is rounded.
                None => (Self::Real(n.as_f64().unwrap_or(f64::NAN)), n.is_f64()),
            },
            Ok(other) => (Self::Text(other.to_string()), true),
            Err(_) => (Self::Text(String::new()), false),
        }
    }
}

/// ASCII upper-case letters and their lower-case forms, for PostgreSQL's `translate`:
/// `lower()` there follows the database's locale, SQLite's lowers ASCII only, and
/// [`contains_ignore_case`] lowers ASCII only, so all three agree.
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";

impl Where {
    /// An empty condition whose first placeholder is number `first`.
    pub fn new(style: Placeholders, first: usize) -> Self {
        Self {
            clause: String::new(),
            params: Vec::new(),
            style,
            next: first,
            parts: 0,
            exact: true,
        }
    }

    /// A placeholder bound to `value`'s JSON form.
    fn bind<T: Serialize + ?Sized>(&mut self, value: &T) -> String {
        let (bound, exact) = SqlValue::read(value);
        self.exact &= exact;
        self.placeholder(bound)
    }

    fn placeholder(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        let n = self.next;
        self.next += 1;
        match self.style {
            Placeholders::Sqlite => format!("?{n}"),
            Placeholders::Postgres => format!("${n}"),
        }
    }

    fn and(&mut self, condition: &str) {
        if self.parts > 0 {
            self.clause.push_str(" AND ");
        }
        self.clause.push_str(condition);
        self.parts += 1;
    }

    /// `column <op> value`, for `=`, `<>`, `>`, `>=`, `<`, `<=`.
    pub fn compare<T: Serialize + ?Sized>(&mut self, column: &str, op: &str, value: &T) {
        let p = self.bind(value);
        self.and(&format!("{} {op} {p}", quote(column)));
    }

    /// `column IN (values...)`; false for no values.
    pub fn one_of<T: Serialize>(&mut self, column: &str, values: &[T]) {
        if values.is_empty() {
            // `IN ()` is a syntax error in PostgreSQL.
            self.and("1 = 0");
            return;
        }
        let list: Vec<String> = values.iter().map(|v| self.bind(v)).collect();
        self.and(&format!("{} IN ({})", quote(column), list.join(", ")));
    }

    /// `column BETWEEN low AND high` (both included).
    pub fn between<T: Serialize>(&mut self, column: &str, low: &T, high: &T) {
        let low = self.bind(low);
        let high = self.bind(high);
        self.and(&format!("{} BETWEEN {low} AND {high}", quote(column)));
    }

    /// The column contains `needle`, ASCII letters compared case-insensitively (as
    /// [`contains_ignore_case`]).
    pub fn contains(&mut self, column: &str, needle: &str) {
        let p = self.bind(needle);
        let column = quote(column);
        let condition = match self.style {
            Placeholders::Sqlite => format!("instr(lower({column}), lower({p})) > 0"),
            Placeholders::Postgres => format!(
                "strpos(translate({column}, '{UPPER}', '{LOWER}'), translate({p}, '{UPPER}', '{LOWER}')) > 0"
            ),
        };
        self.and(&condition);
    }

    /// Ends the condition: `1 = 1` when nothing was added.
    pub fn finish(mut self) -> Self {
        if self.parts == 0 {
            self.clause.push_str("1 = 1");
        }
        self
    }
}

/// A quoted SQL identifier (`"name"`, inner quotes doubled), understood alike by SQLite
/// and PostgreSQL.
fn quote(column: &str) -> String {
    let mut out = String::with_capacity(column.len() + 2);
    out.push('"');
    for c in column.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The `contains` operator: whether `haystack` contains `needle`, ASCII letters compared
/// without case. Only ASCII is folded, because SQLite's `lower()` folds only ASCII: the
/// matcher and the SQL fragment then agree on every string (`"É"` does not match `"é"`
/// in either).
///
/// ```
/// assert!(eventwire::feed::contains_ignore_case("Ship IT", "it"));
/// assert!(!eventwire::feed::contains_ignore_case("École", "éc"));
/// ```
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let haystack = haystack.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    haystack.contains(&needle)
}

/// The JSON text of an index value. Equal values of one type have one JSON text (the
/// index finds candidates, [`Filter::matches`] decides), except floats `0.0` and `-0.0`:
/// `eq` on a float field may miss them.
#[doc(hidden)]
pub fn index_text<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    match serde_json::to_string(value) {
        Ok(text) => out.push_str(&text),
        Err(error) => {
            let _ = write!(out, "!{error}");
        }
    }
    out
}

/// What `eq`, `ne` and `in` need: the item field and the filter value compare for
/// equality.
#[diagnostic::on_unimplemented(
    message = "`eq`, `ne` and `in` cannot compare the item's `{Self}` with the filter's `{V}`",
    note = "give the filter field the item field's type (inside `Option`), and derive `PartialEq` on it"
)]
pub trait Equality<V: ?Sized> {
    /// `self == value`.
    fn equals(&self, value: &V) -> bool;
}

impl<T: PartialEq<V> + ?Sized, V: ?Sized> Equality<V> for T {
    fn equals(&self, value: &V) -> bool {
        self == value
    }
}

/// What `gt`, `gte`, `lt`, `lte` and `between` need: a number or a string, whose order
/// Rust and SQL share (strings compare by bytes in both, with SQLite's default `BINARY`
/// collation and PostgreSQL's `C` collation).
#[diagnostic::on_unimplemented(
    message = "`gt`, `gte`, `lt`, `lte` and `between` cannot order `{Self}`",
    note = "order operators work on numbers and `String`, whose order SQL shares; compare an enum or a struct with `eq` or `in` instead"
)]
pub trait Ordered: PartialOrd {}

macro_rules! ordered {
    ($($t:ty),*) => { $(impl Ordered for $t {})* };
}
ordered!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, String, str
);

/// What `contains` needs: text on both sides.
#[diagnostic::on_unimplemented(
    message = "`contains` searches text, and `{Self}` is not text",
    note = "`contains` needs a `String` item field and an `Option<String>` filter field"
)]
pub trait Text {
    /// The text.
    fn text(&self) -> &str;
}

impl Text for String {
    fn text(&self) -> &str {
        self
    }
}

impl Text for str {
    fn text(&self) -> &str {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_bound_inexactly_keeps_its_filter_out_of_groups() {
        let mut clause = Where::new(Placeholders::Sqlite, 1);
        clause.compare("id", "=", &1.5f64);
        clause.compare("name", "=", "ann");
        assert!(clause.exact);
        // Two u64s above i64::MAX round to one real: their filters must not share frames.
        clause.compare("id", "=", &u64::MAX);
        assert!(!clause.exact);
        assert_eq!(SqlValue::of(&u64::MAX), SqlValue::of(&(u64::MAX - 1)));
    }
}
