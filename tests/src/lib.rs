//! Fixtures shared by eventwire's end-to-end tests: test contracts exercising every kind of
//! event, a server on an ephemeral port, and a runner for Node clients.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use eventwire::{Contract, Cx, Server, ValidationError, payload};

pub mod binary;
pub mod board;
pub mod compat;
pub mod fuzzing;
mod node;
pub mod raw;
pub mod redis;
pub mod redis_cluster;
pub mod shapes;
pub mod skip;

pub use node::{run_node, run_node_with};

// The README's Rust snippets, as doctests (blocks marked `ignore` are compiled elsewhere or
// are fragments; see the README's "Getting started"). `tests/readme.rs` checks the rest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

/// A room name: lower-case letters, digits and dashes.
pub static ROOM: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new("^[a-z0-9-]+$").expect("valid regex"));

/// A request echoed back.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct EchoRequest {
    /// 1 to 10 characters.
    #[validate(length(min = 1, max = 10))]
    pub text: String,
    /// How many times to repeat it.
    #[validate(range(min = 1, max = 3))]
    pub repeat_count: u8,
}

/// The echo.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct Echoed {
    /// The repeated text.
    pub text: String,
}

/// Every constraint kind, to test each one's error.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Must be an email address.
    #[validate(email)]
    pub email: String,
    /// Must be a URL.
    #[validate(url)]
    pub home_page: String,
    /// Must match `ROOM`.
    #[validate(regex(path = *ROOM))]
    pub handle: String,
    /// Must contain an `@`.
    #[validate(contains(pattern = "@"))]
    pub mention: String,
    /// At least one tag.
    #[validate(length(min = 1))]
    pub tags: Vec<String>,
    /// Required even though optional in Rust.
    #[validate(required)]
    pub nickname: Option<String>,
    /// Validated recursively.
    #[validate(nested)]
    pub address: Address,
    /// Not `admin`.
    #[validate(custom(function = not_admin))]
    pub user: String,
}

/// A nested payload.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// 1 to 40 characters.
    #[validate(length(min = 1, max = 40))]
    pub street_name: String,
}

fn not_admin(user: &String) -> Result<(), ValidationError> {
    if user == "admin" {
        return Err(ValidationError::new("reserved", "`admin` is reserved"));
    }
    Ok(())
}

/// A payload that refuses unknown fields.
#[payload]
#[serde(deny_unknown_fields)]
pub struct Strict {
    /// Anything.
    pub value: u32,
}

/// A payload that ignores unknown fields (serde's default).
#[payload]
pub struct Lenient {
    /// Anything.
    pub value: u32,
}

/// Division.
#[payload]
pub struct Divide {
    /// Dividend.
    pub a: i32,
    /// Divisor.
    pub b: i32,
}

/// The app's typed error.
#[payload]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum MathError {
    /// Division by zero.
    DivisionByZero,
    /// The result does not fit.
    Overflow {
        /// The largest result.
        max: i32,
    },
}

/// A room.
#[payload]
pub struct RoomRequest {
    /// Its name.
    #[validate(regex(path = *ROOM), length(min = 1, max = 32))]
    pub room: String,
}

/// A message shouted to a room.
#[payload]
pub struct Shout {
    /// The room.
    pub room: String,
    /// Rooms whose members must not get it.
    #[serde(default)]
    pub except: Vec<String>,
    /// The text.
    pub text: String,
}

/// A question the server asks a client.
#[payload]
pub struct Question {
    /// The question.
    pub text: String,
    /// How long the server waits, in milliseconds.
    pub timeout_ms: u32,
}

/// The client's answer.
#[payload]
pub struct Answer {
    /// The answer.
    #[validate(length(min = 1, max = 100))]
    pub text: String,
    /// How sure the client is, in percent.
    #[validate(range(max = 100))]
    pub confidence: Option<u8>,
}

