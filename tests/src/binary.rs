//! A contract with binary fields at several depths, in both directions, for the binary
//! tests (`binary.mjs`, `typecheck/binary.ts`, the hostile suite).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventwire::{Bytes, Contract, Cx, Forbidden, Server, payload};
use futures_util::StreamExt;
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
}

/// The handlers: echo what arrived.
#[derive(Clone, Default)]
pub struct FilesApp {
    /// How each upload's stream ended: `ok <name>` or the error.
    pub uploads: Arc<Mutex<Vec<String>>>,
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
        Ok(Received {
            name: meta.name,
            size: size as u32,
            sha256: hex(&hasher.finalize()),
            chunks,
        })
    }
}

impl FilesApp {
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

/// The files server's upload settings, small enough for tests to reach every limit: 64 KiB
/// chunks, a window of 4, two uploads per connection totalling at most 12 MB, and a
/// one-and-a-half-second timeout.
pub fn files_server(app: FilesApp) -> Server {
    Server::new()
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
