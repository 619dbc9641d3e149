//! Writes the 1000-event contract measured by `codegen-scale` (`$OUT_DIR/scale_contract.rs`).

use std::fmt::Write as _;

/// Events in the generated contract: half sent by clients (with an ack), half by the server.
const EVENTS: usize = 1000;

fn main() {
    let mut source = String::from(
        "/// A contract with 1000 events.\n#[derive(eventwire::Contract)]\n#[contract(namespace = \"/scale\")]\npub enum Scale {\n",
    );
    for i in 0..EVENTS {
        let direction = if i % 2 == 0 {
            "#[client(ack = Reply)]"
        } else {
            "#[server]"
        };
        let _ = writeln!(
            source,
            "    /// Event number {i}.\n    {direction}\n    Event{i}(Request),"
        );
    }
    source.push_str("}\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(std::path::Path::new(&out).join("scale_contract.rs"), source)
        .expect("write the contract");
    println!("cargo::rerun-if-changed=build.rs");
}
