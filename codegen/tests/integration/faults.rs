use eventwire::{Contract, payload};

#[payload]
pub struct Ping {
    pub n: u32,
}

#[derive(Contract)]
pub enum Api {
    #[server]
    Ping(Ping),
}

/// The wire names of every `FaultCode` variant, as the enum's own JSON Schema lists them
/// (the derive writes it from the variants, so none can be missing).
fn every_fault_code() -> Vec<String> {
    let schema = eventwire::__private::schemars::schema_for!(eventwire::FaultCode);
    let schema = serde_json::to_value(schema).expect("a schema");
    let names: Vec<&serde_json::Value> = match schema.get("oneOf") {
        Some(options) => options
            .as_array()
            .expect("options")
            .iter()
            .map(|option| &option["const"])
            .collect(),
        None => schema["enum"].as_array().expect("an enum").iter().collect(),
    };
    names
        .into_iter()
        .map(|name| name.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn the_fault_code_union_lists_every_fault_code() {
    let codes = every_fault_code();
    assert!(codes.len() >= 11 && codes.contains(&"rate_limited".to_owned()));
    let union = codes
        .iter()
        .map(|code| format!("{code:?}"))
        .collect::<Vec<_>>()
        .join(" | ");
    crate::assert_declaration(
        &crate::dts::<Api>(),
        "FaultCode",
        &format!("/** The kinds of {{@link Fault}}. */\nexport type FaultCode = {union};"),
    );
}
