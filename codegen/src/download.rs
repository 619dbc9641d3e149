//! The generated client's downloads: their types, the JavaScript that receives them
//! (chunks acknowledged as they arrive, the SHA-256 checked at the end, a resume after a
//! lost connection), and each contract's download methods and frames. Added to the output
//! only when a contract declares a download.

use eventwire::describe::{ContractDescription, Description};
use serde_json::Value;

use crate::error::GenerateError;
use crate::module::{
    ContractParts, ack_response, exchange_event, id_request, lines, lines_then, refuse_taken,
    rejects, ty,
};
use crate::names::{Names, Side};
use crate::ts_model::{Keyword, Member, Param, Type};

/// The runtime's event names, filled into a template.
fn filled(template: &str) -> String {
    [
        ("@DOWNLOAD_CHUNK@", eventwire::download::CHUNK_EVENT),
        ("@DOWNLOAD_END@", eventwire::download::END_EVENT),
        ("@DOWNLOAD_ACK@", eventwire::download::ACK_EVENT),
        ("@DOWNLOAD_CANCEL@", eventwire::download::CANCEL_EVENT),
    ]
    .iter()
    .fold(template.to_owned(), |text, (mark, value)| {
        text.replace(mark, value)
    })
}

/// Whether any contract of `description` declares a download.
pub(crate) fn any(description: &Description) -> bool {
    description
        .contracts
        .iter()
        .any(|c| !c.downloads.is_empty())
}

/// The download types, for the `.d.ts` (after the client's own types).
pub(crate) fn types() -> String {
    filled(TYPES)
}

/// How long a download waits for its next chunk or its end, connected, before it gives up
/// (`DownloadOptions.idleTimeoutMs` by default): a server that stops sending mid-file must
/// not leave the promise pending for ever.
const DEFAULT_IDLE_TIMEOUT_MS: u32 = 30_000;

/// The download runtime, for the `.js` (after the client's own runtime).
pub(crate) fn runtime(default_timeout_ms: u32) -> String {
    filled(RUNTIME)
        .replace("@DEFAULT_TIMEOUT_MS@", &default_timeout_ms.to_string())
        .replace(
            "@DEFAULT_IDLE_TIMEOUT_MS@",
            &DEFAULT_IDLE_TIMEOUT_MS.to_string(),
        )
}

const TYPES: &str = r#"
/** The answer to a download's start: the transfer's id, the file's terms and how it is sent. */
export interface DownloadStarted {
  /** The transfer's id: its chunks, its end and the client's acknowledgements name it. */
  id: string;
  /** The file's size in bytes. */
  size: number;
  /** The file's name, if the server gave one. */
  name?: string;
  /** The file's media type, if the server gave one. */
  mime?: string;
  /** The largest chunk the server sends, in bytes. */
  chunkSize: number;
  /** How many chunks may be unacknowledged at once. */
  window: number;
}

/** One chunk of a download, at `offset` of the file. */
export interface DownloadChunk {
  id: string;
  offset: number;
  data: Uint8Array;
}

/** The end of a download: the server's SHA-256 of the whole file (hex), or why it failed. */
export type DownloadEnd = { id: string; sha256: string } | { id: string; fault: Fault };

/** How far a download is: the bytes received, of the total. */
export interface DownloadProgress {
  received: number;
  total: number;
}

/** A downloaded file's terms, its SHA-256 checked. */
export interface DownloadInfo {
  size: number;
  name?: string;
  mime?: string;
  /** The SHA-256 of the whole file, as hex. */
  sha256: string;
}

/** A downloaded file, in memory. */
export interface DownloadedFile extends DownloadInfo {
  data: Uint8Array;
}

/** Options of a download. */
export interface DownloadOptions extends CallOptions {
  /** Runs once at 0 (the total known) and then as chunks arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborting it cancels the download: the server stops at once and the promise rejects with the signal's reason. */
  signal?: AbortSignalLike;
  /** At most this many chunks unacknowledged (the server may allow fewer). */
  window?: number;
  /**
   * Rejects with a TimeoutError (and cancels) when, connected, nothing of the download
   * arrives for this long (default 30000 ms; 0 or Infinity: no limit). A lost connection
   * pauses it until the resume. On a slow link, allow for one chunk (up to the server's
   * chunk size) to arrive.
   */
  idleTimeoutMs?: number;
}

