//! The chat page in headless Chromium (Debian's `chromium`, driven by playwright-core):
//! two people join, chat both ways, see presence and typing, reload and see history.
//!
//! Skipped with a loud message when Chromium is not installed, unless
//! `EVENTWIRE_REQUIRE_BROWSER=1` (set by CI) makes that a failure. The screenshot goes to
//! `target/chat.png`; with `EVENTWIRE_BLESS=1` also to `docs/chat.png`, which the README shows.

use std::path::Path;

use chat::ChatApp;
use chat::store::Store;

const CHROMIUM: &str = "/usr/bin/chromium";

#[tokio::test]
async fn two_people_chat_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("EVENTWIRE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "EVENTWIRE_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: `apt-get install chromium`"
        );
        eventwire_tests::skip::record(&format!("needs {CHROMIUM} (`apt-get install chromium`)"));
        return;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}/", listener.local_addr().expect("bound"));
    let app =
        chat::router(ChatApp::new(100, Store::in_memory().expect("a store"))).expect("builds");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let screenshot = root.join("target/chat.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser.mjs");
    eventwire_tests::run_node_with(&script, &[&url, &screenshot.to_string_lossy()]).await;
    if std::env::var("EVENTWIRE_BLESS").as_deref() == Ok("1") {
        std::fs::copy(&screenshot, root.join("docs/chat.png"))
            .expect("copy the screenshot to docs/");
    }
}
