// Fails with a diff when the contract changed; `EVENTWIRE_BLESS=1 cargo test` rewrites the files.
#[test]
fn generated_client_is_current() {
    let files = eventwire_codegen::Generator::new()
        .contract::<todo::TodoApi>()
        .files("todo")
        .unwrap();
    eventwire_codegen::check_or_bless(
        concat!(env!("CARGO_MANIFEST_DIR"), "/web/generated"),
        &files,
    )
    .unwrap();
}