/// The answers to a poll.
#[payload]
pub struct Poll {
    /// The answers, sorted.
    pub answers: Vec<String>,
    /// Sockets that did not answer in time.
    pub timed_out: u32,
}

/// A numbered step, to observe handling order.
#[payload]
pub struct Step {
    /// Its number.
    pub n: u32,
    /// How long the handler takes, in milliseconds.
    pub sleep_ms: u32,
}

/// A 64-bit number declared within the integers JavaScript holds exactly.
#[payload]
pub struct Scaled {
    /// The number.
    #[validate(range(max = 9007199254740991u64))]
    pub value: u64,
}

/// The test lab: one event of each kind.
///
/// Its docs hold what a comment must survive: paths like `rooms/*/`, on several lines
/// (tsc checks the generated `.d.ts`).
#[derive(Contract)]
#[contract(namespace = "/lab")]
pub enum Lab {
    /// Echoes the text `repeatCount` times.
    #[client(ack = Echoed)]
    Echo(EchoRequest),
    /// Checks every constraint kind.
    #[client(ack = ())]
    SaveProfile(Profile),
    /// Refuses unknown fields.
    #[client(ack = u32)]
    Strict(Strict),
    /// Ignores unknown fields.
    #[client(ack = u32)]
    Lenient(Lenient),
    /// `a / b`, or a typed error.
    #[client(ack = Result<i32, MathError>)]
    Divide(Divide),
    /// Panics.
    #[client(ack = ())]
    Boom,
    /// Fire and forget: invalid payloads come back as `eventwire:fault`.
    #[client]
    Note(EchoRequest),
    /// At most 64 bytes of arguments.
    #[client(ack = u32, max_bytes = 64)]
    Small(Lenient),
    /// Joins a room.
    #[client(ack = Vec<String>)]
    Join(RoomRequest),
    /// Shouts to a room (others only); answers whether the broadcast went out (it fails
    /// while a multi-node adapter cannot reach its broker).
    #[client(ack = bool)]
    Shout(Shout),
    /// Asks the caller a question and returns its answer, or the error.
    #[client(ack = String)]
    AskMe(Question),
    /// Records the step after sleeping; answers with the order of completion so far.
    #[client(ack = Vec<u32>)]
    Step(Step),
    /// Guarded (values under 100 only) and limited to 3 per second.
    #[client(ack = u32, guard, rate = "3/s")]
    Vip(Lenient),
    /// Asks every other socket (on every node) the question; answers with the sorted
    /// answers and the number of sockets that did not answer in time.
    #[client(ack = Poll)]
    Poll(Question),
    /// Disconnects every other socket in the room, on every node; answers how many there were.
    #[client(ack = u32)]
    Kick(RoomRequest),
    /// Answers `value` × 2^32; from 2^21 on, that is beyond what JavaScript holds exactly.
    #[client(ack = Scaled)]
    Scale(Lenient),
    /// Emits `value` × 2^32 to the caller as `scaled`; answers "sent" or why not.
    #[client(ack = String)]
    EmitScaled(Lenient),
    /// A number from `emitScaled`.
    #[server]
    ScaledValue(Scaled),
    /// A shout from another member.
    #[server]
    Shouted(Shout),
    /// A question the client must answer.
    #[server(ack = Answer)]
    Question(Question),
}

/// What the lab's handlers record, for the tests to check.
#[derive(Default)]
pub struct LabState {
    /// Step numbers in completion order.
    pub steps: Mutex<Vec<u32>>,
    /// Profiles saved.
    pub saved: AtomicUsize,
    /// Times the guarded `vip` handler ran.
    pub vip_calls: AtomicUsize,
}

impl LabState {
    async fn step(&self, step: Step) -> Vec<u32> {
        tokio::time::sleep(Duration::from_millis(step.sleep_ms.into())).await;
        let mut steps = self.steps.lock().expect("not poisoned");
        steps.push(step.n);
        steps.clone()
    }
}

