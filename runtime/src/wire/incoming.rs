//! Reading a client's event: the payload is deserialized with its JSON path tracked, then
//! validated. Any failure becomes an `invalid_payload` [`Fault`] listing every problem.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use socketioxide::handler::Value;

use crate::validate::Validate;
use crate::validate::{Issue, PathSegment};
use crate::wire::bytes::{AttachmentDeserializer, Attachments};
use crate::wire::fault::Fault;
use crate::wire::payload::IncomingPayload;

/// One event as it arrived: its name and the raw socket.io arguments.
pub struct Incoming {
    event: Name,
    value: Value,
}

/// Where an event's name is: in the packet's text (no copy), or held apart.
enum Name {
    At(std::ops::Range<usize>),
    Owned(String),
}

impl Incoming {
    pub(crate) fn new(event: String, value: Value) -> Self {
        Self {
            event: Name::Owned(event),
            value,
        }
    }

    /// A packet as socketioxide dispatches it, its name read where it is (empty if it
    /// has none, which socketioxide does not dispatch: it is answered as unknown).
    pub(crate) fn from_packet(value: Value) -> Self {
        let event = match event_name_at(&value) {
            Some(at) => Name::At(at),
            None => Name::Owned(event_name(&value).unwrap_or_default()),
        };
        Self { event, value }
    }

    /// The event name the client sent.
    pub fn event(&self) -> &str {
        match &self.event {
            Name::At(at) => self
                .value
                .as_str()
                .and_then(|text| text.as_str().get(at.clone()))
                .unwrap_or_default(),
            Name::Owned(name) => name,
        }
    }

    /// Refuses arguments larger than `max` bytes (an event's `#[client(max_bytes = N)]`),
    /// before parsing them.
    pub fn limit_size(&self, max: usize) -> Result<(), Fault> {
        // Attachments count: `max_bytes` bounds what the client sent, binary or not.
        let size = match &self.value {
            Value::Str(text, attachments) => {
                text.as_str().len() + attachments.iter().flatten().map(|b| b.len()).sum::<usize>()
            }
            Value::Bytes(bytes) => bytes.len(),
        };
        if size > max {
            return Err(self.invalid(
                Vec::new(),
                "too_large",
                format!("the event is {size} bytes; at most {max} are accepted"),
            ));
        }
        Ok(())
    }

    /// Deserializes and validates the single payload argument.
    ///
    /// A missing argument reads as `null`, which is what a JavaScript client's `undefined`
    /// becomes on the wire: an `Option<T>` payload is then `None`, and a payload that needs
    /// a value is refused with "a payload is required".
    pub fn decode<T: IncomingPayload>(&mut self) -> Result<T, Fault> {
        self.decode_request()
    }

    /// [`decode`](Self::decode) for the runtime's own requests (feed subscriptions, upload
    /// steps), which are validated but not described, so need no schema.
    pub fn decode_request<T: DeserializeOwned + Validate>(&mut self) -> Result<T, Fault> {
        let payload: T = match self.arguments()? {
            (Some(payload), 0) => payload,
            (None, _) => match serde_json::from_str::<T>("null") {
                Ok(absent) => absent,
                Err(_) => {
                    return Err(self.invalid(Vec::new(), "arguments", "a payload is required"));
                }
            },
            (Some(_), extra) => {
                return Err(self.invalid(
                    Vec::new(),
                    "arguments",
                    format!("expected one payload argument, got {}", extra + 1),
                ));
            }
        };
        payload
            .validate()
            .map_err(|issues| Fault::invalid_payload(self.event(), issues))?;
        Ok(payload)
    }

    /// For an event declared without a payload: accepts what plain socket.io clients send
    /// for "nothing": no argument (`emit("ping")`), `null` (`emit("ping", undefined)`
    /// serializes so) or an empty object (`emit("ping", {})`). Anything else is refused, so
    /// a client that believes the event carries data learns that it does not.
    pub fn expect_empty(&mut self) -> Result<(), Fault> {
        match self.arguments::<Option<Nothing>>()? {
            (None | Some(None), 0) => Ok(()),
            (Some(Some(Nothing)), 0) => Ok(()),
            _ => Err(self.invalid(Vec::new(), "arguments", "this event takes no payload")),
        }
    }

