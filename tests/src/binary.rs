//! A contract with binary fields at several depths, in both directions, for the binary
//! tests (`binary.mjs`, `uploads.mjs`, `downloads.mjs`, `typecheck/binary.ts`, the hostile
//! suite).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventwire::download::Download;
use eventwire::{Bytes, Contract, Cx, Forbidden, Server, payload};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

/// A named piece of binary data, sent and received (so TypeScript has `Attachment` and
/// `AttachmentInput`).
#[payload]
#[derive(Clone, Debug)]
pub struct Attachment {
    /// Its name.
    pub name: String,
    /// Its content.
    #[validate(length(max = 64))]
    pub data: Bytes,
}

/// A file with binary data at every depth.
#[payload]
#[derive(Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    /// A title.
    pub title: String,
    /// The content: 1 to 1024 bytes.
    #[validate(length(min = 1, max = 1024))]
    pub data: Bytes,
    /// An optional preview.
    pub thumbnail: Option<Bytes>,
    /// More files.
    #[validate(nested)]
    pub attachments: Vec<Attachment>,
    /// A `Vec<u8>` sent as bytes.
    #[payload(bytes)]
    pub raw: Vec<u8>,
}

/// What the server stored: the same data, sent back.
#[payload]
#[derive(Clone, Debug)]
pub struct Stored {
    /// The title.
    pub title: String,
    /// How many bytes `data` has.
    pub size: u32,
    /// The content.
    pub data: Bytes,
    /// The preview, if any.
    pub thumbnail: Option<Bytes>,
    /// The other files.
    pub attachments: Vec<Attachment>,
    /// The raw bytes.
    #[payload(bytes)]
    pub raw: Vec<u8>,
}

impl From<Upload> for Stored {
    fn from(upload: Upload) -> Self {
        Self {
            title: upload.title,
            size: upload.data.len() as u32,
            data: upload.data,
            thumbnail: upload.thumbnail,
            attachments: upload.attachments,
            raw: upload.raw,
        }
    }
}

/// A payload of bytes alone, for the size limit of one event.
#[payload]
pub struct Chunk {
    /// Its data.
    pub data: Bytes,
}

/// What an upload declares before its first byte.
#[payload]
#[derive(Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FileMeta {
    /// The file's name: `forbidden.bin` is refused by the guard, `early.bin` answered
    /// after its first chunk.
    #[validate(length(min = 1, max = 255))]
    pub name: String,
    /// How long the handler takes per chunk, in milliseconds (a slow reader).
    #[validate(range(max = 1000))]
    pub delay_ms: u32,
}

/// What the server received, hashed on its side.
#[payload]
#[derive(Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// The file's name.
    pub name: String,
    /// How many bytes arrived.
    pub size: u32,
    /// Their SHA-256, as hex.
    pub sha256: String,
    /// In how many chunks.
    pub chunks: u32,
}

/// The app's refusal of an upload.
#[payload]
#[derive(Clone, Debug)]
pub struct UploadRefused {
    /// Why.
    pub reason: String,
}

/// Which file to download.
#[payload]
#[derive(Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FileRequest {
    /// The file's name. `stored:<name>` is a file uploaded earlier; any other name is
    /// generated from `seed` (see [`generated`]). Some names misbehave: `forbidden.bin` is
    /// refused by the guard, `missing.bin` by the handler; the stream of `short.bin` ends
    /// 1,000 bytes early, `long.bin` has 1,000 bytes more, `broken.bin` fails after its
    /// first piece, and `changing.bin` differs each time it is asked for.
    #[validate(length(min = 1, max = 255))]
    pub name: String,
    /// The size of a generated file, in bytes.
    #[validate(range(max = 64000000))]
    pub size: u32,
    /// The seed of a generated file.
    pub seed: u32,
    /// How long the stream waits before each piece, in milliseconds (a slow source).
    #[validate(range(max = 1000))]
    pub delay_ms: u32,
}

/// The app's refusal of a download.
#[payload]
#[derive(Clone, Debug)]
pub struct Missing {
    /// The file asked for.
    pub name: String,
}

