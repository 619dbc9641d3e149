//! [`Download`]: the file a download handler returns, and how the sender reads it in
//! chunks.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, Stream, StreamExt};
use tokio::io::{AsyncRead, ReadBuf};

/// An error of the handler's stream, kept for the log.
pub(crate) type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// The file a `#[download]` handler returns: its size, optionally its name and media type,
/// and its bytes as a stream.
///
/// The size is sent to the client before the first byte (for its progress and its buffer);
/// the stream must yield exactly that many bytes, in pieces of any size (the server cuts
/// and joins them into chunks). A stream that ends early, or has more bytes ready past the
/// size, ends the download with an `integrity` fault; one that yields an error ends it with
/// an `internal` fault (the error is logged).
///
/// From a file: a `tokio::fs::File` is an `AsyncRead` (`Download::from_reader(size, file)`
/// after `File::open` and `file.metadata().await?.len()`), or with tokio-util
/// `Download::new(size, ReaderStream::new(file))`:
///
/// ```
/// use eventwire::download::Download;
///
/// fn report(file: impl tokio::io::AsyncRead + Send + 'static, size: u64) -> Download {
///     Download::from_reader(size, file).name("report.pdf").mime("application/pdf")
/// }
/// # let download = report(&b"%PDF"[..], 4);
/// # assert_eq!(download.media_type(), Some("application/pdf"));
/// ```
///
/// From memory, or from any `Stream` of `Bytes`:
///
/// ```
/// use eventwire::{Bytes, download::Download};
///
/// let small = Download::from_bytes(Bytes::from_static(b"hello"));
/// assert_eq!(small.size(), 5);
///
/// let parts = futures_util::stream::iter([
///     Ok::<_, std::io::Error>(Bytes::from_static(b"hel")),
///     Ok(Bytes::from_static(b"lo")),
/// ]);
/// let streamed = Download::new(5, parts).name("hello.txt").mime("text/plain");
/// assert_eq!((streamed.size(), streamed.file_name()), (5, Some("hello.txt")));
/// ```
pub struct Download {
    size: u64,
    name: Option<String>,
    mime: Option<String>,
    body: BoxStream<'static, Result<Bytes, BodyError>>,
}

impl Download {
    /// A file of `size` bytes read from `stream`.
    pub fn new<S, E>(size: u64, stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BodyError>,
    {
        Self {
            size,
            name: None,
            mime: None,
            body: stream.map(|item| item.map_err(Into::into)).boxed(),
        }
    }

    /// A file of `size` bytes read from `reader` (a `tokio::fs::File`, a socket, ...).
    pub fn from_reader(size: u64, reader: impl AsyncRead + Send + 'static) -> Self {
        Self::new(
            size,
            Reader {
                reader: Box::pin(reader),
                buffer: vec![0; 64 << 10].into_boxed_slice(),
                done: false,
            },
        )
    }

    /// A file already in memory.
    pub fn from_bytes(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        Self::new(
            data.len() as u64,
            futures_util::stream::iter([Ok::<_, BodyError>(data)]),
        )
    }

    /// The file's name, for the client (e.g. to save it under).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The file's media type (`image/png`), for the client.
    #[must_use]
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// The size declared, in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The name given with [`name`](Self::name), if any.
    pub fn file_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The media type given with [`mime`](Self::mime), if any.
    pub fn media_type(&self) -> Option<&str> {
        self.mime.as_deref()
    }

    pub(crate) fn into_parts(self) -> (Meta, Body) {
        (
            Meta {
                size: self.size,
                name: self.name,
                mime: self.mime,
            },
            Body {
                stream: self.body,
                pending: Bytes::new(),
                ended: false,
            },
        )
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("size", &self.size)
            .field("name", &self.name)
            .field("mime", &self.mime)
            .finish_non_exhaustive()
    }
}

/// What the client learns before the first byte.
pub(crate) struct Meta {
    pub(crate) size: u64,
    pub(crate) name: Option<String>,
    pub(crate) mime: Option<String>,
}

/// The handler's stream, read in chunks of a given size.
pub(crate) struct Body {
    stream: BoxStream<'static, Result<Bytes, BodyError>>,
    /// Read and not yet handed out (the rest of a piece larger than a chunk).
    pending: Bytes,
    ended: bool,
}

impl Body {
    /// The next chunk of at most `max` bytes (fewer only at the end); `None` at the end.
    pub(crate) async fn next_chunk(&mut self, max: usize) -> Result<Option<Bytes>, BodyError> {
        if self.pending.len() >= max {
            return Ok(Some(self.pending.split_to(max)));
        }
        let mut chunk = BytesMut::from(std::mem::take(&mut self.pending).as_ref());
        while chunk.len() < max && !self.ended {
            match self.stream.next().await {
                None => self.ended = true,
                Some(piece) => chunk.extend_from_slice(&piece?),
            }
        }
        if chunk.len() > max {
            self.pending = chunk.split_off(max).freeze();
        }
        Ok((!chunk.is_empty()).then(|| chunk.freeze()))
    }

    /// Whether the stream has bytes ready past the end it should have reached (a stream
    /// still pending is given the benefit of the doubt: it is dropped unread).
    pub(crate) fn has_more_ready(&mut self) -> bool {
        if !self.pending.is_empty() {
            return true;
        }
        if self.ended {
            return false;
        }
        matches!(self.stream.next().now_or_never(), Some(Some(Ok(piece))) if !piece.is_empty())
    }
}

/// An `AsyncRead` as a stream of pieces of up to 64 KiB.
struct Reader {
    reader: Pin<Box<dyn AsyncRead + Send>>,
    /// Kept between polls: a read that is pending does not allocate again.
    buffer: Box<[u8]>,
    done: bool,
}

impl Stream for Reader {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        let mut read = ReadBuf::new(&mut this.buffer);
        match this.reader.as_mut().poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(error)) => {
                this.done = true;
                Poll::Ready(Some(Err(error)))
            }
            Poll::Ready(Ok(())) if read.filled().is_empty() => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Ok(())) => Poll::Ready(Some(Ok(Bytes::copy_from_slice(read.filled())))),
        }
    }
}
