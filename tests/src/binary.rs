//! A contract with binary fields at several depths, in both directions, for the binary
//! tests (`binary.mjs`, `typecheck/binary.ts`, the hostile suite).

use eventwire::{Bytes, Contract, Cx, Server, payload};

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
}

/// The handlers: echo what arrived.
#[derive(Clone, Default)]
pub struct FilesApp;

impl FilesHandlers for FilesApp {
    async fn upload(&self, _: &Cx<Files>, upload: Upload) -> Stored {
        upload.into()
    }

    async fn publish(&self, cx: &Cx<Files>, upload: Upload) {
        let _ = cx.emit(Files::stored(upload.into()));
    }

    async fn small(&self, _: &Cx<Files>, chunk: Chunk) -> u32 {
        chunk.data.len() as u32
    }
}

/// Starts a server with the files contract on an ephemeral port; returns its URL.
pub async fn start() -> String {
    let server = Server::new().contract::<Files>(FilesApp);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    url
}
