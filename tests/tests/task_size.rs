//! Each event's task is sized for its own handler, not for the contract's largest: a
//! small event stays under glibc's per-thread cache of small blocks (1,032 bytes), so
//! allocating its task takes the allocator's fast path, even beside a handler whose future
//! holds kilobytes across an `.await`.

use eventwire::__private::task_size;
use eventwire::{Contract, Cx, payload};

/// A number.
#[payload]
struct Ping {
    n: u32,
}

/// Two small events and one whose handler holds 8 KiB.
#[derive(Contract)]
#[contract(namespace = "/sizes")]
enum Sizes {
    /// Answered with its number.
    #[client(ack = u32)]
    Ping(Ping),
    /// Answered after a pause, with a buffer kept across it.
    #[client(ack = u32)]
    Heavy(Ping),
    /// No payload, no answer.
    #[client]
    Quiet,
}

struct App;

impl SizesHandlers for App {
    async fn ping(&self, _: &Cx<Sizes>, ping: Ping) -> u32 {
        ping.n
    }

    async fn heavy(&self, _: &Cx<Sizes>, ping: Ping) -> u32 {
        // Live across the `.await`, so it is part of this handler's future.
        let buffer = [ping.n as u8; 8192];
        tokio::task::yield_now().await;
        buffer.iter().map(|&b| u32::from(b)).sum()
    }

    async fn quiet(&self, _: &Cx<Sizes>) {}
}

/// glibc's largest block served from its per-thread cache (`tcache`), on 64-bit.
const SMALL_BLOCK: usize = 1032;

#[test]
fn a_small_event_is_not_sized_for_the_largest_handler() {
    let heavy = task_size::<Sizes, App>("heavy");
    assert!(
        heavy > 8192,
        "the heavy handler's task holds its buffer: {heavy} bytes"
    );
    for event in ["ping", "quiet"] {
        let size = task_size::<Sizes, App>(event);
        assert!(
            size < SMALL_BLOCK,
            "`{event}`'s task is {size} bytes, sized for another handler"
        );
    }
}

#[test]
fn unknown_names_and_exchanges_have_their_own_task() {
    let unknown = task_size::<Sizes, App>("no-such-event");
    assert!(
        unknown < SMALL_BLOCK,
        "an unknown event's task is {unknown} bytes"
    );
}
