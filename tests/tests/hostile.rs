//! Hostile input, as raw Engine.IO/Socket.IO frames (not socket.io-client): every case gets
//! a structured answer or a clean close, the process keeps serving, and a well-behaved
//! client on another connection keeps getting acks throughout.

use eventwire_tests::raw::{Next, RawSocket, http};

/// An ack'd echo from a well-behaved connection: the server still serves.
async fn assert_serving(base: &str, canary: &mut RawSocket) {
    for socket in [canary, &mut RawSocket::connect(base, "/lab").await] {
        socket
            .send(r#"42/lab,900["echo",{"text":"ok","repeatCount":1}]"#)
            .await;
        assert_eq!(
            socket.next().await,
            Next::Text(r#"43/lab,900[{"ok":true,"data":{"text":"ok"}}]"#.into())
        );
    }
}

/// Starts a server and a canary connection.
async fn setup() -> (eventwire_tests::TestServer, RawSocket) {
    let server = eventwire_tests::start().await;
    let canary = RawSocket::connect(&server.url, "/lab").await;
    (server, canary)
}

/// Sends one hostile frame on a fresh connection and returns what the server did.
async fn answer_to(base: &str, frame: &str) -> Next {
    let mut socket = RawSocket::connect(base, "/lab").await;
    socket.send(frame).await;
    socket.next().await
}

fn fault_ack(id: u32, code: &str, event: &str) -> impl Fn(&Next) -> bool {
    let prefix = format!(r#"43/lab,{id}[{{"ok":false,"fault":{{"code":"{code}","event":"{event}""#);
    move |next| matches!(next, Next::Text(text) if text.starts_with(&prefix))
}

#[tokio::test]
async fn non_string_event_names_close_the_connection() {
    let (server, mut canary) = setup().await;
    for frame in [
        r#"42/lab,[{"toString":"x"}]"#,
        r#"42/lab,[true,"x"]"#,
        r#"42/lab,[null,"x"]"#,
        r#"42/lab,[]"#,
        r#"42/lab,{}"#,
    ] {
        let mut socket = RawSocket::connect(&server.url, "/lab").await;
        socket.send(frame).await;
        socket.expect_closed().await;
    }
    assert_serving(&server.url, &mut canary).await;
}

/// The names of the runtime's own exchanges a client sends: the generated dispatch matches
/// these constants, not copies of their text.
const OWN_CLIENT_EVENTS: [&str; 6] = [
    eventwire::feed::SUBSCRIBE_EVENT,
    eventwire::feed::UNSUBSCRIBE_EVENT,
    eventwire::upload::CHUNK_EVENT,
    eventwire::upload::FINISH_EVENT,
    eventwire::upload::CANCEL_EVENT,
    eventwire::upload::RESUME_EVENT,
];

#[tokio::test]
async fn reserved_event_names_are_refused_as_unknown() {
    let (server, mut canary) = setup().await;
    // The derive's list, which the contract check refuses at compile time, is the one the
    // runtime answers; and a contract without feeds or uploads (the lab) has no arm for
    // the runtime's own exchanges either.
    assert!(eventwire::RESERVED_EVENTS.contains(&"newListener"));
    let names = eventwire::RESERVED_EVENTS.iter().chain(&OWN_CLIENT_EVENTS);
    for (id, name) in (1..).zip(names) {
        let next = answer_to(&server.url, &format!(r#"42/lab,{id}["{name}",{{}}]"#)).await;
        assert!(
            fault_ack(id, "unknown_event", name)(&next),
            "{name}: {next:?}"
        );
    }
    assert_serving(&server.url, &mut canary).await;
}

#[test]
fn a_feed_contract_numbers_the_runtime_own_feed_events_after_its_client_events() {
    use eventwire::__private::Dispatch;
    let events = <eventwire_tests::board::Board as Dispatch<eventwire_tests::board::BoardApp>>::CLIENT_EVENTS;
    assert_eq!(
        events[events.len() - 2..],
        [
            eventwire::feed::SUBSCRIBE_EVENT,
            eventwire::feed::UNSUBSCRIBE_EVENT
        ]
    );
}

#[tokio::test]
async fn placeholder_abuse_is_refused() {
    let (server, mut canary) = setup().await;
    for placeholder in [
        r#"{"_placeholder":true,"num":"splice"}"#,
        r#"{"_placeholder":true,"num":99}"#,
        r#"{"_placeholder":true,"num":-1}"#,
    ] {
        let mut socket = RawSocket::connect(&server.url, "/lab").await;
        socket
            .send(&format!(r#"451-/lab,7["echo",{placeholder}]"#))
            .await;
        socket.send_binary(vec![1, 2, 3]).await;
        let next = socket.next().await;
        eprintln!("placeholder {placeholder}: {next:?}");
        assert!(
            next == Next::Closed || fault_ack(7, "invalid_payload", "echo")(&next),
            "{next:?}"
        );
    }
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn absurd_attachment_counts_close_the_connection() {
    let (server, mut canary) = setup().await;
    for frame in [r#"451000000000-/lab,["echo"]"#, r#"4511-/lab,["echo"]"#] {
        let mut socket = RawSocket::connect(&server.url, "/lab").await;
        socket.send(frame).await;
        socket.expect_closed().await;
    }
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn floods_of_zero_attachment_binary_packets_stay_bounded() {
    let (server, mut canary) = setup().await;
    let before = rss_kib();
    let mut socket = RawSocket::connect(&server.url, "/lab").await;
    for i in 0..10_000 {
        socket
            .send(&format!(
                r#"450-/lab,{i}["echo",{{"text":"x","repeatCount":1}}]"#
            ))
            .await;
    }
    assert_serving(&server.url, &mut canary).await;
    let grown = rss_kib().saturating_sub(before);
    eprintln!("RSS growth after 10,000 binary packets: {grown} KiB");
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
}

#[tokio::test]
async fn deep_nesting_gets_a_fault() {
    let (server, mut canary) = setup().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let next = answer_to(&server.url, &format!(r#"42/lab,8["echo",{deep}]"#)).await;
    assert!(fault_ack(8, "invalid_payload", "echo")(&next), "{next:?}");
    let next = answer_to(
        &server.url,
        &format!(r#"42/lab,9["echo",{{"text":{deep},"repeatCount":1}}]"#),
    )
    .await;
    assert!(fault_ack(9, "invalid_payload", "echo")(&next), "{next:?}");
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_the_connection() {
    let (server, mut canary) = setup().await;
    let mut socket = RawSocket::connect(&server.url, "/lab").await;
    socket
        .send(&format!(
            r#"42/lab,1["echo",{{"text":"{}","repeatCount":1}}]"#,
            "x".repeat(2 << 20)
        ))
        .await;
    socket.expect_closed().await;
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn invalid_utf8_is_refused() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let (server, mut canary) = setup().await;
    // A text frame whose payload is not UTF-8.
    let mut socket = RawSocket::connect(&server.url, "/lab").await;
    let bytes = b"42/lab,[\"echo\",\"\xff\xfe\"]".to_vec();
    socket
        .send_frame(Frame::message(
            bytes.clone(),
            OpCode::Data(Data::Text),
            true,
        ))
        .await;
    socket.expect_closed().await;
    // The same bytes in a polling POST.
    let sid = polling_sid(&server.url).await;
    let request = [
        format!("POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len()).into_bytes(),
        bytes,
    ]
    .concat();
    let response = http(&server.url, &request).await;
    eprintln!(
        "invalid UTF-8 over polling: {}",
        response.lines().next().unwrap_or("(closed)")
    );
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 400"),
        "{response}"
    );
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn invalid_and_huge_ack_ids() {
    let (server, mut canary) = setup().await;
    // socketioxide reads an ack id that overflows i64 as "no ack" (and skips its digits), so
    // the event is handled as fire-and-forget and no answer goes back: the one case here
    // that is not answered. eventwire never sees the id.
    let next = answer_to(
        &server.url,
        r#"42/lab,99999999999999999999999["echo",{"text":"a","repeatCount":1}]"#,
    )
    .await;
    assert_eq!(next, Next::Silence);
    for frame in [
        r#"42/lab,-5["echo",{"text":"a","repeatCount":1}]"#,
        r#"42/lab,1e3["echo",{"text":"a","repeatCount":1}]"#,
    ] {
        let next = answer_to(&server.url, frame).await;
        assert_eq!(next, Next::Closed, "{frame}");
    }
    // An ack for an id the server never sent is ignored.
    let next = answer_to(&server.url, r#"43/lab,12345["whatever"]"#).await;
    assert_eq!(next, Next::Silence);
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn unknown_packet_types_close_the_connection() {
    let (server, mut canary) = setup().await;
    for frame in ["47/lab,", "4x", "9", "4", ""] {
        let mut socket = RawSocket::connect(&server.url, "/lab").await;
        socket.send(frame).await;
        let next = socket.next().await;
        eprintln!("{frame:?}: {next:?}");
        assert_eq!(next, Next::Closed, "{frame:?}");
    }
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn duplicate_connect_is_ignored() {
    let (server, mut canary) = setup().await;
    let mut socket = RawSocket::connect(&server.url, "/lab").await;
    socket.send("40/lab,").await;
    assert_eq!(socket.next().await, Next::Silence);
    socket
        .send(r#"42/lab,1["echo",{"text":"still","repeatCount":1}]"#)
        .await;
    assert_eq!(
        socket.next().await,
        Next::Text(r#"43/lab,1[{"ok":true,"data":{"text":"still"}}]"#.into())
    );
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn connect_to_an_unknown_namespace_is_refused() {
    let (server, mut canary) = setup().await;
    let mut socket = RawSocket::open(&server.url).await;
    socket.send("40/nope,").await;
    assert_eq!(
        socket.next().await,
        Next::Text(r#"44/nope,{"message":"Invalid namespace"}"#.into())
    );
    // Events to a namespace the socket is not connected to close it.
    socket
        .send(r#"42/lab,["echo",{"text":"a","repeatCount":1}]"#)
        .await;
    assert_eq!(socket.next().await, Next::Closed);
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn numbers_beyond_64_bits_and_nan_like_tokens_get_faults() {
    let (server, mut canary) = setup().await;
    for (id, payload) in [
        (1, r#"{"a":1e400,"b":1}"#),
        (2, r#"{"a":18446744073709551616,"b":1}"#),
        (3, r#"{"a":NaN,"b":1}"#),
        (4, r#"{"a":Infinity,"b":1}"#),
        (5, r#"{"a":-0x10,"b":1}"#),
    ] {
        let next = answer_to(&server.url, &format!(r#"42/lab,{id}["divide",{payload}]"#)).await;
        eprintln!("{payload}: {next:?}");
        assert!(
            fault_ack(id, "invalid_payload", "divide")(&next) || next == Next::Closed,
            "{payload}: {next:?}"
        );
    }
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn proto_and_constructor_keys_are_plain_data() {
    let (server, mut canary) = setup().await;
    let next = answer_to(&server.url, r#"42/lab,1["lenient",{"value":1,"__proto__":{"polluted":true},"constructor":{"prototype":{}}}]"#).await;
    assert_eq!(next, Next::Text(r#"43/lab,1[{"ok":true,"data":1}]"#.into()));
    let next = answer_to(
        &server.url,
        r#"42/lab,2["strict",{"value":1,"__proto__":{}}]"#,
    )
    .await;
    assert!(fault_ack(2, "invalid_payload", "strict")(&next), "{next:?}");
    assert_serving(&server.url, &mut canary).await;
}

#[tokio::test]
async fn oversized_http_headers_are_refused() {
    let (server, mut canary) = setup().await;
    let upgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let many: String = (0..500).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let response = http(&server.url, format!("{upgrade}{many}\r\n").as_bytes()).await;
    eprintln!(
        "500 headers: {}",
        response.lines().next().unwrap_or("(closed)")
    );
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 431"),
        "{response}"
    );
    let long = format!("X-Long: {}\r\n", "a".repeat(1 << 20));
    let response = http(&server.url, format!("{upgrade}{long}\r\n").as_bytes()).await;
    eprintln!(
        "a 1 MiB header line: {}",
        response.lines().next().unwrap_or("(closed)")
    );
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 431"),
        "{response}"
    );
    assert_serving(&server.url, &mut canary).await;
}

/// Opens a polling session and returns its sid.
async fn polling_sid(base: &str) -> String {
    let response = http(
        base,
        b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let start = response.find("\"sid\":\"").expect("an open packet") + 7;
    response[start..]
        .split('"')
        .next()
        .expect("a sid")
        .to_owned()
}

/// This process's resident memory, in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_flood_over_the_rate_limit_is_refused_then_disconnected() {
    let (server, mut canary) = setup().await;
    let mut socket = RawSocket::connect(&server.url, "/lab").await;
    // The default limit is 100 per second per socket; after 100 refusals within 10 s the socket
    // is disconnected.
    for i in 0..300 {
        socket
            .send(&format!(
                r#"42/lab,{i}["echo",{{"text":"x","repeatCount":1}}]"#
            ))
            .await;
    }
    let (mut answered, mut limited) = (0, 0);
    loop {
        match socket.next().await {
            Next::Text(text) if text.contains(r#""ok":true"#) => answered += 1,
            Next::Text(text)
                if text.contains(r#""code":"rate_limited""#)
                    && text.contains(r#""retryAfterMs":"#) =>
            {
                limited += 1
            }
            Next::Closed => break,
            other => panic!("unexpected {other:?} after {answered} answered, {limited} limited"),
        }
    }
    eprintln!("flood of 300: {answered} answered, {limited} rate limited, then disconnected");
    assert!((90..=110).contains(&answered), "{answered} answered");
    // This client reads nothing until it has sent all 300, so its outgoing queue (128
    // packets) fills and further refusals are dropped; some arrive, then the disconnect.
    assert!(limited >= 1, "{limited} rate limited");
    assert_serving(&server.url, &mut canary).await;
}

/// The files contract (binary payloads) and a canary on it.
async fn setup_files() -> (String, RawSocket) {
    let url = eventwire_tests::binary::start().await;
    let canary = RawSocket::connect(&url, "/files").await;
    (url, canary)
}

/// A small ack'd binary event from a well-behaved connection: the server still serves.
async fn assert_files_serving(base: &str, canary: &mut RawSocket) {
    for socket in [canary, &mut RawSocket::connect(base, "/files").await] {
        socket
            .send(r#"451-/files,900["small",{"data":{"_placeholder":true,"num":0}}]"#)
            .await;
        socket.send_binary(vec![7; 3]).await;
        assert_eq!(
            socket.next().await,
            Next::Text(r#"43/files,900[{"ok":true,"data":3}]"#.into())
        );
    }
}

/// The issues of a fault answer to ack `id` on `/files`, as `(code, message)`.
fn files_fault(next: &Next, id: u32) -> Vec<(String, String)> {
    let Next::Text(text) = next else {
        panic!("expected a fault, got {next:?}");
    };
    let json = text
        .strip_prefix(&format!("43/files,{id}"))
        .unwrap_or_else(|| panic!("expected the answer to {id}, got {text}"));
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    assert_eq!(value[0]["fault"]["code"], "invalid_payload", "{text}");
    value[0]["fault"]["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap_or_default().to_owned(),
                i["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn wrong_attachment_references_get_faults() {
    let (url, mut canary) = setup_files().await;
    let upload = |data: &str, thumbnail: &str| {
        format!(
            r#"["upload",{{"title":"t","data":{data},"thumbnail":{thumbnail},"attachments":[],"raw":{{"_placeholder":true,"num":0}}}}]"#
        )
    };
    let placeholder = |n: i64| format!(r#"{{"_placeholder":true,"num":{n}}}"#);
    for (id, header, attachments, expected) in [
        // An attachment the payload never references.
        (
            1,
            format!("453-/files,1{}", upload(&placeholder(1), "null")),
            3,
            "not in the payload",
        ),
        // One attachment for two fields.
        (
            2,
            format!("452-/files,2{}", upload(&placeholder(1), &placeholder(1))),
            2,
            "referenced twice",
        ),
        // A number beyond the attachments sent.
        (
            3,
            format!("452-/files,3{}", upload(&placeholder(5), "null")),
            2,
            "binary attachment 5 is missing",
        ),
        // A placeholder with a negative or non-numeric number, or extra keys.
        (
            4,
            format!("452-/files,4{}", upload(&placeholder(-1), "null")),
            2,
            "invalid value",
        ),
        (
            5,
            format!(
                "452-/files,5{}",
                upload(r#"{"_placeholder":true,"num":"1"}"#, "null")
            ),
            2,
            "invalid type",
        ),
        (
            6,
            format!(
                "452-/files,6{}",
                upload(r#"{"_placeholder":true,"num":1,"x":2}"#, "null")
            ),
            2,
            "expected a binary placeholder",
        ),
        // A placeholder where text is declared.
        (
            7,
            format!(
                r#"452-/files,7["upload",{{"title":{},"data":{},"thumbnail":null,"attachments":[],"raw":{}}}]"#,
                placeholder(0),
                placeholder(1),
                placeholder(0)
            ),
            2,
            "invalid type: map, expected a string",
        ),
    ] {
        let mut socket = RawSocket::connect(&url, "/files").await;
        socket.send(&header).await;
        for _ in 0..attachments {
            socket.send_binary(vec![1, 2, 3]).await;
        }
        let issues = files_fault(&socket.next().await, id);
        assert!(
            issues.iter().any(|(_, message)| message.contains(expected)),
            "{id}: {issues:?}"
        );
    }
    assert_files_serving(&url, &mut canary).await;
}

#[tokio::test]
async fn broken_attachment_sequences_close_the_connection() {
    let (url, mut canary) = setup_files().await;
    // A binary frame with no packet waiting for it; a text packet before the attachments
    // its predecessor declared; more attachments than the server accepts.
    let cases: [(&str, bool); 3] = [
        ("", true),
        (
            r#"452-/files,1["small",{"data":{"_placeholder":true,"num":0}}]"#,
            false,
        ),
        (
            r#"4511-/files,1["small",{"data":{"_placeholder":true,"num":0}}]"#,
            false,
        ),
    ];
    for (header, binary_first) in cases {
        let mut socket = RawSocket::connect(&url, "/files").await;
        if binary_first {
            socket.send_binary(vec![0; 16]).await;
        } else {
            socket.send(header).await;
            socket
                .send(r#"42/files,2["small",{"data":{"_placeholder":true,"num":0}}]"#)
                .await;
        }
        socket.expect_closed().await;
    }
    assert_files_serving(&url, &mut canary).await;
}

#[tokio::test]
async fn attachment_floods_are_refused_and_memory_stays_flat() {
    let (url, mut canary) = setup_files().await;
    // Each packet carries 64 KiB, far over `small`'s 256 bytes: refused before decoding.
    // 80 per connection stays under the rate limit's disconnect. The first round warms the
    // allocator and buffers (and other tests of this binary run meanwhile); the four after it
    // must not keep what they sent.
    let mut before = 0;
    for round in 0..5 {
        if round == 1 {
            before = rss_kib();
        }
        let mut socket = RawSocket::connect(&url, "/files").await;
        for i in 0..80 {
            socket
                .send(&format!(
                    r#"451-/files,{i}["small",{{"data":{{"_placeholder":true,"num":0}}}}]"#
                ))
                .await;
            socket.send_binary(vec![0xAB; 64 * 1024]).await;
        }
        for i in 0..80 {
            let issues = files_fault(&socket.next().await, i);
            assert_eq!(issues[0].0, "too_large");
        }
    }
    assert_files_serving(&url, &mut canary).await;
    let grown = rss_kib().saturating_sub(before);
    eprintln!("RSS growth over 320 packets of 64 KiB attachments (20 MiB): {grown} KiB");
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
}

/// Sends a chunk of `data` for transfer `id` at `offset` as ack `ack` on `/files`.
async fn send_chunk(socket: &mut RawSocket, ack: u32, id: &str, offset: u64, data: Vec<u8>) {
    socket
        .send(&format!(
            r#"451-/files,{ack}["eventwire:chunk",{{"id":"{id}","offset":{offset},"data":{{"_placeholder":true,"num":0}}}}]"#
        ))
        .await;
    socket.send_binary(data).await;
}

/// The answer to ack `ack` on `/files` as JSON, skipping answers to other acks (chunks held
/// by the server are answered later, out of order).
async fn files_answer(socket: &mut RawSocket, ack: u32) -> serde_json::Value {
    let mut answers = files_answers(socket, ack..=ack).await;
    answers.remove(&ack).expect("the one answer waited for")
}

/// The answers to every ack in `acks` on `/files`, whatever their order, by ack.
async fn files_answers(
    socket: &mut RawSocket,
    acks: std::ops::RangeInclusive<u32>,
) -> std::collections::BTreeMap<u32, serde_json::Value> {
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < acks.clone().count() {
        match socket.next().await {
            Next::Text(text) => {
                let Some(rest) = text.strip_prefix("43/files,") else {
                    continue;
                };
                let (ack, body) =
                    rest.split_at(rest.bytes().take_while(u8::is_ascii_digit).count());
                if let Ok(ack) = ack.parse()
                    && acks.contains(&ack)
                {
                    let value: serde_json::Value =
                        serde_json::from_str(body).expect("an ack is JSON");
                    answers.insert(ack, value[0].clone());
                }
            }
            Next::Binary(_) => {}
            other => panic!("no answer to all of {acks:?}, only {answers:?}: {other:?}"),
        }
    }
    answers
}

/// Starts an upload of `size` bytes whose handler takes a chunk every `delay_ms`; returns its id.
async fn start_upload(socket: &mut RawSocket, ack: u32, size: u64, delay_ms: u32) -> String {
    socket
        .send(&format!(
            r#"42/files,{ack}["sendFile",{{"meta":{{"name":"hostile.bin","delayMs":{delay_ms}}},"size":{size}}}]"#
        ))
        .await;
    let answer = files_answer(socket, ack).await;
    answer["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an upload id: {answer}"))
        .to_owned()
}

fn fault_code(answer: &serde_json::Value) -> &str {
    answer["fault"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn upload_chunks_for_unknown_transfers_get_faults() {
    let (url, mut canary) = setup_files().await;
    let mut socket = RawSocket::connect(&url, "/files").await;
    send_chunk(
        &mut socket,
        1,
        "0123456789abcdef0123456789abcdef",
        0,
        vec![1; 10],
    )
    .await;
    let answer = files_answer(&mut socket, 1).await;
    assert_eq!(fault_code(&answer), "unknown_transfer", "{answer}");
    // Another connection's transfer is unknown here too: the id names it on its connection.
    let mut owner = RawSocket::connect(&url, "/files").await;
    let id = start_upload(&mut owner, 1, 100, 0).await;
    send_chunk(&mut socket, 2, &id, 0, vec![1; 10]).await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 2).await),
        "unknown_transfer"
    );
    // A finish, a cancel and a resume with nonsense are answered too.
    socket
        .send(r#"42/files,3["eventwire:finish",{"id":"x","sha256":"nothex"}]"#)
        .await;
    let answer = files_answer(&mut socket, 3).await;
    assert_eq!(fault_code(&answer), "invalid_payload", "{answer}");
    assert_eq!(
        answer["fault"]["issues"][0]["path"],
        serde_json::json!(["sha256"])
    );
    socket
        .send(r#"42/files,4["eventwire:resume",{"id":"nope"}]"#)
        .await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 4).await),
        "unknown_transfer"
    );
    socket
        .send(r#"42/files,5["eventwire:chunk",{"id":"x","offset":-1,"data":[1,2]}]"#)
        .await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 5).await),
        "invalid_payload"
    );
    assert_files_serving(&url, &mut canary).await;
}

#[tokio::test]
async fn upload_chunks_out_of_order_or_past_the_size_end_the_transfer() {
    let (url, mut canary) = setup_files().await;
    let mut socket = RawSocket::connect(&url, "/files").await;
    let chunk = 64 * 1024;
    // Past the declared size.
    let id = start_upload(&mut socket, 1, 100, 0).await;
    send_chunk(&mut socket, 2, &id, 0, vec![1; 200]).await;
    let answer = files_answer(&mut socket, 2).await;
    assert_eq!(fault_code(&answer), "invalid_chunk", "{answer}");
    assert!(
        answer["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("past the declared size")
    );
    // The transfer ended: its next chunk is unknown.
    send_chunk(&mut socket, 3, &id, 0, vec![1; 10]).await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 3).await),
        "unknown_transfer"
    );
    // Chunks ahead of the first, more than the window (4) of them.
    let id = start_upload(&mut socket, 4, 10 * chunk, 0).await;
    for (i, ack) in (1..=5).zip(10..) {
        send_chunk(&mut socket, ack, &id, i * chunk, vec![2; chunk as usize]).await;
    }
    // Concurrent events: their answers come in any order.
    let mut answers = files_answers(&mut socket, 10..=14).await;
    let answer = answers.remove(&14).expect("answered");
    assert_eq!(fault_code(&answer), "invalid_chunk", "{answer}");
    assert!(
        answer["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("more than 4 chunks in flight")
    );
    // The held chunks are answered too, now that the transfer ended.
    for (ack, answer) in answers {
        assert_eq!(fault_code(&answer), "unknown_transfer", "{ack}: {answer}");
    }
    // Overlapping bytes, a chunk over the chunk size, a finish before the last byte.
    let id = start_upload(&mut socket, 20, 1000, 0).await;
    send_chunk(&mut socket, 21, &id, 0, vec![3; 500]).await;
    assert_eq!(files_answer(&mut socket, 21).await["data"]["offset"], 500);
    send_chunk(&mut socket, 22, &id, 250, vec![3; 500]).await;
    assert!(
        files_answer(&mut socket, 22).await["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("overlaps")
    );
    let id = start_upload(&mut socket, 23, 10 * chunk, 0).await;
    send_chunk(&mut socket, 24, &id, 0, vec![4; chunk as usize + 1]).await;
    assert!(
        files_answer(&mut socket, 24).await["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 65536 bytes")
    );
    let id = start_upload(&mut socket, 25, 1000, 0).await;
    send_chunk(&mut socket, 26, &id, 0, vec![5; 10]).await;
    files_answer(&mut socket, 26).await;
    let zeros = "0".repeat(64);
    socket
        .send(&format!(
            r#"42/files,27["eventwire:finish",{{"id":"{id}","sha256":"{zeros}"}}]"#
        ))
        .await;
    let answer = files_answer(&mut socket, 27).await;
    assert_eq!(fault_code(&answer), "invalid_chunk");
    assert!(
        answer["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("after 10 of its 1000 bytes")
    );
    assert_files_serving(&url, &mut canary).await;
}

#[tokio::test]
async fn uploads_never_finished_are_freed_after_their_timeout() {
    let app = eventwire_tests::binary::FilesApp::default();
    let url = eventwire_tests::binary::start_with(app.clone()).await;
    let mut canary = RawSocket::connect(&url, "/files").await;
    let chunk = 64 * 1024;
    let before = rss_kib();
    // Rounds of connections that start two uploads each, fill their windows (the handler
    // holds chunks for a second each) and vanish.
    let mut ids = Vec::new();
    for _ in 0..20 {
        let mut socket = RawSocket::connect(&url, "/files").await;
        for ack in [1, 2] {
            let id = start_upload(&mut socket, ack, 20 * chunk, 1000).await;
            for i in 0..4 {
                send_chunk(
                    &mut socket,
                    10 + i as u32,
                    &id,
                    i * chunk,
                    vec![6; chunk as usize],
                )
                .await;
            }
            ids.push(id);
        }
        drop(socket);
    }
    assert_files_serving(&url, &mut canary).await;
    // The timeout is 1.5 s of waiting for the client (time the handler holds chunks does not
    // count): after it, every transfer is freed and its handler saw it abandoned.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let abandoned = app
            .uploads
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.ends_with("the client abandoned the upload"))
            .count();
        if abandoned == ids.len() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{abandoned} of {} abandoned",
            ids.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut socket = RawSocket::connect(&url, "/files").await;
    socket
        .send(&format!(
            r#"42/files,1["eventwire:resume",{{"id":"{}"}}]"#,
            ids[0]
        ))
        .await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 1).await),
        "unknown_transfer"
    );
    let grown = rss_kib().saturating_sub(before);
    eprintln!("RSS growth after 40 abandoned uploads: {grown} KiB");
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
    assert_files_serving(&url, &mut canary).await;
}

/// Starts a download of a generated file of `size` bytes as ack `ack` on `/files`; returns
/// its id.
async fn start_download(socket: &mut RawSocket, ack: u32, name: &str, size: u64) -> String {
    socket
        .send(&format!(
            r#"42/files,{ack}["fetchFile",{{"request":{{"name":"{name}","size":{size},"seed":1,"delayMs":0}}}}]"#
        ))
        .await;
    let answer = files_answer(socket, ack).await;
    answer["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a download id: {answer}"))
        .to_owned()
}

/// Reads frames until `eventwire:download-end` arrives; returns it and how many chunk
/// headers came before.
async fn download_end(socket: &mut RawSocket) -> (serde_json::Value, usize) {
    let mut chunks = 0;
    loop {
        match socket.next().await {
            Next::Text(text) if text.contains(r#"["eventwire:download-chunk""#) => chunks += 1,
            Next::Text(text) if text.contains(r#"["eventwire:download-end""#) => {
                let json = &text[text.find('[').expect("an event")..];
                let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
                return (value[1].clone(), chunks);
            }
            Next::Text(_) | Next::Binary(_) => {}
            other => panic!("no download end after {chunks} chunks: {other:?}"),
        }
    }
}

#[tokio::test]
async fn download_acknowledgements_for_unknown_transfers_or_unsent_bytes_get_faults() {
    let (url, mut canary) = setup_files().await;
    let mut socket = RawSocket::connect(&url, "/files").await;
    // Unknown ids, answered through the ack, or the fault event without one.
    socket
        .send(r#"42/files,1["eventwire:download-ack",{"id":"nope","offset":1}]"#)
        .await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 1).await),
        "unknown_transfer"
    );
    socket
        .send(r#"42/files,["eventwire:download-ack",{"id":"nope","offset":1}]"#)
        .await;
    match socket.next().await {
        Next::Text(text) => assert!(
            text.starts_with(r#"42/files,["eventwire:fault",{"code":"unknown_transfer""#),
            "{text}"
        ),
        other => panic!("expected a fault event, got {other:?}"),
    }
    // Another connection's download is unknown here too.
    let mut owner = RawSocket::connect(&url, "/files").await;
    let theirs = start_download(&mut owner, 1, "theirs.bin", 1_000_000).await;
    socket
        .send(&format!(
            r#"42/files,2["eventwire:download-ack",{{"id":"{theirs}","offset":1}}]"#
        ))
        .await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 2).await),
        "unknown_transfer"
    );
    // Nonsense: a negative offset, a missing id, an extra key; a cancel of nothing is fine.
    for (ack, body) in [
        (3, r#"{"id":"x","offset":-1}"#),
        (4, r#"{"offset":1}"#),
        (5, r#"{"id":"x","offset":1,"more":true}"#),
    ] {
        socket
            .send(&format!(
                r#"42/files,{ack}["eventwire:download-ack",{body}]"#
            ))
            .await;
        assert_eq!(
            fault_code(&files_answer(&mut socket, ack).await),
            "invalid_payload",
            "{body}"
        );
    }
    socket
        .send(r#"42/files,6["eventwire:download-cancel",{"id":"nope"}]"#)
        .await;
    assert_eq!(files_answer(&mut socket, 6).await["ok"], true);
    // Bytes never sent (the window is 4 chunks of 64 KiB): the transfer ends with
    // `invalid_chunk`, in the answer and in its end frame, and its id is then unknown.
    let id = start_download(&mut socket, 7, "mine.bin", 1_000_000).await;
    socket
        .send(&format!(
            r#"42/files,8["eventwire:download-ack",{{"id":"{id}","offset":999999}}]"#
        ))
        .await;
    let answer = files_answer(&mut socket, 8).await;
    assert_eq!(fault_code(&answer), "invalid_chunk", "{answer}");
    let (end, _) = download_end(&mut socket).await;
    assert_eq!(end["fault"]["code"], "invalid_chunk", "{end}");
    socket
        .send(&format!(
            r#"42/files,9["eventwire:download-ack",{{"id":"{id}","offset":1}}]"#
        ))
        .await;
    assert_eq!(
        fault_code(&files_answer(&mut socket, 9).await),
        "unknown_transfer"
    );
    // The other connection's download is untouched: acknowledged, it completes.
    let mut received = 0u64;
    loop {
        match owner.next().await {
            Next::Binary(bytes) => {
                received += bytes.len() as u64;
                owner
                    .send(&format!(
                        r#"42/files,["eventwire:download-ack",{{"id":"{theirs}","offset":{received}}}]"#
                    ))
                    .await;
            }
            Next::Text(text) if text.contains("eventwire:download-end") => {
                assert!(text.contains(r#""sha256":""#), "{text}");
                break;
            }
            Next::Text(_) => {}
            other => panic!("the neighbour's download stopped after {received}: {other:?}"),
        }
    }
    assert_eq!(received, 1_000_000);
    assert_files_serving(&url, &mut canary).await;
}

#[tokio::test]
async fn downloads_never_acknowledged_are_freed_after_their_timeout() {
    let app = eventwire_tests::binary::FilesApp::default();
    let url = eventwire_tests::binary::start_with(app.clone()).await;
    let mut canary = RawSocket::connect(&url, "/files").await;
    let before = rss_kib();
    // Connections that start two downloads of 5 MB each and never acknowledge a chunk: the
    // server sends a window (4 chunks) of each, then waits; after the timeout (1.5 s) it
    // frees them, says so in their end frames, and drops their streams.
    let mut sockets = Vec::new();
    for round in 0..10 {
        let mut socket = RawSocket::connect(&url, "/files").await;
        for ack in [1, 2] {
            start_download(
                &mut socket,
                ack,
                &format!("stalled-{round}-{ack}.bin"),
                5_000_000,
            )
            .await;
        }
        sockets.push(socket);
    }
    assert_files_serving(&url, &mut canary).await;
    for socket in &mut sockets {
        for _ in 0..2 {
            let (end, chunks) = download_end(socket).await;
            assert_eq!(end["fault"]["code"], "transfer_limit", "{end}");
            assert!(chunks <= 8, "{chunks} chunk headers for two windows of 4");
        }
    }
    // Connections that vanish mid-download free theirs at once, without the timeout.
    for round in 0..10 {
        let mut socket = RawSocket::connect(&url, "/files").await;
        start_download(&mut socket, 1, &format!("gone-{round}.bin"), 5_000_000).await;
        drop(socket);
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let log = app.downloads.lock().unwrap().clone();
        let dropped = |prefix: &str| {
            log.iter()
                .filter(|line| line.starts_with(prefix))
                .map(|line| {
                    let bytes = line.rsplit(" after ").next().unwrap_or_default();
                    bytes
                        .trim_end_matches(" bytes")
                        .parse::<u64>()
                        .unwrap_or(u64::MAX)
                })
                .collect::<Vec<_>>()
        };
        let (stalled, gone) = (dropped("stalled-"), dropped("gone-"));
        if stalled.len() == 20 && gone.len() == 10 {
            // Read only as far as the window let them: 4 chunks of 64 KiB, and the rest of
            // the 50,000-byte piece the last one was cut from.
            assert!(
                stalled
                    .iter()
                    .chain(&gone)
                    .all(|read| *read <= 4 * 65_536 + 50_000),
                "{log:#?}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of 20 stalled and {} of 10 abandoned downloads freed: {log:#?}",
            stalled.len(),
            gone.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let grown = rss_kib().saturating_sub(before);
    eprintln!("RSS growth after 30 downloads left unacknowledged: {grown} KiB");
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
    assert_files_serving(&url, &mut canary).await;
}