/// Binary payloads in every direction.
#[derive(Contract)]
#[contract(namespace = "/files")]
pub enum Files {
    /// Stores a file; the answer carries it back.
    #[client(ack = Stored)]
    Upload(Upload),
    /// Stores a file and sends it back as a `stored` event.
    #[client]
    Publish(Upload),
    /// At most 256 bytes, attachments included.
    #[client(ack = u32, max_bytes = 256)]
    Small(Chunk),
    /// A stored file.
    #[server]
    Stored(Stored),
    /// Sends the file to the caller as a `review` question; answers with the caller's
    /// answer (a file too), or why it did not arrive.
    #[client(ack = Result<Stored, UploadRefused>)]
    AskReview(Upload),
    /// A file for the client to review; the client answers with a file.
    #[server(ack = Stored)]
    Review(Stored),
    /// Sends a file of up to 8 MB as a stream of chunks.
    #[upload(ack = Result<Received, UploadRefused>, guard, max_size = 8_000_000)]
    SendFile(FileMeta),
    /// Receives a file as a stream of chunks.
    #[download(error = Missing, guard)]
    FetchFile(FileRequest),
}

/// The handlers: echo what arrived.
#[derive(Clone, Default)]
pub struct FilesApp {
    /// How each upload's stream ended: `ok <name>` or the error.
    pub uploads: Arc<Mutex<Vec<String>>>,
    /// How each download's stream ended: `<name>: dropped after <n> bytes`.
    pub downloads: Arc<Mutex<Vec<String>>>,
    /// The last files uploaded, by name (at most [`STORED`]).
    pub stored: Arc<Mutex<VecDeque<(String, Bytes)>>>,
    /// How many times `changing.bin` was asked for.
    pub changes: Arc<AtomicU32>,
}

/// How many uploaded files the files server keeps for downloads.
pub const STORED: usize = 4;

/// A generated file: `size` bytes of xorshift32 from `seed` (each step's state, little
/// endian), as `downloads.mjs` computes it too.
pub fn generated(seed: u32, size: usize) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(size + 4);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size);
    out
}

/// A stream of `data` in pieces of 50,000 bytes (not a chunk size: the server re-cuts),
/// each after `delay`, that says in the log how much was read when it is dropped.
struct Pieces {
    data: Bytes,
    read: usize,
    /// Fails after this many bytes (`broken.bin`).
    fail_at: Option<usize>,
    delay: Duration,
    sleep: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
    name: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Stream for Pieces {
    type Item = std::io::Result<Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.read >= self.data.len() {
            return Poll::Ready(None);
        }
        if self.fail_at.is_some_and(|at| self.read >= at) {
            self.read = self.data.len();
            return Poll::Ready(Some(Err(std::io::Error::other("the disk is on fire"))));
        }
        let delay = self.delay;
        if !delay.is_zero() {
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.sleep = None;
        }
        let end = (self.read + 50_000).min(self.data.len());
        let piece = self.data.slice(self.read..end);
        self.read = end;
        Poll::Ready(Some(Ok(piece)))
    }
}

impl Drop for Pieces {
    fn drop(&mut self) {
        let line = format!("{}: dropped after {} bytes", self.name, self.read);
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }
}

impl FilesHandlers for FilesApp {
    async fn upload(&self, _: &Cx<Files>, upload: Upload) -> Stored {
        upload.into()
    }

    async fn publish(&self, cx: &Cx<Files>, upload: Upload) {
        let _ = cx.emit(Files::stored(upload.into()));
    }

    async fn ask_review(&self, cx: &Cx<Files>, upload: Upload) -> Result<Stored, UploadRefused> {
        let question = Files::review(upload.into()).timeout(Duration::from_secs(2));
        cx.emit_with_ack(question)
            .await
            .map_err(|error| UploadRefused {
                reason: error.to_string(),
            })
    }

    async fn small(&self, _: &Cx<Files>, chunk: Chunk) -> u32 {
        chunk.data.len() as u32
    }

    async fn allow_fetch_file(
        &self,
        _: &Cx<Files>,
        request: &FileRequest,
    ) -> Result<(), Forbidden> {
        if request.name == "forbidden.bin" {
            return Err(Forbidden::new("this name is not allowed"));
        }
        Ok(())
    }

    async fn fetch_file(&self, _: &Cx<Files>, request: FileRequest) -> Result<Download, Missing> {
        self.fetch(request).await
    }