    /// Parses `["event", payload?, extra...]`: the payload if present and how many
    /// arguments follow it.
    fn arguments<T: DeserializeOwned>(&mut self) -> Result<(Option<T>, usize), Fault> {
        // Placeholders take their attachment out (no copy); a second pass that explains a
        // failure reads stand-ins of the same count, enough to find the same error.
        let attachments = match &mut self.value {
            Value::Str(_, attachments) => Attachments::new(attachments.take().unwrap_or_default()),
            Value::Bytes(_) => {
                return Err(self.invalid(Vec::new(), "type", "expected a JSON packet"));
            }
        };
        // Read again without `mut`: the event name lives in the same text.
        let Value::Str(text, _) = &self.value else {
            unreachable!("matched as text above")
        };
        let count = attachments.count();
        // Valid payloads take the plain serde path: tracking the JSON path costs an
        // allocation per object key (measured 2.5x slower on a 2 KB nested payload), so it
        // runs only again, to explain a failure.
        let parse = |track: Option<&mut serde_path_to_error::Track>, attachments: &Attachments| {
            let mut de = serde_json::Deserializer::from_str(text.as_str());
            de::Deserializer::deserialize_seq(
                AttachmentDeserializer::new(&mut de, attachments),
                Arguments::<T> {
                    track,
                    _payload: PhantomData,
                },
            )
            .and_then(|args| de.end().map(|()| args))
        };
        let parsed = parse(None, &attachments).map_err(|error| {
            let mut track = serde_path_to_error::Track::new();
            let issue = match parse(Some(&mut track), &Attachments::stand_ins(count)) {
                Err(tracked) => type_issue(&tracked, &track.path()),
                // Both passes parse the same text; this arm is only for completeness.
                Ok(_) => type_issue(&error, &serde_path_to_error::Track::new().path()),
            };
            Fault::invalid_payload(self.event(), vec![issue])
        })?;
        let unused = attachments.unused();
        if !unused.is_empty() {
            return Err(self.invalid(
                Vec::new(),
                "attachments",
                format!(
                    "the packet carries {count} binary attachments; {} of them (numbers {unused:?}) are not in the payload",
                    unused.len()
                ),
            ));
        }
        Ok(parsed)
    }

    fn invalid(&self, path: Vec<PathSegment>, code: &str, message: impl Into<String>) -> Fault {
        Fault::invalid_payload(
            self.event(),
            vec![Issue {
                path,
                code: code.to_owned(),
                message: message.into(),
            }],
        )
    }
}

/// The issue of a serde_json error, at the tracked path.
pub(crate) fn type_issue(error: &serde_json::Error, path: &serde_path_to_error::Path) -> Issue {
    let mut path = PathSegment::from_serde_path(path);
    let message = strip_position(&error.to_string());
    // serde names a missing field only in the message, with the path at its parent;
    // point at the field itself, as a client expects. (An unknown field's path already
    // ends with it.)
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(field) = rest.split('`').next()
    {
        path.push(PathSegment::Key(field.to_owned()));
    }
    Issue {
        path,
        code: "type".to_owned(),
        message,
    }
}

/// The event name of a packet: the first element of its JSON array.
///
/// socketioxide only dispatches packets whose name borrows as a plain `&str` (no escapes),
/// and its own `Event` extractor parses the whole array again to find it (measured: about
/// 2,500 instructions per event for a ~100 B payload). The name is the text between the
/// opening `["` and the next quote; anything else goes through serde_json.
pub(crate) fn event_name(value: &Value) -> Option<String> {
    let text = value.as_str()?.as_str();
    if let Some(at) = event_name_at(value) {
        return Some(text[at].to_owned());
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de::Deserializer::deserialize_seq(&mut de, FirstString).ok()
}

/// Where the event name is in a packet's text, when it is there as written (no escapes,
/// as socketioxide requires of the names it dispatches): the fast path of
/// [`event_name`], which takes no copy.
fn event_name_at(value: &Value) -> Option<std::ops::Range<usize>> {
    let text = value.as_str()?.as_str();
    let rest = text.strip_prefix("[\"")?.as_bytes();
    // One pass over the (short) name: a byte search costs less than `find` + `contains`.
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    (rest[end] == b'"').then_some(2..2 + end)
}

/// Reads the first element of a sequence as a string, skipping the rest.
struct FirstString;

impl<'de> Visitor<'de> for FirstString {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array starting with the event name")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<String, S::Error> {
        let name = seq
            .next_element::<String>()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(name)
    }
}

