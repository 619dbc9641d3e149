//! Binary data: a payload field of [`Bytes`](bytes::Bytes) (or a `Vec<u8>` marked
//! `#[payload(bytes)]`) travels as a Socket.IO binary attachment, at any depth.
//!
//! On the wire, socket.io writes a placeholder `{"_placeholder":true,"num":N}` in the JSON
//! text where the data sits and sends the data itself as the packet's N-th binary frame.
//! Sending needs nothing from eventwire: socketioxide's serializer turns every
//! `serialize_bytes` into an attachment. Reading is done here, by [`AttachmentDeserializer`],
//! which wraps serde_json's deserializer and resolves each placeholder by its `num` into the
//! attachment, where the payload's type asks for bytes.
//!
//! Why not socketioxide's own decoder: it hands out attachments in the order placeholders are
//! met, whatever their `num`, and never says when an attachment was sent but not referenced;
//! eventwire answers both with a fault. It also accepts a JSON array of numbers where bytes
//! are declared (serde's `Bytes` visitor takes sequences): that is refused here, so a client
//! cannot smuggle a megabyte as a 4 MB number array past a size rule meant for bytes.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;

use bytes::Bytes;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde::ser;

/// The JSON Schema of a binary field: `{"type": "string", "contentEncoding": "binary"}`.
///
/// `#[payload]` describes every `Bytes` field (and `#[payload(bytes)] Vec<u8>`) with it, so
/// the generated TypeScript types it `Uint8Array`, and other languages read that the value
/// travels as raw octets (a Socket.IO binary attachment), not as JSON. What the server reads
/// also carries `"x-eventwire-binary": "attachment"`, so the client may send a `Uint8Array`,
/// an `ArrayBuffer` or a Node `Buffer`. A `#[validate(length(max = N))]` on the field counts
/// bytes and appears in the schema as `maxLength`.
///
/// ```
/// use eventwire::{payload, Bytes};
///
/// #[payload]
/// pub struct Upload {
///     pub name: String,
///     #[validate(length(max = 1024))]
///     pub data: Bytes,
/// }
///
/// let schema = schemars::schema_for!(Upload);
/// let data = &schema.as_value()["properties"]["data"];
/// assert_eq!(data["contentEncoding"], "binary");
/// assert_eq!(data["maxLength"], 1024);
/// ```
pub struct Binary;

impl JsonSchema for Binary {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Binary".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        if generator.contract().is_deserialize() {
            json_schema!({
                "type": "string",
                "contentEncoding": "binary",
                "x-eventwire-binary": "attachment",
            })
        } else {
            json_schema!({
                "type": "string",
                "contentEncoding": "binary",
            })
        }
    }
}

/// The binary attachments of one packet, each taken at most once by its placeholder.
pub(crate) struct Attachments {
    slots: RefCell<Vec<Option<Bytes>>>,
}

impl Attachments {
    pub(crate) fn new(attachments: VecDeque<Bytes>) -> Self {
        // Most packets carry none: collecting even an empty queue through the iterator
        // costs about 200 instructions per event (measured with callgrind).
        let slots = if attachments.is_empty() {
            Vec::new()
        } else {
            attachments.into_iter().map(Some).collect()
        };
        Self {
            slots: RefCell::new(slots),
        }
    }

    /// Stand-ins with the same count, for a second pass that only explains a failure.
    pub(crate) fn stand_ins(count: usize) -> Self {
        Self {
            slots: RefCell::new(vec![Some(Bytes::new()); count]),
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.slots.borrow().len()
    }

    fn is_empty(&self) -> bool {
        self.slots.borrow().is_empty()
    }

    fn take<E: de::Error>(&self, num: usize) -> Result<Bytes, E> {
        let mut slots = self.slots.borrow_mut();
        match slots.get_mut(num) {
            Some(slot) => slot.take().ok_or_else(|| {
                E::custom(format_args!("binary attachment {num} is referenced twice"))
            }),
            None => Err(E::custom(format_args!(
                "binary attachment {num} is missing: the packet has {}",
                slots.len()
            ))),
        }
    }

    /// The attachments no placeholder referenced.
    pub(crate) fn unused(&self) -> Vec<usize> {
        let slots = self.slots.borrow();
        if slots.is_empty() {
            // The common case, without the iterator's set-up.
            return Vec::new();
        }
        (0..slots.len()).filter(|&i| slots[i].is_some()).collect()
    }
}

/// Wraps a deserializer so that `deserialize_bytes` reads a placeholder and yields its
/// attachment; every nested value is wrapped the same way.
pub(crate) struct AttachmentDeserializer<'a, D> {
    inner: D,
    attachments: &'a Attachments,
}

