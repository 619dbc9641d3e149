//! The changes of a contract's uploads that break an old client: its start (the metadata
//! it sends, the size of the files it may send) must still be accepted, and the answer to
//! its finish (the upload's answer and app error) must still fit what the old client's
//! types expect. The chunks, the finish's hash, cancel and resume are the runtime's and
//! the same for every upload, so they are not in a contract's shape.

use serde_json::Value;

use crate::contract::compat::Shape;
use crate::contract::compat::changes::Part;
use crate::contract::compat::entry_changes::entry_changes;
use crate::contract::describe::Direction::{self, ClientToServer};

/// Reports, through `push` (`upload`, part, who sends, problem), every upload change from
/// `old` to `new` that breaks an old client. An upload added breaks nothing: old clients
/// never start it.
pub(super) fn upload_changes(
    old: &Shape,
    new: &Shape,
    push: &mut impl FnMut(Option<&str>, Part, Direction, String),
) {
    let gone = (
        Part::Upload,
        "the new server no longer receives it; an old client may still start it and gets an `unknown_event` fault",
    );
    entry_changes(old, new, "uploads", gone, push, |upload| {
        upload.client_sends("meta", Part::UploadMeta);
        let max_size = |upload: &Value| upload.get("maxSize").and_then(Value::as_u64);
        match (max_size(upload.old), max_size(upload.new)) {
            (old_max, Some(new_max)) if old_max.is_none_or(|old_max| new_max < old_max) => upload.push(
                Part::UploadSize,
                ClientToServer,
                format!(
                    "the new server refuses files larger than {new_max} bytes with `transfer_limit`, and an old client may send files of up to {}",
                    old_max.map_or("any size".to_owned(), |old_max| format!("{old_max} bytes"))
                ),
            ),
            // Raised or removed: every file an old client may send is still taken.
            _ => {}
        }
        upload.server_sends("ack", Part::UploadAck);
        upload.app_error(
            Part::UploadError,
            "the new server may answer its finish with an app error, which an old client does not expect",
        );
    });
}
