//! The generated JSON Schema describes exactly what the server puts on the wire, proven
//! like the TypeScript (`typescript.rs`) with the same samples: every served value of every
//! serde shape validates against its `$defs` entry under a real validator (ajv, the
//! 2020-12 dialect, with format checks), and every wrong value fails.

use std::process::Command;

#[path = "support/samples.rs"]
mod samples;

#[test]
fn generated_schemas_accept_every_served_value_and_reject_wrong_ones() {
    let dir = eventwire_tests::node_dir();
    assert!(
        eventwire_tests::repo_root()
            .join("node_modules/ajv")
            .is_dir(),
        "ajv is needed: run `npm ci` at the repository root (the README's test command does it)"
    );
    let samples: Vec<serde_json::Value> = samples::samples()
        .into_iter()
        .map(|sample| {
            serde_json::json!({
                "name": sample.name,
                "type": sample.ty,
                "value": serde_json::from_str::<serde_json::Value>(&sample.json).expect("JSON"),
                // A wrong value only TypeScript's excess-property check refuses is open in
                // JSON Schema, as serde is when it reads it: ajv must accept it.
                "valid": sample.wrong.is_none() || sample.excess_property,
                "why": sample.wrong,
            })
        })
        .collect();
    assert!(samples.iter().any(|s| s["valid"] == false));
    std::fs::create_dir_all(dir.join("out")).expect("create tests/node/out");
    let path = dir.join("out/schema-samples.json");
    std::fs::write(&path, serde_json::to_string(&samples).expect("JSON")).expect("write");
    let output = Command::new("node")
        .args(["json_schema.mjs", "generated/shapes.schema.json"])
        .arg(&path)
        .current_dir(&dir)
        .output()
        .expect("`node` must be on PATH");
    assert!(
        output.status.success(),
        "ajv disagreed with the samples:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = format!("{} samples checked, 0 disagreed", samples.len());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(&expected),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
