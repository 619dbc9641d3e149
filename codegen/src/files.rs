//! Checking generated files against their checked-in copies, and rewriting them.

use std::path::Path;

use similar::TextDiff;

use crate::error::CheckError;

/// One generated file: its name and full contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The file name, e.g. `chat.d.ts`.
    pub name: String,
    /// The contents.
    pub contents: String,
}

/// Compares `files` with the copies in `dir`; fails with a unified diff for the first stale
/// or missing one. With `EVENTWIRE_BLESS=1` in the environment, writes them instead.
///
/// Call it from a test so that a contract change without regenerated files fails the build:
///
/// ```no_run
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Ping { n: u32 }
/// # #[derive(Contract)] enum Pinger { #[client(ack = u32)] Ping(Ping) }
/// #[test]
/// fn generated_client_is_current() {
///     let files = eventwire_codegen::Generator::new().contract::<Pinger>().files("pinger").unwrap();
///     eventwire_codegen::check_or_bless(concat!(env!("CARGO_MANIFEST_DIR"), "/web/generated"), &files).unwrap();
/// }
/// ```
pub fn check_or_bless(
    dir: impl AsRef<Path>,
    files: &[crate::GeneratedFile],
) -> Result<(), CheckError> {
    let dir = dir.as_ref();
    let bless = std::env::var_os("EVENTWIRE_BLESS").is_some_and(|v| v == "1");
    for file in files {
        let path = dir.join(&file.name);
        let display = path.display().to_string();
        let io = |source| CheckError::Io {
            path: display.clone(),
            source,
        };
        if bless {
            std::fs::create_dir_all(dir).map_err(io)?;
            std::fs::write(&path, &file.contents).map_err(io)?;
            continue;
        }
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(e)),
        };
        if current != file.contents {
            let diff = TextDiff::from_lines(&current, &file.contents)
                .unified_diff()
                .header(
                    &format!("{display} (checked in)"),
                    &format!("{display} (generated)"),
                )
                .to_string();
            return Err(CheckError::Stale {
                path: display,
                diff,
            });
        }
    }
    Ok(())
}
