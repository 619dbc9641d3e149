//! A client's answer to a server event (`emit_with_ack`), read like every other input from
//! a client.
//!
//! socketioxide decodes an answer itself: its `AckStream<V>` deserializes `V` from the
//! BINARY_ACK packet, and its decoder hands each binary attachment to `V`'s visitor
//! (`visit_byte_buf`) where a placeholder `{"_placeholder":true,"num":N}` sits. Read as a
//! `serde_json::Value`, whose visitor takes no bytes, every answer holding binary data
//! failed with "invalid type: byte array, expected any valid JSON value": the bytes never
//! reached the declared type. [`ClientAnswer`] is the `V` eventwire asks for instead: a
//! JSON tree whose leaves may be bytes. [`ClientAnswer::decode`] turns it back into the
//! packet's form (a placeholder per attachment, the attachments beside the text) and reads
//! that with [`Incoming`], the one decoder of client input: binary fields only from
//! attachments (a number array where bytes are declared is refused), type errors at their
//! JSON path, then the type's `#[validate]` rules.
//!
//! What socketioxide decides before eventwire sees the answer: it resolves placeholders in
//! the order they appear, not by their `num` (socket.io clients number them in that order),
//! it refuses a placeholder whose attachment is missing, and it drops attachments no
//! placeholder names without saying so.

use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value, json};

use crate::validate::{Issue, Validate};
use crate::wire::incoming::Incoming;

/// A client's answer as socketioxide decoded it: JSON, with the binary attachments in place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClientAnswer(Node);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Bytes(Bytes),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl ClientAnswer {
    /// Decodes the answer as `R` and checks its `#[validate]` rules; each problem is an
    /// issue with its path, as for an incoming payload.
    pub(crate) fn decode<R: DeserializeOwned + Validate>(self) -> Result<R, Vec<Issue>> {
        let mut attachments = VecDeque::new();
        let value = self.0.into_packet(&mut attachments);
        // `[name, answer]`: the form of an event's arguments, which `Incoming` reads.
        let text = json!(["answer", value]).to_string();
        let attachments = (!attachments.is_empty()).then_some(attachments);
        Incoming::new(
            "answer".to_owned(),
            socketioxide::handler::Value::Str(text.into(), attachments),
        )
        .decode_request::<R>()
        .map_err(|fault| fault.issues)
    }
}

/// An answer without binary data, as a test client gives it.
impl From<Value> for ClientAnswer {
    fn from(value: Value) -> Self {
        fn node(value: Value) -> Node {
            match value {
                Value::Null => Node::Null,
                Value::Bool(b) => Node::Bool(b),
                Value::Number(n) => Node::Number(n),
                Value::String(s) => Node::String(s),
                Value::Array(items) => Node::Array(items.into_iter().map(node).collect()),
                Value::Object(object) => {
                    Node::Object(object.into_iter().map(|(k, v)| (k, node(v))).collect())
                }
            }
        }
        ClientAnswer(node(value))
    }
}

impl Node {
    /// The JSON with a placeholder for each attachment, numbered as they are met, and the
    /// attachments in that order.
    fn into_packet(self, attachments: &mut VecDeque<Bytes>) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s),
            Node::Bytes(bytes) => {
                let num = attachments.len();
                attachments.push_back(bytes);
                json!({ "_placeholder": true, "num": num })
            }
            Node::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| item.into_packet(attachments))
                    .collect(),
            ),
            Node::Object(entries) => {
                let mut object = Map::new();
                for (key, value) in entries {
                    object.insert(key, value.into_packet(attachments));
                }
                Value::Object(object)
            }
        }
    }
}

impl<'de> Deserialize<'de> for ClientAnswer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Node::deserialize(deserializer).map(ClientAnswer)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value or binary data")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        // As serde_json's own `Value` does: JSON has no NaN or infinity.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Bytes(Bytes::copy_from_slice(v)))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Node, E> {
        Ok(Node::Bytes(Bytes::from(v)))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Node>()? {
            entries.push(entry);
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bytes, payload};
    use socketioxide_core::Value as Packet;
    use socketioxide_core::parser::Parse;

    #[payload]
    #[derive(Debug, PartialEq)]
    struct File {
        name: String,
        #[validate(length(max = 4))]
        data: Bytes,
        parts: Vec<Bytes>,
    }

    /// An ack packet's arguments as socketioxide's parser decodes them for `AckStream`.
    fn answer(text: &str, attachments: &[&[u8]]) -> Result<ClientAnswer, String> {
        let attachments = attachments
            .iter()
            .map(|a| Bytes::copy_from_slice(a))
            .collect::<VecDeque<_>>();
        let mut packet = Packet::Str(text.to_owned().into(), Some(attachments));
        socketioxide_parser_common::CommonParser
            .decode_value::<ClientAnswer>(&mut packet, false)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn read_as_a_json_value_an_answer_with_bytes_fails() {
        // What eventwire asked socketioxide for before: the bytes never arrived.
        let mut packet = Packet::Str(
            r#"[{"data":{"_placeholder":true,"num":0}}]"#.to_owned().into(),
            Some(VecDeque::from([Bytes::from_static(&[1])])),
        );
        let error = socketioxide_parser_common::CommonParser
            .decode_value::<serde_json::Value>(&mut packet, false)
            .unwrap_err();
        assert!(
            error.to_string().starts_with("invalid type: byte array"),
            "{error}"
        );
    }

    #[test]
    fn attachments_at_any_depth_reach_the_declared_type_byte_exact() {
        let text = r#"[{"name":"a","data":{"_placeholder":true,"num":0},"parts":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]}]"#;
        let file: File = answer(text, &[&[0, 255, 10], &[], &[13, 10]])
            .unwrap()
            .decode()
            .unwrap();
        assert_eq!(
            file,
            File {
                name: "a".into(),
                data: Bytes::from_static(&[0, 255, 10]),
                parts: vec![Bytes::new(), Bytes::from_static(&[13, 10])],
            }
        );
    }

    #[test]
    fn a_number_array_where_bytes_are_declared_is_refused_at_its_path() {
        let issues = answer(r#"[{"name":"a","data":[1,2],"parts":[]}]"#, &[])
            .unwrap()
            .decode::<File>()
            .unwrap_err();
        assert_eq!(issues[0].path_string(), "data");
        assert!(
            issues[0].message.starts_with("invalid type: sequence"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn a_placeholder_without_its_attachment_is_refused() {
        let issues = answer(
            r#"[{"name":"a","data":{"_placeholder":true,"num":0},"parts":[]}]"#,
            &[],
        )
        .unwrap()
        .decode::<File>()
        .unwrap_err();
        assert_eq!(issues[0].path_string(), "data");
        assert_eq!(
            issues[0].message,
            "binary attachment 0 is missing: the packet has 0"
        );
    }

    #[test]
    fn the_size_rule_counts_the_bytes() {
        let issues = answer(
            r#"[{"name":"a","data":{"_placeholder":true,"num":0},"parts":[]}]"#,
            &[&[1, 2, 3, 4, 5]],
        )
        .unwrap()
        .decode::<File>()
        .unwrap_err();
        assert_eq!(issues[0].path_string(), "data");
        assert_eq!(issues[0].code, "length");
    }

    #[test]
    fn plain_json_answers_decode_as_before() {
        let value: serde_json::Value = answer(r#"[{"a":[1,-2,0.5,null,true,"x"]}]"#, &[])
            .unwrap()
            .decode()
            .unwrap();
        assert_eq!(value, json!({ "a": [1, -2, 0.5, null, true, "x"] }));
    }
}
