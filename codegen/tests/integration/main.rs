//! Expected TypeScript for every serde shape: one module per shape, each comparing whole
//! declarations.

// Test types are `pub` for the derives, and their generated event constructors go unused:
// nothing outside reads them.
#![allow(unreachable_pub, dead_code)]

mod binary;
mod breaking;
mod check;
mod docs;
mod enums;
mod events;
mod faults;
mod integers;
mod jsdoc;
mod names;
mod structs;

use eventwire::Contract;
use eventwire_codegen::Generator;

/// The generated `.d.ts` of contract `C`.
pub fn dts<C: Contract>() -> String {
    Generator::new()
        .contract::<C>()
        .files("t")
        .expect("generates")
        .swap_remove(0)
        .contents
}

/// The declaration of `name` (with its JSDoc), exactly as generated.
pub fn declaration(dts: &str, name: &str) -> String {
    let start = dts
        .find(&format!("export interface {name} "))
        .or_else(|| dts.find(&format!("export type {name} ")))
        .or_else(|| dts.find(&format!("export declare function {name}(")))
        .unwrap_or_else(|| panic!("no declaration of {name} in:\n{dts}"));
    let doc_start = dts[..start].rfind("\n\n").map_or(0, |i| i + 2);
    let end = start + dts[start..].find("\n\n").unwrap_or(dts.len() - start);
    dts[doc_start..end].trim_end().to_owned()
}

/// Asserts the declaration of `name` equals `expected`, printing both on failure.
#[track_caller]
pub fn assert_declaration(dts: &str, name: &str, expected: &str) {
    let actual = declaration(dts, name);
    assert!(
        actual == expected.trim(),
        "declaration of {name}:\n--- expected\n{}\n--- actual\n{actual}",
        expected.trim()
    );
}