impl<'a, D> AttachmentDeserializer<'a, D> {
    pub(crate) fn new(inner: D, attachments: &'a Attachments) -> Self {
        Self { inner, attachments }
    }
}

/// Forwards `deserialize_*` methods of leaf values, whose visitor sees no nested value.
macro_rules! forward_plain {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($arg,)* visitor)
        }
    )*};
}

/// Forwards `deserialize_*` methods whose visitor may see nested values (wrapped).
macro_rules! forward_wrapped {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($arg,)* Wrap::new(visitor, self.attachments))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for AttachmentDeserializer<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        // Self-describing reads (untagged and internally tagged enums, flatten, buffer the
        // value first) see a placeholder as a map: turn it into bytes there. socket.io only
        // writes placeholders in packets with attachments, so other packets skip the check.
        if self.attachments.is_empty() {
            self.inner
                .deserialize_any(Wrap::new(visitor, self.attachments))
        } else {
            self.inner.deserialize_any(Any {
                inner: visitor,
                attachments: self.attachments,
            })
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_map(Placeholder {
            inner: visitor,
            attachments: self.attachments,
        })
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.deserialize_bytes(visitor)
    }

    // Leaves cannot hold bytes: their visitors go to serde_json as they are.
    forward_plain! {
        deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(),
        deserialize_u32(), deserialize_u64(), deserialize_u128(), deserialize_f32(),
        deserialize_f64(), deserialize_char(), deserialize_str(), deserialize_string(),
        deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_identifier(), deserialize_ignored_any(),
    }

    forward_wrapped! {
        deserialize_option(), deserialize_newtype_struct(name: &'static str), deserialize_seq(),
        deserialize_tuple(len: usize), deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(), deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A visitor whose nested deserializers, sequences, maps and enums are wrapped.
struct Wrap<'a, V> {
    inner: V,
    attachments: &'a Attachments,
}

impl<'a, V> Wrap<'a, V> {
    fn new(inner: V, attachments: &'a Attachments) -> Self {
        Self { inner, attachments }
    }
}

/// Forwards `visit_*` methods of plain values.
macro_rules! forward_visits {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.inner.$method(value)
        }
    )*};
}

/// The visitor methods shared by [`Wrap`] and [`Any`]; `visit_map` differs.
macro_rules! wrapping_visitor {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.inner.expecting(f)
        }

        forward_visits! {
            visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i64(i64),
            visit_i128(i128), visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u64(u64),
            visit_u128(u128), visit_f32(f32), visit_f64(f64), visit_char(char),
            visit_str(&str), visit_borrowed_str(&'de str), visit_string(String),
            visit_bytes(&[u8]), visit_borrowed_bytes(&'de [u8]), visit_byte_buf(Vec<u8>),
        }

        fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
            self.inner.visit_none()
        }

        fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
            self.inner.visit_unit()
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.inner
                .visit_some(AttachmentDeserializer::new(d, self.attachments))
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.inner
                .visit_newtype_struct(AttachmentDeserializer::new(d, self.attachments))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
            self.inner.visit_seq(Wrap::new(seq, self.attachments))
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
            self.inner.visit_enum(Wrap::new(data, self.attachments))
        }
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    wrapping_visitor!();

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Wrap::new(map, self.attachments))
    }
}

/// Like [`Wrap`], but a map that starts with `_placeholder` is read as an attachment.
struct Any<'a, V> {
    inner: V,
    attachments: &'a Attachments,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Any<'_, V> {
    type Value = V::Value;

    wrapping_visitor!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let first = map.next_key::<String>()?;
        if first.as_deref() == Some(PLACEHOLDER) {
            let bytes = read_placeholder(map, self.attachments, true)?;
            return self.inner.visit_byte_buf(Vec::from(bytes));
        }
        self.inner.visit_map(Peeked {
            first,
            map: Wrap::new(map, self.attachments),
        })
    }
}

const PLACEHOLDER: &str = "_placeholder";