/**
 * Options of a download that streams: each chunk goes to `onChunk` in order and is not
 * kept, and the promise resolves without `data`. The SHA-256 is checked only at the end: on
 * an `integrity` rejection, discard what `onChunk` wrote. A chunk `onChunk` throws on
 * cancels the download (the promise rejects with what it threw).
 */
export interface StreamingDownloadOptions extends DownloadOptions {
  onChunk: (chunk: Uint8Array, offset: number) => void;
}
"#;

const RUNTIME: &str = r#"
// SHA-256 fed piece by piece (Web Crypto hashes only whole buffers): a download checks
// what it received, even when it streams without keeping it.
const SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function incrementalSha256() {
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const block = new Uint8Array(64);
  let filled = 0;
  let length = 0;
  const compress = (bytes, at) => {
    for (let i = 0; i < 16; i++) {
      const j = at + 4 * i;
      w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + s1 + ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  };
  const update = (bytes) => {
    let i = 0;
    if (filled > 0) {
      i = Math.min(64 - filled, bytes.length);
      block.set(bytes.subarray(0, i), filled);
      filled += i;
      if (filled < 64) return;
      compress(block, 0);
      filled = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) compress(bytes, i);
    if (i < bytes.length) {
      block.set(bytes.subarray(i), 0);
      filled = bytes.length - i;
    }
  };
  return {
    update(bytes) {
      length += bytes.length;
      update(bytes);
    },
    hex() {
      const tail = new Uint8Array((filled < 56 ? 56 : 120) - filled + 8);
      tail[0] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(length / 0x20000000));
      view.setUint32(tail.length - 4, (length * 8) >>> 0);
      update(tail);
      return Array.from(h, (word) => word.toString(16).padStart(8, "0")).join("");
    },
  };
}

