//! TypeScript and JSON Schema generation for [eventwire](https://docs.rs/eventwire)
//! contracts.
//!
//! One [`Generator`] turns contracts into three files that describe exactly what the server
//! puts on the wire:
//!
//! - `<stem>.d.ts`: every payload type (doc comments as JSDoc, `#[validate]` constraints as
//!   JSDoc tags), the framework's `Fault` and `AckResponse`, per contract the
//!   `<Name>ServerToClientEvents` / `<Name>ClientToServerEvents` maps that socket.io-client's
//!   `Socket<S2C, C2S>` takes, a `<Name>Socket` alias, and the typed client's declarations;
//! - `<stem>.js`: the typed client as plain ES module JavaScript, importing only
//!   `socket.io-client` (usable from a browser page without a TypeScript toolchain);
//! - `<stem>.schema.json`: JSON Schema 2020-12 of every type, and the contracts' events;
//! - `<stem>.asyncapi.json`: an AsyncAPI 3.0 document of the contracts (one channel per
//!   namespace, the same schemas by reference), for AsyncAPI tools.
//!
//! The generated client sends its contract's fingerprint when it connects, so a server
//! whose contract changed incompatibly refuses a stale page with `contract_mismatch`
//! (see [`eventwire::compat`]). [`Report::compare`] and the `eventwire-codegen breaking`
//! command list the breaking changes between two versions of a `<stem>.schema.json`, per
//! direction, for a CI step.
//!
//! ```
//! use eventwire::{payload, Contract};
//! use eventwire_codegen::Generator;
//!
//! #[payload]
//! pub struct Join {
//!     #[validate(length(min = 1, max = 32))]
//!     pub room: String,
//! }
//!
//! #[derive(Contract)]
//! #[contract(namespace = "/chat")]
//! pub enum Chat {
//!     #[client(ack = u32)]
//!     Join(Join),
//! }
//!
//! let files = Generator::new().contract::<Chat>().files("chat").unwrap();
//! let dts = &files[0].contents;
//! assert!(dts.contains("export interface Join {\n  /**\n   * @minLength 1\n   * @maxLength 32\n   */\n  room: string;\n}"));
//! assert!(dts.contains("join: (payload: Join, ack: (response: AckResponse<number>) => void) => void;"));
//! ```
//!
//! The TypeScript is built as a small type model (keywords, references, literals, arrays,
//! tuples, objects with documented members, unions, intersections, function types) and
//! printed once, by one printer that knows the operators' precedence and the indentation of
//! nested object types; nothing is parsed back from text. The `FaultCode` union is written
//! from the runtime's [`eventwire::FaultCode::ALL`], so it grows with every fault code.
//!
//! Writing the files is a separate, explicit step: [`check_or_bless`] compares them with the
//! checked-in copies (for a test) and rewrites them when `EVENTWIRE_BLESS=1`.
//!
//! **64-bit integers.** A JavaScript `number` holds integers exactly only up to 2^53, so an
//! unbounded `u64`, `i64`, `usize` or `isize` is refused with [`GenerateError::UnsafeInteger`]
//! rather than typed `number` and silently rounded. Use a 32-bit type, bound the field with
//! `#[validate(range(...))]` inside ±(2^53 − 1), or send it as a decimal string with
//! `eventwire::wire::U64` / `I64`.

mod asyncapi;
mod compat;
mod download;
mod error;
mod files;
mod module;
mod names;
mod schema;
mod ts_model;
mod typescript;

use eventwire::Contract;
use eventwire::describe::{Description, DescriptionBuilder};

pub use compat::{CompareError, ContractReport, Report};
pub use error::{CheckError, GenerateError};
pub use files::{GeneratedFile, check_or_bless};

/// Collects contracts and generates their TypeScript and JSON Schema.
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Ping { n: u32 }
/// # #[derive(Contract)] enum Pinger { #[client(ack = u32)] Ping(Ping) }
/// let generator = eventwire_codegen::Generator::new().contract::<Pinger>();
/// let names: Vec<_> = generator.files("api").unwrap().into_iter().map(|f| f.name).collect();
/// assert_eq!(names, ["api.d.ts", "api.js", "api.schema.json", "api.asyncapi.json"]);
/// ```
#[derive(Default)]
pub struct Generator {
    builder: DescriptionBuilder,
}

impl Generator {
    /// A generator without contracts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds contract `C`.
    pub fn contract<C: Contract>(mut self) -> Self {
        self.builder = self.builder.contract::<C>();
        self
    }

    fn description(&self) -> Description {
        self.builder.clone().build()
    }

    /// The four files, named after `stem`: `<stem>.d.ts`, `<stem>.js`, `<stem>.schema.json`,
    /// `<stem>.asyncapi.json`.
    pub fn files(&self, stem: &str) -> Result<Vec<GeneratedFile>, GenerateError> {
        let description = self.description();
        let generated = module::generate(&description)?;
        let schema_document = schema::document(&description);
        let asyncapi = asyncapi::document(&description, &schema_document)?;
        let pretty = |value: &serde_json::Value| {
            let mut text = serde_json::to_string_pretty(value).expect("JSON values serialize");
            text.push('\n');
            text
        };
        let schema = pretty(&schema_document);
        Ok(vec![
            GeneratedFile {
                name: format!("{stem}.d.ts"),
                contents: generated.declarations,
            },
            GeneratedFile {
                name: format!("{stem}.js"),
                contents: generated.javascript,
            },
            GeneratedFile {
                name: format!("{stem}.schema.json"),
                contents: schema,
            },
            GeneratedFile {
                name: format!("{stem}.asyncapi.json"),
                contents: pretty(&asyncapi),
            },
        ])
    }

    /// The breaking changes from an earlier `<stem>.schema.json` (e.g. the last release's)
    /// to these contracts.
    ///
    /// ```
    /// # use eventwire::{payload, Contract};
    /// # #[payload] pub struct Join { room: String }
    /// # #[derive(Contract)] pub enum Chat { #[client] Join(Join) }
    /// let generator = eventwire_codegen::Generator::new().contract::<Chat>();
    /// let released = generator.files("chat").unwrap().remove(2).contents;
    /// assert!(generator.breaking_changes_since(&released).unwrap().is_compatible());
    /// ```
    pub fn breaking_changes_since(&self, earlier: &str) -> Result<Report, CompareError> {
        let current = serde_json::to_string(&schema::document(&self.description()))
            .expect("JSON values serialize");
        Report::compare(earlier, &current)
    }
}
