//! W6's matcher alone: for a change matching one of 1,000 filters held by 100,000
//! subscriptions, the subscriptions it matches found through the feed's index (its
//! candidates, each tested with `matches`) against `matches` on every subscription.
//!
//! `cargo bench -p eventwire-bench --bench matching`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use eventwire_bench::feeds::matching::{Layout, Subscriptions, task};

fn matching(c: &mut Criterion) {
    let layout = Layout::new(1_000, 100);
    let subscriptions = Subscriptions::new(layout);
    let changes: Vec<_> = (0..layout.filters() as u32)
        .map(|n| task(n, layout.filters()))
        .collect();
    let mut group = c.benchmark_group("match one change against 100,000 subscriptions");
    let mut next = changes.iter().cycle();
    group.bench_function("index + matches", |b| {
        b.iter(|| subscriptions.indexed(black_box(next.next().expect("cycles"))))
    });
    let mut next = changes.iter().cycle();
    group.bench_function("naive scan", |b| {
        b.iter(|| subscriptions.naive(black_box(next.next().expect("cycles"))))
    });
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
