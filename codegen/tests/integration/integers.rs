use eventwire::wire::U64;
use eventwire::{Contract, payload};
use eventwire_codegen::{GenerateError, Generator};

// `#[payload]` refuses a field written `u64` at compile time; an alias hides the integer from
// that syntactic check, and the generator still refuses it.
pub type Count = u64;
pub type Len = usize;

#[payload]
pub struct Unbounded {
    pub count: Count,
}

#[payload]
pub struct Pointer {
    pub len: Len,
}

#[payload]
pub struct Bounded {
    #[validate(range(min = 0, max = 9_007_199_254_740_991u64))]
    pub count: u64,
}

#[payload]
pub struct AsString {
    pub count: U64,
}

#[derive(Contract)]
pub enum Unsafe {
    #[server]
    Unbounded(Unbounded),
}

#[derive(Contract)]
pub enum UnsafeInAck {
    #[client(ack = Pointer)]
    Ask,
}

#[derive(Contract)]
pub enum Safe {
    #[client]
    Bounded(Bounded),
    #[server]
    AsString(AsString),
}

#[test]
fn unbounded_64_bit_integers_are_refused_with_the_fix() {
    let error = Generator::new()
        .contract::<Unsafe>()
        .files("t")
        .unwrap_err();
    assert!(
        matches!(&error, GenerateError::UnsafeInteger { location, format } if location == "Unbounded.count" && format == "uint64")
    );
    assert_eq!(
        error.to_string(),
        "`Unbounded.count` is a 64-bit integer (uint64): JavaScript numbers lose precision above 2^53. \
         Use a 32-bit type, bound it with `#[validate(range(min = -9007199254740991, max = 9007199254740991))]`, \
         or send it as a string with `eventwire::wire::U64` / `eventwire::wire::I64`"
    );
    let error = Generator::new()
        .contract::<UnsafeInAck>()
        .files("t")
        .unwrap_err();
    assert!(
        matches!(&error, GenerateError::UnsafeInteger { location, format } if location == "Pointer.len" && format == "uint")
    );
}

#[test]
fn bounded_and_string_forms_are_accepted() {
    let dts = crate::dts::<Safe>();
    crate::assert_declaration(
        &dts,
        "Bounded",
        r#"
export interface Bounded {
  /**
   * @minimum 0
   * @maximum 9007199254740991
   */
  count: number;
}
"#,
    );
    crate::assert_declaration(
        &dts,
        "U64",
        r#"
/**
 * A decimal string holding an unsigned 64-bit integer.
 * @pattern ^(0|[1-9][0-9]{0,19})$
 */
export type U64 = string;
"#,
    );
}
