//! The changes of a contract's uploads that break an old client: its start (the metadata
//! it sends, the size of the files it may send) must still be accepted, and the answer to
//! its finish (the upload's answer and app error) must still fit what the old client's
//! types expect. The chunks, the finish's hash, cancel and resume are the runtime's and
//! the same for every upload, so they are not in a contract's shape.

use serde_json::Value;

use crate::contract::compat::Shape;
use crate::contract::compat::changes::{Part, directed};
use crate::contract::compat::fits::{NEW_SERVER_SENDS, OLD_CLIENT_SENDS};
use crate::contract::describe::Direction::{self, ClientToServer, ServerToClient};

/// Reports, through `push` (`upload`, part, who sends, problem), every upload change from
/// `old` to `new` that breaks an old client. An upload added breaks nothing: old clients
/// never start it.
pub(super) fn upload_changes(
    old: &Shape,
    new: &Shape,
    push: &mut impl FnMut(Option<&str>, Part, Direction, String),
) {
    for (name, old_upload) in old.entries("uploads") {
        let upload = Some(name.as_str());
        let Some(new_upload) = new.entry("uploads", name) else {
            push(
                upload,
                Part::Upload,
                ClientToServer,
                "the new server no longer receives it; an old client may still start it and gets an `unknown_event` fault".into(),
            );
            continue;
        };
        for problem in directed(&old_upload["meta"], &new_upload["meta"], OLD_CLIENT_SENDS) {
            push(upload, Part::UploadMeta, ClientToServer, problem);
        }
        let max_size = |upload: &Value| upload.get("maxSize").and_then(Value::as_u64);
        match (max_size(old_upload), max_size(new_upload)) {
            (old_max, Some(new_max)) if old_max.is_none_or(|old_max| new_max < old_max) => push(
                upload,
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
        for problem in directed(&old_upload["ack"], &new_upload["ack"], NEW_SERVER_SENDS) {
            push(upload, Part::UploadAck, ServerToClient, problem);
        }
        match (old_upload.get("error"), new_upload.get("error")) {
            (Some(old_error), Some(new_error)) => {
                for problem in directed(old_error, new_error, NEW_SERVER_SENDS) {
                    push(upload, Part::UploadError, ServerToClient, problem);
                }
            }
            (None, Some(_)) => push(
                upload,
                Part::UploadError,
                ServerToClient,
                "the new server may answer its finish with an app error, which an old client does not expect".into(),
            ),
            _ => {}
        }
    }
}