/// An empty JSON object, `{}`: "nothing" as some clients spell it.
struct Nothing;

impl<'de> serde::Deserialize<'de> for Nothing {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Empty;
        impl<'de> Visitor<'de> for Empty {
            type Value = Nothing;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("no payload (nothing, `null` or `{}`)")
            }
            fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<Nothing, M::Error> {
                match map.next_key::<IgnoredAny>()? {
                    None => Ok(Nothing),
                    Some(_) => Err(de::Error::custom("this event takes no payload")),
                }
            }
        }
        deserializer.deserialize_map(Empty)
    }
}

/// Visits the socket.io argument array, skipping the event name.
struct Arguments<'t, T> {
    /// `Some` to track the JSON path (to explain a failure).
    track: Option<&'t mut serde_path_to_error::Track>,
    _payload: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Arguments<'_, T> {
    type Value = (Option<T>, usize);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a socket.io event array")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        seq.next_element::<IgnoredAny>()?;
        let payload = seq.next_element_seed(Tracked::<T> {
            track: self.track,
            _payload: PhantomData,
        })?;
        let mut extra = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            extra += 1;
        }
        Ok((payload, extra))
    }
}

struct Tracked<'t, T> {
    track: Option<&'t mut serde_path_to_error::Track>,
    _payload: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Tracked<'_, T> {
    type Value = T;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        match self.track {
            Some(track) => {
                T::deserialize(serde_path_to_error::Deserializer::new(deserializer, track))
            }
            None => T::deserialize(deserializer),
        }
    }
}

