//! `idle-memory`: server-side memory per idle Socket.IO connection, eventwire against raw
//! socketioxide.
//!
//! # What it measures
//!
//! The resident memory (`VmRSS`) a server process gains per connected, idle Socket.IO
//! client, for these servers (all on socketioxide, axum and a single-threaded tokio runtime):
//!
//! - `eventwire`: an eventwire [`Server`] serving a 50-event contract ([`Big`]), every event
//!   with a payload and an ack. eventwire installs one fallback entry per socket, whatever
//!   the number of events.
//! - `raw`: socketioxide's default builder with one `socket.on("ping", ...)` handler
//!   registered per socket, what a small hand-written app does.
//! - `raw50`: socketioxide with 50 `socket.on` handlers per socket (the same event names as
//!   [`Big`]), the per-event cost a hand-written app with a contract that size pays.
//!
//! The raw servers use socketioxide's defaults; eventwire's [`Server`] lowers the message
//! size limits to 1 MiB, which are limits, not buffers, so they cost no memory while idle.
//!
//! # How
//!
//! Each server runs in its own child process (this binary run again with `--serve KIND`,
//! printing its port), so its RSS is its own. The parent opens WebSocket connections to it on
//! 127.0.0.1, speaking Engine.IO v4 / Socket.IO v5 directly: read the `0{...}` open packet,
//! send `40`, read `40{"sid":...}`, then stay connected answering the server's pings (`2`)
//! with pongs (`3`). The first connection of a run also sends one acknowledged event and
//! checks the answer, to prove the handlers are in place.
//!
//! Connections are opened in steps (by default 5,000 then 10,000, at most 200 handshakes
//! in flight); after each step the parent waits for the server to settle (2 s) and reads
//! `VmRSS` from `/proc/<pid>/status`. The cost per connection is the slope between the
//! first and last step, `(RSS(last) - RSS(first)) / (last - first)`, which cancels the
//! fixed costs (binary, runtime, first allocations). Every server is measured several
//! times, interleaved (eventwire, raw, raw50, eventwire, ...), each time in a fresh child;
//! the report gives the median and the range.
//!
//! # Running
//!
//! ```text
//! cargo build --release -p eventwire-bench
//! target/release/idle-memory [--connections 5000,10000] [--repeats 3] [--settle 2]
//!                            [--concurrency 200] [--servers eventwire,raw,raw50]
//! ```
//!
//! It raises its open-file limit (and the child's) to the hard limit; each connection
//! costs one file descriptor on each side. The Markdown report goes to stdout, progress to
//! stderr.

use std::error::Error;
use std::fmt;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use eventwire::{Contract, Cx, Server, payload};
use futures_util::{SinkExt, StreamExt, stream};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Data, SocketRef};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

type BoxError = Box<dyn Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

/// How long one connection may take to open and join the namespace.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// The servers
// ---------------------------------------------------------------------------------------

/// The payload of every event of [`Big`].
#[payload]
struct P0 {
    /// Echoed back in the ack.
    x: u32,
}

/// The handlers of [`Big`]: each answers with the payload's `x`.
struct App;

/// Declares the 50-event contract [`Big`], its handlers on [`App`], and [`EVENT_NAMES`].
macro_rules! big_contract {
    ($($variant:ident $method:ident),* $(,)?) => {
        /// A large app's contract: 50 client events, each with a payload and an ack.
        #[derive(Contract)]
        #[contract(namespace = "/")]
        enum Big {
            $(
                #[doc = concat!("Client event `", stringify!($method), "`, answered with `x`.")]
                #[client(ack = u32)]
                $variant(P0),
            )*
        }

        impl BigHandlers for App {
            $(
                async fn $method(&self, _: &Cx<Big>, payload: P0) -> u32 {
                    payload.x
                }
            )*
        }

        /// The event names of [`Big`] (`E7` is `e7` on the wire), for `raw50`.
        const EVENT_NAMES: &[&str] = &[$(stringify!($method)),*];
    };
}

big_contract! {
    E0 e0, E1 e1, E2 e2, E3 e3, E4 e4, E5 e5, E6 e6, E7 e7, E8 e8, E9 e9,
    E10 e10, E11 e11, E12 e12, E13 e13, E14 e14, E15 e15, E16 e16, E17 e17, E18 e18, E19 e19,
    E20 e20, E21 e21, E22 e22, E23 e23, E24 e24, E25 e25, E26 e26, E27 e27, E28 e28, E29 e29,
    E30 e30, E31 e31, E32 e32, E33 e33, E34 e34, E35 e35, E36 e36, E37 e37, E38 e38, E39 e39,
    E40 e40, E41 e41, E42 e42, E43 e43, E44 e44, E45 e45, E46 e46, E47 e47, E48 e48, E49 e49,
}

