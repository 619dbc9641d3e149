//! End-to-end: binary payloads both ways, over WebSocket and long-polling (`binary.mjs`).

#[tokio::test]
async fn binary_payloads_from_node() {
    let url = eventwire_tests::binary::start().await;
    eventwire_tests::run_node("binary.mjs", &url).await;
}

mod decoding {
    use eventwire::__private::incoming_value;
    use eventwire::FaultCode;
    use eventwire::socketioxide::handler::Value;
    use eventwire_tests::binary::{Chunk, Stored, Upload};
    use proptest::prelude::*;

    /// A JSON value where placeholders (well-formed or not) may sit anywhere.
    fn json() -> impl Strategy<Value = serde_json::Value> {
        let placeholder = prop_oneof![
            (0u64..6).prop_map(|n| serde_json::json!({ "_placeholder": true, "num": n })),
            Just(serde_json::json!({ "_placeholder": true, "num": -1 })),
            Just(serde_json::json!({ "_placeholder": false, "num": 0 })),
            Just(serde_json::json!({ "_placeholder": true })),
            Just(serde_json::json!({ "num": 0, "_placeholder": true, "x": 1 })),
        ];
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<u8>().prop_map(serde_json::Value::from),
            "[a-z]{0,4}".prop_map(serde_json::Value::from),
            placeholder,
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("title".to_owned()),
                        Just("data".to_owned()),
                        Just("thumbnail".to_owned()),
                        Just("attachments".to_owned()),
                        Just("raw".to_owned()),
                        Just("name".to_owned()),
                        "[a-z]{1,3}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn decode<T: eventwire::IncomingPayload>(text: &str, attachments: &[Vec<u8>]) {
        let value = Value::Str(
            text.to_owned().into(),
            Some(attachments.iter().map(|a| a.clone().into()).collect()),
        );
        if let Err(fault) = incoming_value("ev".into(), value).decode::<T>() {
            assert_eq!(fault.code, FaultCode::InvalidPayload);
            assert_eq!(fault.event, "ev");
            assert!(!fault.issues.is_empty());
        }
    }

    proptest! {
        /// Placeholders anywhere, with any number of attachments: an answer, never a panic.
        #[test]
        fn any_placeholders_and_attachments_get_an_answer(
            payload in json(),
            attachments in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..5),
        ) {
            let text = serde_json::json!(["ev", payload]).to_string();
            decode::<Upload>(&text, &attachments);
            decode::<Stored>(&text, &attachments);
            decode::<Chunk>(&text, &attachments);
            decode::<serde_json::Value>(&text, &attachments);
        }
    }
}
