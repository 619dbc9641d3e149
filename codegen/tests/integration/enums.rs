use eventwire::{Contract, payload};

/// Externally tagged.
#[payload]
pub enum External {
    Unit,
    Newtype(u32),
    Tuple(u8, String),
    Struct { x: i32 },
}

/// Internally tagged.
#[payload]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Internal {
    Empty,
    Wrapped(Point),
    Named { label: String },
}

/// Adjacently tagged.
#[payload]
#[serde(tag = "t", content = "c")]
pub enum Adjacent {
    Nothing,
    Number(f64),
    Pair { a: bool },
}

/// Untagged.
#[payload]
#[serde(untagged)]
pub enum Untagged {
    Count(u16),
    Text(String),
}

/// Only unit variants: a string union.
#[payload]
#[serde(rename_all = "camelCase")]
pub enum Colour {
    DeepRed,
    Blue,
}

/// Names with TypeScript's operators in them, inlined where they are used.
#[payload]
#[schemars(inline)]
pub enum Operator {
    #[serde(rename = "a<b")]
    Less,
    #[serde(rename = "a|b")]
    Either,
}

/// A list of operators: the union of their literal types, in parentheses.
#[payload]
pub struct Operators {
    pub list: Vec<Operator>,
    pub one: Operator,
}

/// A point.
#[payload]
pub struct Point {
    pub x: i32,
}

#[derive(Contract)]
pub enum Api {
    #[server]
    External(External),
    #[server]
    Internal(Internal),
    #[server]
    Adjacent(Adjacent),
    #[server]
    Untagged(Untagged),
    #[server]
    Colour(Colour),
    #[server]
    Operators(Operators),
}

#[test]
fn external() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "External",
        r#"
/** Externally tagged. */
export type External = "Unit" | {
  /** @minimum 0 */
  Newtype: number;
} | {
  /**
   * @minItems 2
   * @maxItems 2
   */
  Tuple: [number, string];
} | {
  Struct: {
    x: number;
  };
};
"#,
    );
}

#[test]
fn internal() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Internal",
        r#"
/** Internally tagged. */
export type Internal = {
  kind: "empty";
} | Point & {
  kind: "wrapped";
} | {
  kind: "named";
  label: string;
};
"#,
    );
}

#[test]
fn adjacent() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Adjacent",
        r#"
/** Adjacently tagged. */
export type Adjacent = {
  t: "Nothing";
} | {
  c: number;
  t: "Number";
} | {
  c: {
    a: boolean;
  };
  t: "Pair";
};
"#,
    );
}

#[test]
fn untagged() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Untagged",
        r#"
/** Untagged. */
export type Untagged = number | string;
"#,
    );
}

#[test]
fn colour() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Colour",
        r#"
/** Only unit variants: a string union. */
export type Colour = "deepRed" | "blue";
"#,
    );
}

#[test]
fn literals_with_operators_in_them() {
    // The `<` of the first name opens no type arguments: the union is parenthesized as an
    // array's items, and `"a|b"` is one literal.
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Operators",
        r#"
/** A list of operators: the union of their literal types, in parentheses. */
export interface Operators {
  list: ("a<b" | "a|b")[];
  /** Names with TypeScript's operators in them, inlined where they are used. */
  one: "a<b" | "a|b";
}
"#,
    );
}
