use eventwire_codegen::{GeneratedFile, check_or_bless};

/// The message a test prints when `.unwrap()` fails on `result`.
fn unwrap_panic<T, E: std::fmt::Debug>(result: Result<T, E>) -> String {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        result.unwrap();
    }))
    .expect_err("the result is an error");
    panic
        .downcast_ref::<String>()
        .cloned()
        .expect("unwrap panics with a formatted message")
}

#[test]
fn a_stale_file_unwraps_to_a_readable_diff_and_the_fix() {
    let dir = std::env::temp_dir().join(format!("eventwire-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("t.d.ts"), "export type A = string;\n").expect("write");
    let files = [GeneratedFile {
        name: "t.d.ts".into(),
        contents: "export type A = number;\n".into(),
    }];
    // Blessing would rewrite the file instead of failing.
    if std::env::var_os("EVENTWIRE_BLESS").is_some() {
        return;
    }
    let message = unwrap_panic(check_or_bless(&dir, &files));
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        message.contains("is stale; run again with EVENTWIRE_BLESS=1 to rewrite it:\n"),
        "{message}"
    );
    // The diff keeps its lines: one change per line, not one escaped string.
    assert!(
        message.contains("\n-export type A = string;\n"),
        "{message}"
    );
    assert!(
        message.contains("\n+export type A = number;\n"),
        "{message}"
    );
    assert!(!message.contains("Stale {"), "{message}");
}

#[test]
fn a_generation_error_unwraps_to_its_message() {
    let error = eventwire_codegen::Generator::new()
        .contract::<crate::integers::Unsafe>()
        .files("t");
    let message = unwrap_panic(error);
    assert!(
        message.contains("`Unbounded.count` is a 64-bit integer (uint64)"),
        "{message}"
    );
    assert!(message.contains("eventwire::wire::U64"), "{message}");
    assert!(!message.contains("UnsafeInteger {"), "{message}");
}
