//! Misuse is a compile error with a readable message: each file under `ui/` is one mistake,
//! its `.stderr` the exact message a user sees.

#[test]
fn misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*/*.rs");
}
