//! The README's and docs' snippets work when pasted: the Getting started files are exactly
//! `examples/todo` (built and tested by the workspace), its TypeScript type-checks against
//! the generated client, and every other ```` ```ts ```` block type-checks against the chat's
//! generated client. (The ```` ```rust ```` blocks are doctests of this crate and of the
//! runtime.)

use std::path::{Path, PathBuf};
use std::process::Command;

/// The fenced blocks of a Markdown text: (info string, body).
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        if info.starts_with('`') {
            continue;
        }
        let mut body = String::new();
        for line in lines.by_ref() {
            if line == "```" {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        blocks.push((info.to_owned(), body));
    }
    blocks
}

fn root() -> PathBuf {
    eventwire_tests::repo_root()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Markdown files whose snippets are checked.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut others: Vec<PathBuf> = ["docs", "runtime/docs"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).expect("a docs folder"))
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    others.sort();
    docs.extend(others);
    docs
}

fn tsc(project: &Path) {
    let tsc = root().join("node_modules/typescript/bin/tsc");
    assert!(
        tsc.is_file(),
        "TypeScript is needed: run `npm ci` at the repository root"
    );
    let output = Command::new("node")
        .arg(&tsc)
        .args(["-p", &project.to_string_lossy()])
        .output()
        .expect("node runs tsc");
    assert!(
        output.status.success(),
        "tsc rejected {}:\n{}{}",
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn getting_started_is_examples_todo() {
    let readme = read(&root().join("README.md"));
    let todo = root().join("examples/todo");
    let mut checked = Vec::new();
    for (info, body) in blocks(&readme) {
        // A Getting started file names itself on its first line.
        let Some(path) = body.lines().next().and_then(|l| l.strip_prefix("// ")) else {
            continue;
        };
        let file = todo.join(path);
        if !file.is_file() {
            continue;
        }
        let rest = body.split_once('\n').map_or("", |(_, rest)| rest);
        assert_eq!(
            rest,
            read(&file),
            "README's `{path}` ({info}) differs from examples/todo/{path}"
        );
        checked.push(path.to_owned());
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "src/lib.rs",
            "src/main.rs",
            "tests/generated_client.rs",
            "web/app.ts"
        ]
    );
    // The manifests, with examples/todo's path dependencies taken out.
    let path_dep = regex::Regex::new(r#"\{ version = "([^"]+)", path = "[^"]+" \}"#).unwrap();
    let manifest = path_dep
        .replace_all(&read(&todo.join("Cargo.toml")), "\"$1\"")
        .into_owned();
    let manifest = manifest
        .lines()
        .filter(|l| !l.starts_with("description") && !l.starts_with("publish"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let shown = blocks(&readme)
        .into_iter()
        .find(|(info, body)| info == "toml" && body.contains("name = \"todo\""))
        .expect("the README shows the Cargo.toml");
    assert_eq!(
        shown.1, manifest,
        "README's Cargo.toml differs from examples/todo's"
    );
    let package = blocks(&readme)
        .into_iter()
        .find(|(info, body)| info == "json" && body.contains("socket.io-client"))
        .expect("the README shows web/package.json");
    assert_eq!(package.1, read(&todo.join("web/package.json")));
    // The web code type-checks against the generated client, as a user's would.
    tsc(&todo.join("web/tsconfig.json"));
}

#[test]
fn every_typescript_snippet_type_checks() {
    let dir = root().join("target/readme-ts");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create target/readme-ts");
    let chat = root().join("examples/chat/web/generated/chat.js");
    let import = regex::Regex::new(r#"from "[./a-z]*/generated/chat\.js""#).unwrap();
    let mut count = 0;
    for document in documents() {
        for (info, body) in blocks(&read(&document)) {
            if info != "ts" || body.starts_with("// web/app.ts") {
                continue;
            }
            count += 1;
            let body = import.replace_all(&body, format!("from {:?}", chat.to_string_lossy()));
            // Each snippet is a module of its own (top-level await, no clashing names).
            let name = format!("snippet{count}.ts");
            std::fs::write(dir.join(&name), format!("{body}\nexport {{}};\n")).expect("write");
        }
    }
    assert!(count >= 2, "the README's TypeScript snippets were found");
    std::fs::write(
        dir.join("tsconfig.json"),
        r#"{
  "compilerOptions": {
    "strict": true, "noEmit": true, "target": "es2022", "module": "nodenext",
    "moduleResolution": "nodenext", "allowImportingTsExtensions": false, "types": []
  },
  "include": ["*.ts"]
}
"#,
    )
    .expect("write tsconfig.json");
    tsc(&dir.join("tsconfig.json"));
}
