//! End-to-end: downloads through the generated client and the plain wire protocol
//! (`downloads.mjs`), and what became of each handler's stream.

use std::time::Duration;

use eventwire_tests::binary::FilesApp;

#[tokio::test]
async fn downloads_from_node() {
    let app = FilesApp::default();
    let url = eventwire_tests::binary::start_with(app.clone()).await;
    eventwire_tests::run_node("downloads.mjs", &url).await;
    // Each stream is dropped once its download ends: read to the end, or, when cancelled,
    // cut by a reconnect or never acknowledged, as far as the window let it be read.
    let expected = [
        "big.bin: dropped after 3000000 bytes",
        "stored:shared.bin: dropped after 1500000 bytes",
        "resume.bin: dropped after 2000000 bytes",
        "raw.bin: dropped after 300000 bytes",
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = app.downloads.lock().unwrap().clone();
        let missing: Vec<_> = expected
            .iter()
            .filter(|line| !log.iter().any(|l| l == *line))
            .collect();
        let cancelled = log
            .iter()
            .filter(|l| l.starts_with("cancel.bin: dropped after "))
            .count();
        if missing.is_empty() && cancelled == 2 {
            // Cancelled early: the stream was not read to its end.
            assert!(
                !log.iter()
                    .any(|l| l == "cancel.bin: dropped after 2000000 bytes"),
                "{log:#?}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the streams never ended as {missing:?} (and two cancels); the log: {log:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