/// A map whose first key was already read.
struct Peeked<'a, A> {
    first: Option<String>,
    map: Wrap<'a, A>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Peeked<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed
                .deserialize(de::value::StringDeserializer::new(key))
                .map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.inner.size_hint()
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.inner
            .next_element_seed(Wrap::new(seed, self.attachments))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.inner
            .next_value_seed(Wrap::new(seed, self.attachments))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'a, 'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<'a, A> {
    type Error = A::Error;
    type Variant = Wrap<'a, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((value, Wrap::new(variant, self.attachments)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.inner
            .newtype_variant_seed(Wrap::new(seed, self.attachments))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner
            .tuple_variant(len, Wrap::new(visitor, self.attachments))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner
            .struct_variant(fields, Wrap::new(visitor, self.attachments))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner
            .deserialize(AttachmentDeserializer::new(d, self.attachments))
    }
}

/// Reads `{"_placeholder": true, "num": N}` where bytes are declared.
struct Placeholder<'a, V> {
    inner: V,
    attachments: &'a Attachments,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Placeholder<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("binary data (a Uint8Array, ArrayBuffer or Buffer)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let bytes = read_placeholder(map, self.attachments, false)?;
        // `Vec::from` reuses the buffer of an attachment nothing else holds (socketioxide
        // copies each frame into its own buffer), so this does not copy the data.
        self.inner.visit_byte_buf(Vec::from(bytes))
    }
}

/// The attachment a placeholder's entries name; `seen_flag` when `_placeholder` was the key
/// just read (its value is next).
fn read_placeholder<'de, A: MapAccess<'de>>(
    mut map: A,
    attachments: &Attachments,
    seen_flag: bool,
) -> Result<Bytes, A::Error> {
    let invalid =
        || de::Error::custom("expected a binary placeholder `{\"_placeholder\":true,\"num\":N}`");
    let mut flag = false;
    let mut num = None;
    let mut key = if seen_flag {
        Some(PLACEHOLDER.to_owned())
    } else {
        map.next_key::<String>()?
    };
    while let Some(name) = key {
        match name.as_str() {
            PLACEHOLDER if !flag => flag = map.next_value::<bool>()?,
            "num" if num.is_none() => num = Some(map.next_value::<usize>()?),
            _ => return Err(invalid()),
        }
        key = map.next_key::<String>()?;
    }
    match (flag, num) {
        (true, Some(num)) => attachments.take(num),
        _ => Err(invalid()),
    }
}

/// Makes every `serialize_bytes` of `T` reach the serializer it is given, at any depth.
///
/// socketioxide's serializer turns `serialize_bytes` into an attachment, but it hands the
/// value of `serialize_some`, `serialize_newtype_struct` and `serialize_newtype_variant`
/// straight to serde_json, so an `Option<Bytes>` left the server as an array of numbers.
/// This wrapper writes `Some(x)` as `x` and a newtype as its value (what serde_json writes
/// anyway) and a newtype variant as the one-entry map serde_json writes, so socketioxide's
/// serializer sees the bytes inside them.
pub(crate) struct Attaching<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: ser::Serialize + ?Sized> ser::Serialize for Attaching<'_, T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(AttachingSerializer(serializer))
    }
}

struct AttachingSerializer<S>(S);

/// A compound of the inner serializer whose values are wrapped in [`Attaching`].
struct Compound<C>(C);

macro_rules! forward_serialize {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, value: $ty) -> Result<S::Ok, S::Error> {
            self.0.$method(value)
        }
    )*};
}

impl<S: ser::Serializer> ser::Serializer for AttachingSerializer<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<S::SerializeSeq>;
    type SerializeTuple = Compound<S::SerializeTuple>;
    type SerializeTupleStruct = Compound<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<S::SerializeTupleVariant>;
    type SerializeMap = Compound<S::SerializeMap>;
    type SerializeStruct = Compound<S::SerializeStruct>;
    type SerializeStructVariant = Compound<S::SerializeStructVariant>;

    forward_serialize! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_char(char), serialize_str(&str), serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: ser::Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: ser::Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ser::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        use ser::SerializeMap;
        let mut map = self.0.serialize_map(Some(1))?;
        map.serialize_entry(variant, &Attaching(value))?;
        map.end()
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Compound)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Compound)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Compound)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Compound)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Compound)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Compound)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Compound)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Implements a compound trait whose one value method wraps its value.
macro_rules! wrapping_compound {
    ($($trait:ident::$method:ident$(($key:ty))?),* $(,)?) => {$(
        impl<C: ser::$trait> ser::$trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: ser::Serialize + ?Sized>(&mut self, $(key: $key,)? value: &T) -> Result<(), C::Error> {
                self.0.$method($(key as $key,)? &Attaching(value))
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    )*};
}

wrapping_compound! {
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str),
}

