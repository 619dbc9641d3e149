//! The page's copy of socket.io-client is the locked npm package's own file.

#[test]
fn vendored_socket_io_matches_the_locked_package() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let vendored = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/web/vendor/socket.io.esm.min.js"
    ))
    .unwrap();
    let locked = std::fs::read(format!(
        "{root}/node_modules/socket.io-client/dist/socket.io.esm.min.js"
    ))
    .expect("run `npm ci` at the repository root (the README's test command does it)");
    assert!(
        vendored == locked,
        "web/vendor/socket.io.esm.min.js differs from the locked socket.io-client: copy it again"
    );
}