/// The lab's handlers, sharing one [`LabState`] between contracts.
#[derive(Clone, Default)]
pub struct LabApp {
    /// The recorded state.
    pub state: Arc<LabState>,
}

impl LabHandlers for LabApp {
    async fn echo(&self, _: &Cx<Lab>, req: EchoRequest) -> Echoed {
        Echoed {
            text: req.text.repeat(req.repeat_count.into()),
        }
    }

    async fn save_profile(&self, _: &Cx<Lab>, _: Profile) {
        self.state.saved.fetch_add(1, Ordering::SeqCst);
    }

    async fn strict(&self, _: &Cx<Lab>, req: Strict) -> u32 {
        req.value
    }

    async fn lenient(&self, _: &Cx<Lab>, req: Lenient) -> u32 {
        req.value
    }

    async fn divide(&self, _: &Cx<Lab>, req: Divide) -> Result<i32, MathError> {
        if req.b == 0 {
            return Err(MathError::DivisionByZero);
        }
        req.a
            .checked_div(req.b)
            .ok_or(MathError::Overflow { max: i32::MAX })
    }

    async fn boom(&self, _: &Cx<Lab>) {
        panic!("the boom handler always panics");
    }

    async fn note(&self, _: &Cx<Lab>, _: EchoRequest) {}

    async fn small(&self, _: &Cx<Lab>, payload: Lenient) -> u32 {
        payload.value
    }

    async fn join(&self, cx: &Cx<Lab>, req: RoomRequest) -> Vec<String> {
        cx.join(&req.room);
        let mut rooms = cx.rooms();
        rooms.sort();
        rooms
    }

    async fn shout(&self, cx: &Cx<Lab>, req: Shout) -> bool {
        let target = cx.to(&req.room).except(req.except.clone());
        target.emit(Lab::shouted(req)).await.is_ok()
    }

    async fn ask_me(&self, cx: &Cx<Lab>, question: Question) -> String {
        let timeout = Duration::from_millis(question.timeout_ms.into());
        match cx
            .emit_with_ack(Lab::question(question).timeout(timeout))
            .await
        {
            Ok(answer) => format!("answered: {}", answer.text),
            Err(error) => format!("failed: {error}"),
        }
    }

    async fn scale(&self, _: &Cx<Lab>, req: Lenient) -> Scaled {
        Scaled {
            value: u64::from(req.value) << 32,
        }
    }

    async fn emit_scaled(&self, cx: &Cx<Lab>, req: Lenient) -> String {
        let scaled = Scaled {
            value: u64::from(req.value) << 32,
        };
        match cx.emit(Lab::scaled_value(scaled)) {
            Ok(()) => "sent".to_owned(),
            Err(error) => format!("failed: {error}"),
        }
    }

    async fn step(&self, _: &Cx<Lab>, step: Step) -> Vec<u32> {
        self.state.step(step).await
    }

    async fn poll(&self, cx: &Cx<Lab>, question: Question) -> Poll {
        let timeout = Duration::from_millis(question.timeout_ms.into());
        let replies = cx
            .broadcast()
            .emit_with_ack(Lab::question(question).timeout(timeout))
            .await
            .expect("the poll is sent");
        let mut poll = Poll {
            answers: Vec::new(),
            timed_out: 0,
        };
        for (_, reply) in replies {
            match reply {
                Ok(answer) => poll.answers.push(answer.text),
                Err(_) => poll.timed_out += 1,
            }
        }
        poll.answers.sort();
        poll
    }

    async fn kick(&self, cx: &Cx<Lab>, req: RoomRequest) -> u32 {
        let count = cx
            .to(&req.room)
            .socket_ids()
            .await
            .expect("fetch sockets")
            .len() as u32;
        cx.to(&req.room).disconnect().await.expect("disconnect");
        count
    }

    async fn allow_vip(&self, _: &Cx<Lab>, payload: &Lenient) -> Result<(), eventwire::Forbidden> {
        if payload.value < 100 {
            Ok(())
        } else {
            Err(eventwire::Forbidden::new("only values under 100"))
        }
    }