// Downloads (docs/protocol.md): the start with the request (and, resuming, the bytes held),
// answered with the file's terms; then the server's chunks, each acknowledged on arrival,
// at most a window of them unacknowledged; then the end with the server's SHA-256 of the
// whole file, checked here. After a lost connection it asks again from the last byte
// received; the server reads the file again, hashing what this client holds.
function withDownloads(client, names, options) {
  const defaultTimeout = options.timeoutMs ?? @DEFAULT_TIMEOUT_MS@;
  // This connection's downloads by id: the server names them in chunks and ends.
  const active = new Map();
  client.on["@DOWNLOAD_CHUNK@"]((chunk) => active.get(chunk.id)?.chunk(chunk));
  client.on["@DOWNLOAD_END@"]((end) => active.get(end.id)?.end(end));
  const download = (name, request, downloadOptions = {}) => new Promise((resolve, reject) => {
    const { signal, onProgress, onChunk } = downloadOptions;
    const timeoutMs = downloadOptions.timeoutMs ?? defaultTimeout;
    // 0 or Infinity: no idle limit. setTimeout takes at most 2^31 - 1 ms (more fires at once).
    const idleMs = downloadOptions.idleTimeoutMs ?? @DEFAULT_IDLE_TIMEOUT_MS@;
    const idleLimited = idleMs > 0 && Number.isFinite(idleMs);
    const hash = incrementalSha256();
    // The first start's answer: a resume must find the same size.
    let terms = null;
    let data = null;
    let received = 0;
    let id = null;
    // Bumped when the connection is lost: answers that arrive for an older one are ignored.
    let generation = 0;
    let settled = false;
    const stops = [];
    const end = (settle, value) => {
      if (settled) return;
      settled = true;
      if (id !== null) active.delete(id);
      stops.forEach((stop) => stop());
      settle(value);
    };
    const fail = (error) => end(reject, error);
    // Started again by the start's answer and every chunk; stopped while disconnected.
    let idle = null;
    const quiet = () => {
      clearTimeout(idle);
      idle = null;
    };
    const watch = () => {
      quiet();
      if (!idleLimited) return;
      idle = setTimeout(() => {
        cancel();
        fail(new TimeoutError(name, idleMs));
      }, Math.min(idleMs, 2147483647));
    };
    stops.push(quiet);
    const integrity = (message) => fail(new FaultError({ code: "integrity", event: name, message, issues: [] }));
    const cancel = (transfer = id) => {
      if (transfer !== null && client.socket.connected) client.socket.emit("@DOWNLOAD_CANCEL@", { id: transfer });
    };
    const transfer = {
      chunk({ offset, data: bytes }) {
        if (settled) return;
        if (offset !== received || received + bytes.length > terms.size) {
          cancel();
          return integrity(`the server sent bytes at ${offset} (${bytes.length} of them) after ${received} of ${terms.size}`);
        }
        hash.update(bytes);
        if (onChunk) {
          try {
            onChunk(bytes, offset);
          } catch (error) {
            cancel();
            return fail(error);
          }
        } else data.set(bytes, offset);
        received += bytes.length;
        client.socket.emit("@DOWNLOAD_ACK@", { id, offset: received });
        watch();
        onProgress?.({ received, total: terms.size });
      },
      end(frame) {
        if (settled) return;
        if ("fault" in frame) return fail(new FaultError(frame.fault));
        if (received !== terms.size) return integrity(`the download ended after ${received} of its ${terms.size} bytes`);
        if (hash.hex() !== frame.sha256) return integrity("the data received does not match the SHA-256 the server sent; download the file again");
        const file = { size: terms.size, sha256: frame.sha256 };
        if (terms.name !== undefined) file.name = terms.name;
        if (terms.mime !== undefined) file.mime = terms.mime;
        if (!onChunk) file.data = data;
        end(resolve, file);
      },
    };
    const ask = () => {
      const asked = generation;
      const start = { request };
      if (received > 0) start.offset = received;
      if (downloadOptions.window) start.window = downloadOptions.window;
      // A plain ack callback, not a promise: it runs as the answer is read, so the transfer
      // is known before the chunks that follow the answer are.
      client.socket.timeout(timeoutMs).emit(name, start, (error, response) => {
        if (settled || asked !== generation) {
          if (!error && response.ok) cancel(response.data.id);
          return;
        }
        if (error) return fail(new TimeoutError(name, timeoutMs));
        response = binaryAsBytes(response);
        if (!response.ok) return fail("fault" in response ? new FaultError(response.fault) : new AppError(name, response.error));
        const started = response.data;
        if (terms === null) {
          terms = started;
          if (!onChunk) data = new Uint8Array(started.size);
          onProgress?.({ received: 0, total: started.size });
        } else if (started.size !== terms.size) {
          cancel(started.id);
          return integrity(`the file changed during the download: it had ${terms.size} bytes, now ${started.size}`);
        }
        id = started.id;
        active.set(id, transfer);
        watch();
      });
    };
    const onAbort = () => {
      cancel();
      fail(signal.reason ?? new EventwireError(name, "the download was cancelled"));
    };
    if (signal) {
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort);
      stops.push(() => signal.removeEventListener("abort", onAbort));
    }
    stops.push(client.on.disconnect((reason) => {
      generation++;
      quiet();
      if (id !== null) active.delete(id);
      id = null;
      // Closed on purpose: socket.io-client does not reconnect, so nothing will resume.
      if (reason === "io client disconnect" || reason === "io server disconnect") {
        fail(new EventwireError(name, `the connection was closed (${reason}) during the download`));
      }
    }));
    // socket.io-client would send a start emitted while disconnected once connected: asking
    // on `connect` only, and now if connected, asks once.
    stops.push(client.on.connect(() => {
      if (!settled) ask();
    }));
    if (client.socket.connected) ask();
  });
  for (const name of names) client[name] = (request, downloadOptions) => download(name, request, downloadOptions);
  return client;
}
"#;

