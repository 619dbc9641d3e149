//! Handshake auth payloads through deserialize + validate: refusals, never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventwire_tests::fuzzing::decode_handshake(data));
