//! The board's generated TypeScript client (`web/generated/`) is checked in and current.
//! `EVENTWIRE_BLESS=1 cargo test -p board` rewrites it after a contract change.

use board::contract::Board;

#[test]
fn generated_client_is_current() {
    let files = eventwire_codegen::Generator::new()
        .contract::<Board>()
        .files("board")
        .expect("the board contract generates");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/generated");
    if let Err(error) = eventwire_codegen::check_or_bless(dir, &files) {
        panic!("{error}");
    }
}