/// How a contract's `connect<Name>` wraps the client: `withDownloads(` and its closing
/// arguments, or nothing for a contract without downloads.
pub(crate) fn wrap(contract: &ContractDescription) -> (&'static str, String) {
    if contract.downloads.is_empty() {
        return ("", String::new());
    }
    let names: Vec<String> = contract
        .downloads
        .iter()
        .map(|d| Value::String(d.name.to_owned()).to_string())
        .collect();
    (
        "withDownloads(",
        format!(", [{}], options)", names.join(", ")),
    )
}

/// Each download's start event and typed client method, and the shared download frames.
pub(crate) fn declarations(
    contract: &ContractDescription,
    names: &Names<'_>,
    parts: &mut ContractParts,
) -> Result<(), GenerateError> {
    let name = contract.name;
    let uploads: Vec<&str> = contract.uploads.iter().map(|u| u.name).collect();
    for download in &contract.downloads {
        let location = format!("{name}.{}", download.name);
        refuse_taken(contract, &location, "download", download.name, &uploads)?;
        let request = ty(download.request.as_value(), &location, names, Side::Input)?;
        let error = match &download.error {
            Some(error) => Some(ty(error.as_value(), &location, names, Side::Output)?),
            None => None,
        };
        let rejects = rejects(error.as_ref(), &["EventwireError"]);
        if let Some(error) = &error {
            parts
                .app_errors
                .push(Member::property(download.name, error.clone()));
        }
        let start = Type::inline_object(vec![
            Member::property("request", request.clone()),
            Member::optional("offset", Type::Keyword(Keyword::Number)),
            Member::optional("window", Type::Keyword(Keyword::Number)),
        ]);
        parts.to_server.push(exchange_event(
            download.name,
            &format!(
                "Starts the `{0}` download (see the client's `{0}` method); `offset` resumes it.",
                download.name
            ),
            start,
            ack_response(Type::named("DownloadStarted"), error),
        ));
        // Two overloads: with `onChunk` the file streams and the promise carries no bytes.
        let method = |options: Param, file: &str| {
            Member::method(
                download.name,
                vec![Param::new("request", request.clone()), options],
                Type::generic("Promise", vec![Type::named(file)]),
            )
        };
        parts.methods.extend([
            method(
                Param::new("options", Type::named("StreamingDownloadOptions")),
                "DownloadInfo",
            )
            .documented(lines_then(
                download.docs,
                &format!(
                    "Downloads the file `request` names as a stream of chunks; resolves with it once its SHA-256 was checked (with `onChunk`, streams it without keeping it). A lost connection resumes from the last byte received. Rejects with {rejects} (a `FaultError` with code `integrity` when the bytes do not match), or the signal's reason when cancelled."
                ),
            )),
            method(
                Param::optional("options", Type::named("DownloadOptions")),
                "DownloadedFile",
            ),
        ]);
    }
    if contract.downloads.is_empty() {
        return Ok(());
    }
    let frame = |event: &str, docs: &str, param: &str, ty: Type| {
        Member::property(event, Type::callback(vec![Param::new(param, ty)])).documented(lines(docs))
    };
    parts.to_client.extend([
        frame(
            eventwire::download::CHUNK_EVENT,
            &filled("One chunk of a download; acknowledge it with `@DOWNLOAD_ACK@`."),
            "chunk",
            Type::named("DownloadChunk"),
        ),
        frame(
            eventwire::download::END_EVENT,
            "The end of a download: the SHA-256 of the whole file, or a fault.",
            "end",
            Type::named("DownloadEnd"),
        ),
    ]);
    parts.to_server.extend([
        frame(
            eventwire::download::ACK_EVENT,
            "Every byte of a download up to `offset` arrived.",
            "ack",
            id_request(vec![Member::property(
                "offset",
                Type::Keyword(Keyword::Number),
            )]),
        ),
        frame(
            eventwire::download::CANCEL_EVENT,
            "Cancels a download.",
            "request",
            id_request(Vec::new()),
        ),
    ]);
    Ok(())
}
