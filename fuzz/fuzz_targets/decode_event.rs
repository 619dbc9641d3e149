//! Event arguments (`["event", payload]`) through deserialize + validate, for every payload
//! type of the test contracts: refusals are well-formed faults, never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventwire_tests::fuzzing::decode_event(data));
