//! W5, validation cost: decoding one event's payload the way raw socketioxide does it
//! (`TryData<T>`: the common parser's `decode_value`) against eventwire's path (the same
//! JSON into the same type, with JSON-path tracking, then `#[validate]` rules), for a
//! ~100 B and a ~2 KB nested payload. `cargo bench -p eventwire-bench --bench decode`.

use criterion::{Criterion, criterion_group, criterion_main};
use eventwire_bench::payloads::{Message, Order, message_json, order_json};
use socketioxide_core::Value;
use socketioxide_core::parser::Parse;
use socketioxide_parser_common::CommonParser;

fn packet(payload: &str) -> socketioxide_core::Str {
    format!(r#"["ev",{payload}]"#).into()
}

fn bench(
    c: &mut Criterion,
    name: &str,
    text: socketioxide_core::Str,
    decode_raw: fn(Value) -> bool,
    decode_eventwire: fn(Value) -> bool,
) {
    let mut group = c.benchmark_group(name);
    group.throughput(criterion::Throughput::Bytes(text.len() as u64));
    group.bench_function("raw socketioxide (TryData)", |b| {
        b.iter(|| decode_raw(Value::Str(text.clone(), None)))
    });
    group.bench_function("eventwire (typed + validated)", |b| {
        b.iter(|| decode_eventwire(Value::Str(text.clone(), None)))
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let small = packet(&message_json());
    let large = packet(&order_json());
    assert!(
        (80..200).contains(&small.len()) && (1800..2600).contains(&large.len()),
        "{} {}",
        small.len(),
        large.len()
    );
    bench(
        c,
        "decode ~100 B",
        small,
        |mut v| CommonParser.decode_value::<Message>(&mut v, true).is_ok(),
        |v| {
            eventwire::__private::incoming_value("ev".to_owned(), v)
                .decode::<Message>()
                .is_ok()
        },
    );
    bench(
        c,
        "decode ~2 KB nested",
        large,
        |mut v| CommonParser.decode_value::<Order>(&mut v, true).is_ok(),
        |v| {
            eventwire::__private::incoming_value("ev".to_owned(), v)
                .decode::<Order>()
                .is_ok()
        },
    );
}

criterion_group!(benches, decode);
criterion_main!(benches);