impl<C: ser::SerializeMap> ser::SerializeMap for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: ser::Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(key)
    }

    fn serialize_value<T: ser::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Attaching(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

/// `#[payload(bytes)]` on a `Vec<u8>`: written as bytes (an attachment), read from one.
pub mod byte_vec {
    use serde::{Deserializer, Serializer};

    /// Writes the vector as bytes.
    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    /// Reads bytes into a vector.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("binary data")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn decode<T: de::DeserializeOwned>(
        json: &str,
        bins: &[&[u8]],
    ) -> Result<(T, Vec<usize>), String> {
        let attachments =
            Attachments::new(bins.iter().map(|b| Bytes::copy_from_slice(b)).collect());
        let mut json = serde_json::Deserializer::from_str(json);
        let value = T::deserialize(AttachmentDeserializer::new(&mut json, &attachments))
            .map_err(|e| e.to_string())?;
        Ok((value, attachments.unused()))
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct File {
        name: String,
        data: Bytes,
        thumbnail: Option<Bytes>,
        parts: Vec<Bytes>,
    }

    #[test]
    fn placeholders_resolve_by_number_at_any_depth() {
        let (file, unused) = decode::<File>(
            r#"{"name":"a","data":{"_placeholder":true,"num":2},"thumbnail":{"num":0,"_placeholder":true},"parts":[{"_placeholder":true,"num":1}]}"#,
            &[b"zero", b"one", b"two"],
        )
        .unwrap();
        assert_eq!(file.data, "two");
        assert_eq!(file.thumbnail.unwrap(), "zero");
        assert_eq!(file.parts, vec![Bytes::from("one")]);
        assert!(unused.is_empty());
    }

    #[test]
    fn numbers_and_strings_are_not_bytes() {
        let error = decode::<File>(
            r#"{"name":"a","data":[1,2,3],"thumbnail":null,"parts":[]}"#,
            &[],
        )
        .unwrap_err();
        assert!(
            error.starts_with("invalid type: sequence, expected binary data"),
            "{error}"
        );
        let error = decode::<File>(
            r#"{"name":"a","data":"AQID","thumbnail":null,"parts":[]}"#,
            &[],
        )
        .unwrap_err();
        assert!(error.starts_with("invalid type: string"), "{error}");
    }

    #[test]
    fn wrong_references_are_errors() {
        let missing = decode::<Bytes>(r#"{"_placeholder":true,"num":1}"#, &[b"x"]).unwrap_err();
        assert!(
            missing.contains("binary attachment 1 is missing"),
            "{missing}"
        );
        let twice = decode::<Vec<Bytes>>(
            r#"[{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]"#,
            &[b"x"],
        )
        .unwrap_err();
        assert!(twice.contains("referenced twice"), "{twice}");
        let extra = decode::<Bytes>(r#"{"_placeholder":true,"num":0,"x":1}"#, &[b"x"]).unwrap_err();
        assert!(extra.contains("expected a binary placeholder"), "{extra}");
        let (_, unused) =
            decode::<Bytes>(r#"{"_placeholder":true,"num":1}"#, &[b"x", b"y"]).unwrap();
        assert_eq!(unused, vec![0]);
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(tag = "kind", rename_all = "camelCase")]
    enum Tagged {
        Image { data: Bytes },
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Flattened {
        #[serde(flatten)]
        inner: Inner,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Inner {
        data: Bytes,
    }

    #[test]
    fn buffered_shapes_read_attachments_too() {
        let (tagged, _) = decode::<Tagged>(
            r#"{"kind":"image","data":{"_placeholder":true,"num":0}}"#,
            &[b"png"],
        )
        .unwrap();
        assert_eq!(
            tagged,
            Tagged::Image {
                data: Bytes::from("png")
            }
        );
        let (flat, _) =
            decode::<Flattened>(r#"{"data":{"_placeholder":true,"num":0}}"#, &[b"f"]).unwrap();
        assert_eq!(flat.inner.data, "f");
    }
}
