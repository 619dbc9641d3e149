//! Decoding the handshake's `auth` payload into the contract's auth type.

use serde::de::DeserializeOwned;

use crate::auth::Refusal;
use crate::validate::Validate;
use crate::wire::incoming::type_issue;

/// Deserializes and validates a handshake auth payload (a JSON document, not an event).
pub fn decode_auth<T: DeserializeOwned + Validate>(auth: Option<&str>) -> Result<T, Refusal> {
    let Some(text) = auth else {
        return Err(Refusal::new("auth is required"));
    };
    let mut track = serde_path_to_error::Track::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
        .and_then(|value| de.end().map(|()| value));
    let value =
        parsed.map_err(|error| Refusal::invalid_auth(vec![type_issue(&error, &track.path())]))?;
    value.validate().map_err(Refusal::invalid_auth)?;
    Ok(value)
}
