//! [`Spliced`]: a JSON object written from fields already encoded, for frames sent to many
//! sockets that differ in one field (a feed change: the subscription id).

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

/// A JSON object: `first`, then `rest`, each field's value JSON text encoded beforehand
/// and written as it is.
///
/// It reaches the socket through [`SocketOps::emit_spliced`](crate::socket::ops::SocketOps),
/// serialized by a concrete serializer rather than through `erased_serde`: a feed writes
/// one per subscriber, and each dynamically dispatched serializer call cost more than the
/// copy it made (a type-erased frame of five fields took about 2,000 instructions).
pub(crate) struct Spliced<'a> {
    pub(crate) first: (&'static str, &'a RawValue),
    pub(crate) rest: &'a [(&'static str, Box<RawValue>)],
}

impl Serialize for Spliced<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1 + self.rest.len()))?;
        map.serialize_entry(self.first.0, self.first.1)?;
        for (name, value) in self.rest {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_are_written_in_order_as_they_are() {
        let id = serde_json::value::to_raw_value("7").unwrap();
        let rest = [
            ("offset", serde_json::value::to_raw_value("12").unwrap()),
            (
                "item",
                RawValue::from_string(r#"{"a": [1, 2]}"#.to_owned()).unwrap(),
            ),
        ];
        let frame = Spliced {
            first: ("id", &id),
            rest: &rest,
        };
        assert_eq!(
            serde_json::to_string(&frame).unwrap(),
            r#"{"id":"7","offset":"12","item":{"a": [1, 2]}}"#
        );
    }
}
