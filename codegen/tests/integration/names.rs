use std::collections::{BTreeMap, HashMap};

use eventwire::{Contract, payload};

/// A generic page.
#[payload]
pub struct Page<T> {
    pub items: Vec<T>,
}

/// Maps, tuples, arrays and recursion.
#[payload]
pub struct Collections {
    pub by_name: HashMap<String, u32>,
    pub by_id: BTreeMap<u32, String>,
    pub pair: (u8, String),
    pub tree: Option<Box<Collections>>,
}

#[derive(Contract)]
pub enum Api {
    #[client(ack = Page<u32>)]
    List(Page<String>),
    #[server]
    Collections(Collections),
}

#[test]
fn page_of_string() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "PageOfString",
        r#"
/** A generic page. */
export interface PageOfString {
  items: string[];
}
"#,
    );
}

#[test]
fn page_of_uint32() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "PageOfUint32",
        r#"
/** A generic page. */
export interface PageOfUint32 {
  items: number[];
}
"#,
    );
}

#[test]
fn collections() {
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "Collections",
        r#"
/** Maps, tuples, arrays and recursion. */
export interface Collections {
  by_id: { [key: string]: string };
  by_name: { [key: string]: number };
  /**
   * @minItems 2
   * @maxItems 2
   */
  pair: [number, string];
  tree: Collections | null;
}
"#,
    );
}