/// The server under test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// eventwire serving [`Big`].
    Eventwire,
    /// socketioxide, one `socket.on("ping")` per socket.
    Raw,
    /// socketioxide, 50 `socket.on` per socket.
    Raw50,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Eventwire, Kind::Raw, Kind::Raw50];

    fn name(self) -> &'static str {
        match self {
            Kind::Eventwire => "eventwire",
            Kind::Raw => "raw",
            Kind::Raw50 => "raw50",
        }
    }

    /// What the report calls it.
    fn describe(self) -> &'static str {
        match self {
            Kind::Eventwire => "eventwire, 50-event contract",
            Kind::Raw => "socketioxide, 1 `socket.on`",
            Kind::Raw50 => "socketioxide, 50 `socket.on`",
        }
    }

    /// An acknowledged event (ack id 1) that this server handles, and the answer expected.
    fn probe(self) -> (&'static str, &'static str) {
        match self {
            Kind::Eventwire => (r#"421["e49",{"x":7}]"#, r#"431[{"ok":true,"data":7}]"#),
            Kind::Raw => (r#"421["ping",{"x":7}]"#, r#"431[{"x":7}]"#),
            Kind::Raw50 => (r#"421["e49",{"x":7}]"#, r#"431[{"x":7}]"#),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or_else(|| format!("unknown server `{s}` (expected eventwire, raw or raw50)"))
    }
}

/// Registers `names` on the socket, each answering the ack with the data it got.
fn echo_handlers(socket: &SocketRef, names: &[&'static str]) {
    for &name in names {
        socket.on(
            name,
            |ack: AckSender, Data(value): Data<serde_json::Value>| async move {
                let _ = ack.send(&value);
            },
        );
    }
}

/// The child: serves `kind` on an ephemeral port of 127.0.0.1, prints `port <n>`, and runs
/// until killed or until its stdin closes (the parent is gone).
fn serve(kind: Kind) -> Result<()> {
    raise_fd_limit()?;
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "port {port}")?;
        stdout.flush()?;
        drop(stdout);
        match kind {
            Kind::Eventwire => {
                Server::new()
                    .contract::<Big>(App)
                    .serve_on(listener)
                    .await?
            }
            Kind::Raw | Kind::Raw50 => {
                let names: &'static [&'static str] = if kind == Kind::Raw {
                    &["ping"]
                } else {
                    EVENT_NAMES
                };
                let (layer, io) = SocketIo::builder().build_layer();
                io.ns("/", move |socket: SocketRef| async move {
                    echo_handlers(&socket, names)
                });
                axum::serve(listener, axum::Router::new().layer(layer)).await?;
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// The clients
// ---------------------------------------------------------------------------------------

type Ws = WebSocketStream<TcpStream>;

/// The next text message, skipping pings (answered) and other frames.
async fn next_text(ws: &mut Ws) -> Result<String> {
    loop {
        match ws.next().await.ok_or("connection closed")?? {
            Message::Text(text) if text.as_str() == "2" => ws.send(Message::text("3")).await?,
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Close(frame) => return Err(format!("closed by the server: {frame:?}").into()),
            _ => {}
        }
    }
}

/// Opens one Socket.IO connection to namespace `/` and, if `probe` is set, checks one
/// acknowledged event.
async fn connect(addr: SocketAddr, probe: Option<(&str, &str)>) -> Result<Ws> {
    let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
    let tcp = TcpStream::connect(addr).await?;
    let (mut ws, _) = tokio_tungstenite::client_async(url, tcp).await?;
    let open = next_text(&mut ws).await?;
    if !open.starts_with("0{") {
        return Err(format!("expected the Engine.IO open packet, got {open:?}").into());
    }
    ws.send(Message::text("40")).await?;
    let joined = next_text(&mut ws).await?;
    if !joined.starts_with(r#"40{"sid":"#) {
        return Err(format!("expected the namespace connect packet, got {joined:?}").into());
    }
    if let Some((event, expected)) = probe {
        ws.send(Message::text(event)).await?;
        let answer = next_text(&mut ws).await?;
        if answer != expected {
            return Err(format!("sent {event}, expected {expected}, got {answer:?}").into());
        }
    }
    Ok(ws)
}

/// Keeps a connection open, answering the server's pings.
async fn keep_alive(mut ws: Ws) {
    while next_text(&mut ws).await.is_ok() {}
}

/// Opens `count` connections, at most `concurrency` handshakes at a time, each kept alive
/// by its own task.
async fn open_many(
    addr: SocketAddr,
    count: usize,
    concurrency: usize,
) -> Result<Vec<JoinHandle<()>>> {
    stream::iter(0..count)
        .map(|_| async move {
            let ws = tokio::time::timeout(HANDSHAKE_TIMEOUT, connect(addr, None)).await??;
            Ok(tokio::spawn(keep_alive(ws)))
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<Result<_>>>()
        .await
        .into_iter()
        .collect()
}

// ---------------------------------------------------------------------------------------
// One run: a fresh server, connections in steps, RSS after each
// ---------------------------------------------------------------------------------------

/// A server child, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn spawn(kind: Kind) -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve", kind.name()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .strip_prefix("port ")
            .ok_or_else(|| format!("the server printed {line:?}, not its port"))?
            .parse()?;
        Ok(Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        })
    }

    /// Resident memory in bytes, from `/proc/<pid>/status`.
    fn rss(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .ok_or("no VmRSS in /proc/<pid>/status")?
            .trim()
            .parse()?;
        Ok(kib * 1024)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one run measured.
struct Run {
    /// RSS with only the probe connection open.
    idle: u64,
    /// RSS after each step of connections.
    steps: Vec<u64>,
}

impl Run {
    /// Bytes per connection between the first and last step.
    fn slope(&self, counts: &[usize]) -> f64 {
        let (first, last) = (counts[0], counts[counts.len() - 1]);
        let (low, high) = (self.steps[0], self.steps[self.steps.len() - 1]);
        (high as f64 - low as f64) / (last - first) as f64
    }
}

async fn run(kind: Kind, options: &Options) -> Result<Run> {
    let server = ServerProcess::spawn(kind)?;
    // Proves the handlers answer; this connection stays open and counts like the others.
    let probe =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, connect(server.addr, Some(kind.probe()))).await??;
    let mut clients = vec![tokio::spawn(keep_alive(probe))];
    tokio::time::sleep(options.settle).await;
    let idle = server.rss()?;
    let mut steps = Vec::new();
    for &count in &options.counts {
        let started = Instant::now();
        let more = open_many(server.addr, count - clients.len(), options.concurrency).await?;
        clients.extend(more);
        let opened = started.elapsed();
        tokio::time::sleep(options.settle).await;
        let rss = server.rss()?;
        eprintln!(
            "  {kind}: {count} connections (opened in {opened:.1?}): RSS {}",
            mib(rss)
        );
        steps.push(rss);
    }
    // Kill the server before dropping the clients, so it is not kept busy with thousands
    // of disconnections while the next server starts.
    drop(server);
    for client in clients {
        client.abort();
    }
    Ok(Run { idle, steps })
}

// ---------------------------------------------------------------------------------------
// Options, statistics, report
// ---------------------------------------------------------------------------------------

/// The command line.
struct Options {
    /// Connection counts to measure at, increasing (`--connections`).
    counts: Vec<usize>,
    /// Runs per server (`--repeats`).
    repeats: usize,
    /// Wait before each RSS reading (`--settle`, in seconds).
    settle: Duration,
    /// Handshakes in flight at once (`--concurrency`).
    concurrency: usize,
    /// The servers measured, in this order within each repeat (`--servers`).
    servers: Vec<Kind>,
}

const USAGE: &str = "\
usage: idle-memory [--connections 5000,10000] [--repeats 3] [--settle SECONDS]
                   [--concurrency 200] [--servers eventwire,raw,raw50]";

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self> {
        let mut options = Options {
            counts: vec![5000, 10000],
            repeats: 3,
            settle: Duration::from_secs(2),
            concurrency: 200,
            servers: Kind::ALL.to_vec(),
        };
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            match flag.as_str() {
                "--connections" => options.counts = parse_list(&value)?,
                "--repeats" => options.repeats = value.parse()?,
                "--settle" => options.settle = Duration::from_secs_f64(value.parse()?),
                "--concurrency" => options.concurrency = value.parse()?,
                "--servers" => options.servers = parse_list(&value)?,
                _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
            }
        }
        if options.counts.len() < 2
            || options.counts[0] == 0
            || !options.counts.is_sorted_by(|a, b| a < b)
        {
            return Err("--connections needs two or more increasing counts above 0".into());
        }
        if options.repeats == 0 || options.concurrency == 0 || options.servers.is_empty() {
            return Err("--repeats, --concurrency and --servers must not be 0 or empty".into());
        }
        Ok(options)
    }
}

fn parse_list<T: FromStr>(value: &str) -> Result<Vec<T>>
where
    T::Err: Into<BoxError>,
{
    value
        .split(',')
        .map(|item| item.trim().parse().map_err(Into::into))
        .collect()
}

/// Raises the soft open-file limit to the hard limit.
fn raise_fd_limit() -> Result<u64> {
    Ok(rlimit::increase_nofile_limit(u64::MAX)?)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn thousands(count: usize) -> String {
    if count.is_multiple_of(1000) {
        format!("{}k", count / 1000)
    } else {
        count.to_string()
    }
}

fn report(options: &Options, results: &[(Kind, Vec<Run>)]) {
    let counts = &options.counts;
    let (first, last) = (counts[0], counts[counts.len() - 1]);
    println!(
        "Server RSS per idle Socket.IO connection: slope between {first} and {last} connections, \
         {} runs per server (interleaved), medians with min–max. \
         `RSS @1`: the server with only the probe connection open.\n",
        options.repeats
    );
    print!("| server | RSS @1 |");
    for &count in counts {
        print!(" RSS @{} |", thousands(count));
    }
    println!(" bytes / connection (median) | min–max |");
    print!("|---|---:|");
    for _ in counts {
        print!("---:|");
    }
    println!("---:|---:|");
    let mut slopes = Vec::new();
    for (kind, runs) in results {
        let idle: Vec<f64> = runs.iter().map(|run| run.idle as f64).collect();
        print!("| {} | {} |", kind.describe(), mib(median(&idle) as u64));
        for step in 0..counts.len() {
            let rss: Vec<f64> = runs.iter().map(|run| run.steps[step] as f64).collect();
            print!(" {} |", mib(median(&rss) as u64));
        }
        let slope: Vec<f64> = runs.iter().map(|run| run.slope(counts)).collect();
        let (lo, hi) = min_max(&slope);
        println!(" {:.0} | {lo:.0}–{hi:.0} |", median(&slope));
        slopes.push((*kind, median(&slope)));
    }
    let slope_of = |wanted: Kind| {
        slopes
            .iter()
            .find(|(kind, _)| *kind == wanted)
            .map(|(_, slope)| *slope)
    };
    println!();
    if let (Some(eventwire), Some(raw)) = (slope_of(Kind::Eventwire), slope_of(Kind::Raw)) {
        println!(
            "- eventwire (50 events) vs raw socketioxide (1 handler): {:+.0} bytes per connection \
             ({:.3}×, {:+.1}%).",
            eventwire - raw,
            eventwire / raw,
            (eventwire / raw - 1.0) * 100.0
        );
    }
    if let (Some(eventwire), Some(raw50)) = (slope_of(Kind::Eventwire), slope_of(Kind::Raw50)) {
        println!(
            "- eventwire (50 events) vs raw socketioxide (50 handlers): {:+.0} bytes per connection ({:.3}×).",
            eventwire - raw50,
            eventwire / raw50
        );
    }
    if let (Some(raw), Some(raw50)) = (slope_of(Kind::Raw), slope_of(Kind::Raw50)) {
        println!(
            "- each extra `socket.on` handler costs about {:.0} bytes per connection (raw50 − raw) / 49.",
            (raw50 - raw) / 49.0
        );
    }
}

async fn measure(options: Options) -> Result<()> {
    let limit = raise_fd_limit()?;
    let needed = options.counts[options.counts.len() - 1] as u64 + 64;
    if limit < needed {
        return Err(format!(
            "the open-file limit is {limit}, {needed} are needed: lower --connections or raise `ulimit -Hn`"
        )
        .into());
    }
    let mut results: Vec<(Kind, Vec<Run>)> = options
        .servers
        .iter()
        .map(|&kind| (kind, Vec::new()))
        .collect();
    for repeat in 1..=options.repeats {
        for (kind, runs) in &mut results {
            eprintln!("run {repeat}/{}: {kind}", options.repeats);
            runs.push(run(*kind, &options).await?);
        }
    }
    report(&options, &results);
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--serve") {
        let kind = args.nth(1).ok_or("--serve needs a server kind")?.parse()?;
        return serve(kind);
    }
    let options = Options::parse(args)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(measure(options))
}
