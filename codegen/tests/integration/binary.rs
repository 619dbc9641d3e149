use std::collections::BTreeMap;

use eventwire::{Bytes, Contract, payload};

use crate::{assert_declaration, dts};

/// Binary at several depths, read and written.
#[payload]
pub struct Blob {
    /// At most 16 bytes.
    #[validate(length(max = 16))]
    pub data: Bytes,
    pub maybe: Option<Bytes>,
    pub many: Vec<Bytes>,
    pub named: BTreeMap<String, eventwire::bytes::Bytes>,
    #[payload(bytes)]
    pub raw: Vec<u8>,
}

#[derive(Contract)]
pub enum Binary {
    #[client(ack = Blob)]
    Put(Blob),
}

#[test]
fn bytes_are_uint8_arrays_and_the_client_may_send_array_buffers() {
    let dts = dts::<Binary>();
    assert_declaration(
        &dts,
        "Blob",
        r#"
/** Binary at several depths, read and written. */
export interface Blob {
  /**
   * At most 16 bytes.
   * @maxLength 16 bytes
   */
  data: Uint8Array;
  many: Uint8Array[];
  maybe: Uint8Array | null;
  named: { [key: string]: Uint8Array };
  raw: Uint8Array;
}"#,
    );
    assert_declaration(
        &dts,
        "BlobInput",
        r#"
/** Binary at several depths, read and written. */
export interface BlobInput {
  /**
   * At most 16 bytes.
   * @maxLength 16 bytes
   */
  data: Uint8Array | ArrayBuffer;
  many: (Uint8Array | ArrayBuffer)[];
  maybe?: Uint8Array | ArrayBuffer | null;
  named: { [key: string]: Uint8Array | ArrayBuffer };
  raw: Uint8Array | ArrayBuffer;
}"#,
    );
}

#[test]
fn the_schema_says_binary_and_counts_bytes() {
    let files = eventwire_codegen::Generator::new()
        .contract::<Binary>()
        .files("t")
        .expect("generates");
    let schema: serde_json::Value = serde_json::from_str(
        &files
            .iter()
            .find(|f| f.name.ends_with(".schema.json"))
            .expect("a schema file")
            .contents,
    )
    .expect("JSON");
    let data = &schema["$defs"]["Blob"]["properties"]["data"];
    assert_eq!(
        data,
        &serde_json::json!({ "type": "string", "contentEncoding": "binary", "maxLength": 16, "description": "At most 16 bytes." })
    );
    assert_eq!(
        schema["$defs"]["BlobInput"]["properties"]["many"]["items"]["x-eventwire-binary"],
        "attachment"
    );
}