    async fn vip(&self, _: &Cx<Lab>, payload: Lenient) -> u32 {
        self.state.vip_calls.fetch_add(1, Ordering::SeqCst);
        payload.value
    }
}

/// The same steps, handled one at a time in arrival order.
#[derive(Contract)]
#[contract(namespace = "/ordered", ordered)]
pub enum Ordered {
    /// Records the step after sleeping.
    #[client(ack = Vec<u32>)]
    Step(Step),
}

impl OrderedHandlers for LabApp {
    async fn step(&self, _: &Cx<Ordered>, step: Step) -> Vec<u32> {
        self.state.step(step).await
    }
}

/// A second namespace on the same server.
#[derive(Contract)]
#[contract(namespace = "/other")]
pub enum Other {
    /// Answers with the namespace path the socket is on.
    #[client(ack = String)]
    Whoami,
}

/// Handlers of [`Other`].
pub struct OtherApp;

impl OtherHandlers for OtherApp {
    async fn whoami(&self, cx: &Cx<Other>) -> String {
        cx.namespace().to_owned()
    }
}

/// The handshake auth of [`Secure`].
#[payload]
pub struct Token {
    /// 8 to 64 characters.
    #[validate(length(min = 8, max = 64))]
    pub token: String,
}

/// Who a token belongs to (`Debug`: the connection's span shows it).
#[derive(Clone, Debug)]
pub struct Principal {
    /// The name.
    pub name: String,
}

/// A contract behind handshake auth, with a disconnect hook.
#[derive(Contract)]
#[contract(namespace = "/secure", auth = Token, identity = Principal)]
pub enum Secure {
    /// Answers with the caller's name.
    #[client(ack = String)]
    Whoami,
}

/// Handlers of [`Secure`]: `letmein-<name>` is a valid token.
#[derive(Clone, Default)]
pub struct SecureApp {
    /// Sockets whose disconnect hook ran.
    pub disconnects: Arc<AtomicUsize>,
}

impl SecureHandlers for SecureApp {
    async fn authenticate(&self, auth: Token) -> Result<Principal, eventwire::Refusal> {
        match auth.token.strip_prefix("letmein-") {
            Some(name) => Ok(Principal {
                name: name.to_owned(),
            }),
            None => Err(eventwire::Refusal::new("unknown token")),
        }
    }

    async fn whoami(&self, cx: &Cx<Secure>) -> String {
        cx.identity().name
    }

    async fn on_disconnect(&self, _cx: &Cx<Secure>) {
        self.disconnects.fetch_add(1, Ordering::SeqCst);
    }
}

/// The claims of the JWT-protected [`Vault`].
#[derive(Clone, Debug, serde::Deserialize)]
pub struct VaultClaims {
    /// Who.
    pub sub: String,
}

/// A contract behind JWT auth; sockets are disconnected when their token expires.
#[derive(Contract)]
#[contract(namespace = "/vault", auth = eventwire::jwt::BearerToken, identity = eventwire::jwt::Verified<VaultClaims>, expiring)]
pub enum Vault {
    /// Answers with the token's subject.
    #[client(ack = String)]
    Whoami,
}

/// Handlers of [`Vault`] with one verifier.
pub struct VaultApp {
    /// The verifier.
    pub jwt: eventwire::jwt::Jwt<VaultClaims>,
}

impl VaultHandlers for VaultApp {
    async fn authenticate(
        &self,
        auth: eventwire::jwt::BearerToken,
    ) -> Result<eventwire::jwt::Verified<VaultClaims>, eventwire::Refusal> {
        self.jwt.verify(&auth.token)
    }

    async fn whoami(&self, cx: &Cx<Vault>) -> String {
        cx.identity().claims.sub
    }
}

/// The HS256 secret of the `/vault` namespace.
pub const VAULT_SECRET: &[u8] = b"the test suite's shared secret";

