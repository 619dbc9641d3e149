//! Replays the fuzz corpora (`fuzz/corpus/*`) through the fuzz targets' bodies on stable
//! Rust: the short, deterministic part of fuzzing that runs with every test.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a corpus entry").path();
        run(&std::fs::read(&path).expect("read a corpus file"));
        count += 1;
    }
    count
}

#[test]
fn the_event_decoding_corpus_replays_without_panics() {
    let count = replay("decode_event", eventwire_tests::fuzzing::decode_event);
    assert!(count >= 10, "the corpus has {count} inputs");
}

#[test]
fn the_handshake_corpus_replays_without_panics() {
    let count = replay(
        "decode_handshake",
        eventwire_tests::fuzzing::decode_handshake,
    );
    assert!(count >= 4, "the corpus has {count} inputs");
}
