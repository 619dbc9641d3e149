//! The changes of a contract's downloads that break an old client: its start (the request
//! it sends) must still be accepted, and the app error the start may be answered with must
//! still fit what the old client's types expect. The file's terms, its chunks, the end with
//! the hash, the acknowledgements and cancel are the runtime's and the same for every
//! download, so they are not in a contract's shape.

use crate::contract::compat::Shape;
use crate::contract::compat::changes::{Part, directed};
use crate::contract::compat::fits::{NEW_SERVER_SENDS, OLD_CLIENT_SENDS};
use crate::contract::describe::Direction::{self, ClientToServer, ServerToClient};

/// Reports, through `push` (`download`, part, who sends, problem), every download change
/// from `old` to `new` that breaks an old client. A download added breaks nothing: old
/// clients never start it.
pub(super) fn download_changes(
    old: &Shape,
    new: &Shape,
    push: &mut impl FnMut(Option<&str>, Part, Direction, String),
) {
    for (name, old_download) in old.entries("downloads") {
        let download = Some(name.as_str());
        let Some(new_download) = new.entry("downloads", name) else {
            push(
                download,
                Part::Download,
                ClientToServer,
                "the new server no longer sends it; an old client may still start it and gets an `unknown_event` fault".into(),
            );
            continue;
        };
        for problem in directed(
            &old_download["request"],
            &new_download["request"],
            OLD_CLIENT_SENDS,
        ) {
            push(download, Part::DownloadRequest, ClientToServer, problem);
        }
        match (old_download.get("error"), new_download.get("error")) {
            (Some(old_error), Some(new_error)) => {
                for problem in directed(old_error, new_error, NEW_SERVER_SENDS) {
                    push(download, Part::DownloadError, ServerToClient, problem);
                }
            }
            (None, Some(_)) => push(
                download,
                Part::DownloadError,
                ServerToClient,
                "the new server may answer its start with an app error, which an old client does not expect".into(),
            ),
            // Removed: an old client's error type is simply never used.
            _ => {}
        }
    }
}
