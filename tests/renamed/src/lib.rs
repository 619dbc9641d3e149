//! A contract that uses every eventwire derive through a renamed dependency (`ew`), each told
//! its path with `crate = "ew"`: it compiles only if no generated line names `::eventwire`.

use ew::feed::Refused;
use ew::{Bytes, Cx, Forbidden};

/// A note.
#[ew::payload(crate = "ew")]
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// Its key.
    pub id: u32,
    /// Its text.
    #[validate(length(min = 1, max = 20))]
    pub text: String,
}

/// Binary data both ways eventwire sends it (their serde and schema paths name the runtime).
#[ew::payload(crate = "ew")]
pub struct Attachment {
    /// As `Bytes`.
    pub data: Bytes,
    /// As a byte vector.
    #[payload(bytes)]
    pub raw: Vec<u8>,
}

/// Which notes to watch.
#[ew::payload(crate = "ew")]
#[derive(Clone, Debug, Default, ew::Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Note, crate = "ew")]
pub struct NoteFilter {
    /// One note.
    #[filter(eq)]
    pub id: Option<u32>,
    /// Text in the note.
    #[filter(contains, field = text)]
    pub search: Option<String>,
}

/// A value checked by a standalone `Validate` derive.
#[derive(ew::Validate)]
#[validate(crate = "ew")]
pub struct Title {
    /// Between 2 and 5 characters.
    #[validate(length(min = 2, max = 5))]
    pub text: String,
}

/// What an upload declares.
#[ew::payload(crate = "ew")]
pub struct FileMeta {
    /// The file's name.
    #[validate(length(min = 1))]
    pub name: String,
}

/// Notes, as a contract with every kind of event.
#[derive(ew::Contract)]
#[contract(crate = "ew", namespace = "/notes")]
pub enum Notes {
    /// Adds a note, if the guard allows it.
    #[client(ack = Result<Note, String>, guard)]
    Add(Note),
    /// A note someone added.
    #[server]
    Added(Note),
    /// A file attached to a note.
    #[server]
    Attached(Attachment),
    /// The notes, live.
    #[feed(item = Note, key = id, filter = NoteFilter)]
    All,
    /// A file of bytes.
    #[upload(ack = u32)]
    File(FileMeta),
    /// A file the server sends, if the guard allows it.
    #[download(error = String, guard)]
    Fetch(FileMeta),
}

/// The handlers.
pub struct App;

impl NotesHandlers for App {
    async fn add(&self, cx: &Cx<Notes>, note: Note) -> Result<Note, String> {
        let _ = cx.emit(Notes::added(note.clone()));
        Ok(note)
    }

    async fn allow_add(&self, _: &Cx<Notes>, note: &Note) -> Result<(), Forbidden> {
        match note.id {
            0 => Err(Forbidden::new("note 0 is reserved")),
            _ => Ok(()),
        }
    }

    async fn subscribe_all(
        &self,
        _: &Cx<Notes>,
        _: &mut NoteFilter,
    ) -> Result<Vec<Note>, Refused<ew::feed::NoError>> {
        Ok(Vec::new())
    }

    async fn file(&self, _: &Cx<Notes>, meta: FileMeta, _: ew::upload::Upload) -> u32 {
        meta.name.len() as u32
    }

    async fn fetch(&self, _: &Cx<Notes>, meta: FileMeta) -> Result<ew::download::Download, String> {
        match meta.name.as_str() {
            "missing" => Err("no such file".into()),
            _ => Ok(ew::download::Download::from_bytes(Bytes::from_static(
                b"hello",
            ))),
        }
    }

    async fn allow_fetch(&self, _: &Cx<Notes>, meta: &FileMeta) -> Result<(), Forbidden> {
        match meta.name.as_str() {
            "secret" => Err(Forbidden::new("not yours")),
            _ => Ok(()),
        }
    }
}