    async fn allow_send_file(&self, _: &Cx<Files>, meta: &FileMeta) -> Result<(), Forbidden> {
        if meta.name == "forbidden.bin" {
            return Err(Forbidden::new("this name is not allowed"));
        }
        Ok(())
    }

    async fn send_file(
        &self,
        _: &Cx<Files>,
        meta: FileMeta,
        mut upload: eventwire::upload::Upload,
    ) -> Result<Received, UploadRefused> {
        let mut hasher = Sha256::new();
        let mut data = eventwire::bytes::BytesMut::new();
        let (mut size, mut chunks) = (0usize, 0u32);
        while let Some(chunk) = upload.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    self.log(format!("{}: {error}", meta.name));
                    return Err(UploadRefused {
                        reason: error.to_string(),
                    });
                }
            };
            hasher.update(&chunk);
            data.extend_from_slice(&chunk);
            size += chunk.len();
            chunks += 1;
            if meta.name == "early.bin" {
                self.log(format!("{}: answered early", meta.name));
                return Err(UploadRefused {
                    reason: "one chunk is enough".into(),
                });
            }
            tokio::time::sleep(Duration::from_millis(meta.delay_ms.into())).await;
        }
        self.log(format!("{}: ok", meta.name));
        self.store(meta.name.clone(), data.freeze());
        Ok(Received {
            name: meta.name,
            size: size as u32,
            sha256: hex(&hasher.finalize()),
            chunks,
        })
    }
}

impl FilesApp {
    async fn fetch(&self, request: FileRequest) -> Result<Download, Missing> {
        let name = request.name.clone();
        if let Some(stored) = name.strip_prefix("stored:") {
            let data = self
                .stored
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|(other, _)| other == stored)
                .map(|(_, data)| data.clone());
            let Some(data) = data else {
                return Err(Missing { name });
            };
            let size = data.len() as u64;
            let pieces = self.pieces(&request, data, None);
            return Ok(Download::new(size, pieces)
                .name(stored)
                .mime("application/octet-stream"));
        }
        let size = request.size as usize;
        let (seed, declared, fail_at) = match name.as_str() {
            "missing.bin" => return Err(Missing { name }),
            "short.bin" => (request.seed, size + 1000, None),
            "long.bin" => (request.seed, size.saturating_sub(1000), None),
            "broken.bin" => (request.seed, size, Some(1)),
            "changing.bin" => (
                request.seed + self.changes.fetch_add(1, Ordering::Relaxed),
                size,
                None,
            ),
            _ => (request.seed, size, None),
        };
        let data = Bytes::from(generated(seed, size));
        let pieces = self.pieces(&request, data, fail_at);
        Ok(Download::new(declared as u64, pieces).name(name))
    }

    /// The stream of `data` for `request`.
    fn pieces(&self, request: &FileRequest, data: Bytes, fail_at: Option<usize>) -> Pieces {
        Pieces {
            data,
            read: 0,
            fail_at,
            delay: Duration::from_millis(request.delay_ms.into()),
            sleep: None,
            name: request.name.clone(),
            log: self.downloads.clone(),
        }
    }

    fn store(&self, name: String, data: Bytes) {
        let mut stored = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        stored.retain(|(other, _)| *other != name);
        stored.push_back((name, data));
        if stored.len() > STORED {
            stored.pop_front();
        }
    }

    fn log(&self, line: String) {
        self.uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The files server's transfer settings, small enough for tests to reach every limit: 64 KiB
/// chunks, a window of 4, two uploads per connection totalling at most 12 MB, two downloads
/// per connection, and one-and-a-half-second timeouts.
pub fn files_server(app: FilesApp) -> Server {
    Server::new()
        .download_chunk_size(64 * 1024)
        .download_window(4)
        .max_downloads_per_socket(2)
        .download_timeout(Duration::from_millis(1500))
        .upload_chunk_size(64 * 1024)
        .upload_window(4)
        .max_uploads_per_socket(2)
        .max_upload_bytes_per_socket(12_000_000)
        .upload_timeout(Duration::from_millis(1500))
        .contract::<Files>(app)
}

/// Starts a server with the files contract on an ephemeral port; returns its URL.
pub async fn start() -> String {
    start_with(FilesApp::default()).await
}

/// Starts the files server with these handlers (to read their upload log); returns its URL.
pub async fn start_with(app: FilesApp) -> String {
    crate::serve_ephemeral(files_server(app)).await
}
