//! The bodies of the fuzz targets (`fuzz/`), kept here so the test suite replays their
//! corpus on stable Rust.

use eventwire::__private::{decode_auth, incoming};
use eventwire::{Fault, FaultCode, IncomingPayload};

use crate::shapes::{Adjacent, External, Internal, Page, Record, Tree, Untagged};
use crate::{
    Divide, EchoRequest, Lenient, Profile, Question, RoomRequest, Shout, Step, Strict, Token,
};

/// Decodes `data` as the arguments of an event (`["event", payload]`), for every payload
/// type of the test contracts. Decoding may refuse the input but must never panic, and a
/// refusal must be a well-formed `invalid_payload` fault naming the event.
pub fn decode_event(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check::<EchoRequest>(text);
    check::<Profile>(text);
    check::<Strict>(text);
    check::<Lenient>(text);
    check::<Divide>(text);
    check::<RoomRequest>(text);
    check::<Shout>(text);
    check::<Question>(text);
    check::<Step>(text);
    check::<Record>(text);
    check::<External>(text);
    check::<Internal>(text);
    check::<Adjacent>(text);
    check::<Untagged>(text);
    check::<Tree>(text);
    check::<Page<String>>(text);
    let _ = incoming("ev", text).expect_empty();
}

fn check<T: IncomingPayload>(text: &str) {
    if let Err(fault) = incoming("ev", text).decode::<T>() {
        assert_well_formed(&fault);
    }
}

fn assert_well_formed(fault: &Fault) {
    assert_eq!(fault.code, FaultCode::InvalidPayload);
    assert_eq!(fault.event, "ev");
    assert!(
        !fault.issues.is_empty(),
        "an invalid payload names its problems"
    );
    // It must serialize: it goes on the wire.
    serde_json::to_string(fault).expect("a fault serializes");
}

/// Decodes `data` as a handshake auth payload: refusals, never panics.
pub fn decode_handshake(data: &[u8]) {
    let text = std::str::from_utf8(data).ok();
    if let Err(refusal) = decode_auth::<Token>(text) {
        assert!(!refusal.message().is_empty());
    }
}