/// The PEM of the RSA key pair for `/vault-rsa` (test-only keys).
pub const VAULT_RSA_PUBLIC: &[u8] = include_bytes!("../keys/test-rsa-public.pem");

/// A running test server.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// What the lab's handlers recorded.
    pub lab: Arc<LabState>,
    /// What the secure contract's handlers recorded.
    pub secure: SecureApp,
}

/// Starts the lab, ordered and other contracts (and `Other` on the dynamic namespace
/// `/tenant/{id}`) on an ephemeral port.
pub async fn start() -> TestServer {
    let app = LabApp::default();
    let lab = app.state.clone();
    let secure = SecureApp::default();
    let server = Server::new()
        .contract::<Lab>(app.clone())
        .contract::<Ordered>(app)
        .contract::<Other>(OtherApp)
        .contract_at::<Other>("/tenant/{id}", OtherApp)
        .contract::<shapes::Shapes>(shapes::ShapesApp)
        .contract::<Secure>(secure.clone())
        .contract::<Vault>(VaultApp {
            jwt: eventwire::jwt::Jwt::hs256(VAULT_SECRET)
                .audience(["eventwire-tests"])
                .issuer(["tests"]),
        })
        .contract_at::<Vault>(
            "/vault-rsa",
            VaultApp {
                jwt: eventwire::jwt::Jwt::rs256_pem(VAULT_RSA_PUBLIC).expect("a valid test key"),
            },
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    TestServer { url, lab, secure }
}

/// The folder of the Node test clients.
pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// The repository root, where `package.json` and `node_modules` are.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// The generated TypeScript and JSON Schema of every test contract, as the Node clients use it.
pub fn generated_files() -> Vec<eventwire_codegen::GeneratedFile> {
    let lab = eventwire_codegen::Generator::new()
        .contract::<Lab>()
        .contract::<Ordered>()
        .contract::<Other>()
        .contract::<Secure>();
    let shapes = eventwire_codegen::Generator::new().contract::<shapes::Shapes>();
    let mut files = lab.files("lab").expect("the lab contracts generate");
    files.extend(
        eventwire_codegen::Generator::new()
            .contract::<board::Board>()
            .files("board")
            .expect("the board contract generates"),
    );
    files.extend(
        shapes
            .files("shapes")
            .expect("the shapes contract generates"),
    );
    let binary = eventwire_codegen::Generator::new().contract::<binary::Files>();
    files.extend(binary.files("files").expect("the files contract generates"));
    files
}

/// Serves `server` (any adapter) on an ephemeral port of 127.0.0.1; returns its URL.
pub async fn serve_ephemeral<A: eventwire::ServerAdapter>(server: Server<A>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    url
}

/// Starts the lab on `server` (any adapter) on an ephemeral port; returns its URL.
pub async fn start_lab_on<A: eventwire::ServerAdapter>(server: Server<A>) -> String {
    serve_ephemeral(server.contract::<Lab>(LabApp::default())).await
}

/// Starts `count` lab nodes sharing rooms through `redis`; returns their URLs.
pub async fn start_lab_nodes(redis: &redis::Redis, count: usize) -> Vec<String> {
    let mut urls = Vec::new();
    for _ in 0..count {
        let server = Server::redis(&redis.url())
            .await
            .expect("the Redis adapter starts");
        urls.push(start_lab_on(server).await);
    }
    urls
}

/// Starts `count` lab nodes sharing rooms through the Redis Cluster `cluster`; returns
/// their URLs.
pub async fn start_lab_cluster_nodes(
    cluster: &redis_cluster::RedisCluster,
    count: usize,
) -> Vec<String> {
    let mut urls = Vec::new();
    for _ in 0..count {
        let server = Server::redis_cluster(cluster.urls())
            .await
            .expect("the Redis Cluster adapter starts");
        urls.push(start_lab_on(server).await);
    }
    urls
}
