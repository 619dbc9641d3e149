//! End-to-end: uploads through the generated client and the plain wire protocol
//! (`uploads.mjs`), and what the handler saw of each stream.

use std::time::Duration;

use eventwire_tests::binary::FilesApp;

#[tokio::test]
async fn uploads_from_node() {
    let app = FilesApp::default();
    let url = eventwire_tests::binary::start_with(app.clone()).await;
    eventwire_tests::run_node("uploads.mjs", &url).await;
    // Transfers started and never finished by the raw client are freed after the timeout.
    let expected = [
        "one.bin: ok",
        "slow.bin: ok",
        "blob.bin: ok",
        "empty.bin: ok",
        "resume.bin: ok",
        "early.bin: answered early",
        "cancel.bin: the client cancelled the upload",
        "bad.bin: the data does not match the SHA-256 the client declared",
        "one.bin: the client cancelled the upload",
        "three.bin: the client abandoned the upload",
        "five.bin: the client abandoned the upload",
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = app.uploads.lock().unwrap().clone();
        let missing: Vec<_> = expected
            .iter()
            .filter(|line| !log.iter().any(|l| l == *line))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the handler never saw {missing:?}; it saw {log:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