/// serde_json appends "at line 1 column 42", meaningless to a client holding an object.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload;
    use crate::wire::fault::FaultCode;

    fn incoming(json: &str) -> Incoming {
        Incoming::new("ev".into(), Value::Str(json.to_owned().into(), None))
    }

    #[test]
    fn event_names_are_read_like_socketioxide_reads_them() {
        let name = |json: &str| event_name(&Value::Str(json.to_owned().into(), None));
        assert_eq!(name(r#"["echo",{"a":"\"]"}]"#).as_deref(), Some("echo"));
        assert_eq!(name(r#"["ping"]"#).as_deref(), Some("ping"));
        // Not the fast path: escapes and whitespace go through serde_json.
        assert_eq!(name(r#"["a\"b",1]"#).as_deref(), Some("a\"b"));
        assert_eq!(name(r#" [ "spaced" , 1 ]"#).as_deref(), Some("spaced"));
        assert_eq!(name("[1]"), None);
        assert_eq!(name("[]"), None);
    }

    #[derive(serde::Deserialize, schemars::JsonSchema, Debug)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        items: Vec<Inner>,
    }

    #[derive(serde::Deserialize, schemars::JsonSchema, Debug)]
    struct Inner {
        #[allow(dead_code)]
        name_of: String,
    }

    impl Validate for Outer {
        fn validate_into(&self, _: &mut crate::Report) {}
    }

    impl IncomingPayload for Outer {}

    #[test]
    fn type_errors_carry_the_json_path_without_positions() {
        let fault = incoming(r#"["ev",{"items":[{"name_of":"a"},{"name_of":5}]}]"#)
            .decode::<Outer>()
            .unwrap_err();
        assert_eq!(fault.code, FaultCode::InvalidPayload);
        assert_eq!(fault.issues[0].path_string(), "items[1].name_of");
        assert_eq!(
            fault.issues[0].message,
            "invalid type: integer `5`, expected a string"
        );
    }

    #[test]
    fn missing_and_unknown_fields_point_at_the_field() {
        let fault = incoming(r#"["ev",{"items":[{}]}]"#)
            .decode::<Outer>()
            .unwrap_err();
        assert_eq!(fault.issues[0].path_string(), "items[0].name_of");
        let fault = incoming(r#"["ev",{"items":[],"extra":1}]"#)
            .decode::<Outer>()
            .unwrap_err();
        assert_eq!(fault.issues[0].path_string(), "extra");
    }

    #[test]
    fn argument_count_is_checked() {
        let fault = incoming(r#"["ev"]"#).decode::<Outer>().unwrap_err();
        assert_eq!(fault.issues[0].code, "arguments");
        let fault = incoming(r#"["ev",{"items":[]},2]"#)
            .decode::<Outer>()
            .unwrap_err();
        assert_eq!(
            fault.issues[0].message,
            "expected one payload argument, got 2"
        );
        assert!(incoming(r#"["ev"]"#).expect_empty().is_ok());
        assert!(incoming(r#"["ev",null]"#).expect_empty().is_ok());
        assert!(incoming(r#"["ev",1]"#).expect_empty().is_err());
    }

    #[payload]
    #[derive(Debug)]
    struct Todo {
        #[validate(length(max = 5))]
        title: String,
        #[validate(length(max = 5))]
        due: String,
    }

    #[test]
    fn rules_run_once_the_payload_parsed() {
        // Every failing rule at once...
        let fault = incoming(r#"["ev",{"title":"too long","due":"far too long"}]"#)
            .decode::<Todo>()
            .unwrap_err();
        let paths: Vec<String> = fault.issues.iter().map(|i| i.path_string()).collect();
        assert_eq!(paths, ["title", "due"]);
        // ...but a type error is the one problem reported (the documented limit).
        let fault = incoming(r#"["ev",{"title":"too long","due":7}]"#)
            .decode::<Todo>()
            .unwrap_err();
        assert_eq!(fault.issues.len(), 1);
        assert_eq!(fault.issues[0].path_string(), "due");
        assert_eq!(fault.issues[0].code, "type");
    }

    #[test]
    fn nothing_is_spelled_three_ways() {
        // `emit("ev")`, `emit("ev", undefined)` and `emit("ev", {})` all mean "no payload".
        for nothing in [
            r#"["ev"]"#,
            r#"["ev",null]"#,
            r#"["ev",{}]"#,
            r#"["ev", { } ]"#,
        ] {
            assert!(incoming(nothing).expect_empty().is_ok(), "{nothing}");
        }
        for something in [
            r#"["ev",{"a":1}]"#,
            r#"["ev",[]]"#,
            r#"["ev",""]"#,
            r#"["ev",{},1]"#,
        ] {
            let fault = incoming(something).expect_empty().unwrap_err();
            assert_eq!(fault.code, FaultCode::InvalidPayload, "{something}");
        }
    }

    #[test]
    fn an_optional_payload_may_be_left_out() {
        assert_eq!(
            incoming(r#"["ev"]"#).decode::<Option<String>>().unwrap(),
            None
        );
        assert_eq!(
            incoming(r#"["ev",null]"#)
                .decode::<Option<String>>()
                .unwrap(),
            None
        );
        assert_eq!(
            incoming(r#"["ev","x"]"#)
                .decode::<Option<String>>()
                .unwrap()
                .as_deref(),
            Some("x")
        );
        // A payload that needs a value still says so.
        let fault = incoming(r#"["ev"]"#).decode::<String>().unwrap_err();
        assert_eq!(fault.issues[0].message, "a payload is required");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!(r#"["ev",{}{}]"#, "[".repeat(100_000), "]".repeat(100_000));
        let fault = incoming(&deep).decode::<serde_json::Value>().unwrap_err();
        assert!(
            fault.issues[0].message.contains("recursion limit"),
            "{}",
            fault.issues[0].message
        );
    }
}
