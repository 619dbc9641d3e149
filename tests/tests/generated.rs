//! The Node clients' generated TypeScript and JSON Schema are checked in and current
//! (`EVENTWIRE_BLESS=1` rewrites them).

#[test]
fn generated_files_are_current() {
    let dir = eventwire_tests::node_dir().join("generated");
    if let Err(error) = eventwire_codegen::check_or_bless(&dir, &eventwire_tests::generated_files())
    {
        panic!("{error}");
    }
}
