//! Doc comments become JSDoc on every path (types, fields, events, client methods, the
//! connect function): each line keeps its ` * `, and a `*/` in a doc cannot end the
//! comment early and break the `.d.ts`.

use eventwire::{Contract, payload};

/// A note. Globs like `src/*/` end a C comment.
#[payload]
pub struct Note {
    /// The text; `*/` here too.
    pub text: String,
}

/// The notes API.
///
/// Paths like `notes/*/` are fine.
#[derive(Contract)]
pub enum Notes {
    /// Adds a note to `*/inbox`.
    ///
    /// Second paragraph.
    #[client(ack = u32)]
    Add(Note),
}

#[test]
fn the_connect_function_keeps_every_line_of_the_contract_docs_in_the_comment() {
    crate::assert_declaration(
        &crate::dts::<Notes>(),
        "connectNotes",
        r#"
/**
 * The notes API.
 *
 * Paths like `notes/*\/` are fine.
 *
 * Connects to Notes at `url`, the server's base URL (the namespace is added), or
 * at the first of several nodes of one server, moving to the next when a node is lost.
 */
export declare function connectNotes(url: string | readonly string[], options?: ConnectOptions): NotesClient;
"#,
    );
}

#[test]
fn no_doc_can_end_a_comment_early() {
    let dts = crate::dts::<Notes>();
    // Outside the comments (each from `/*` to the next `*/`, as TypeScript reads them)
    // no word of the docs is left.
    let mut code = String::new();
    let mut rest = dts.as_str();
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("every comment ends");
        rest = &rest[start + end + 2..];
    }
    code.push_str(rest);
    for word in [
        "end a C comment",
        "here too",
        "inbox",
        "are fine",
        "paragraph",
    ] {
        assert!(
            !code.contains(word),
            "a doc comment ended early, before {word:?}:\n{dts}"
        );
    }
    crate::assert_declaration(
        &dts,
        "Note",
        r#"
/** A note. Globs like `src/*\/` end a C comment. */
export interface Note {
  /** The text; `*\/` here too. */
  text: string;
}
"#,
    );
    assert!(dts.contains(
        "  /**\n   * Adds a note to `*\\/inbox`.\n   *\n   * Second paragraph.\n   */\n  add: ("
    ));
}
