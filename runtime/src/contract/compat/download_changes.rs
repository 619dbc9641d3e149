//! The changes of a contract's downloads that break an old client: its start (the request
//! it sends) must still be accepted, and the app error the start may be answered with must
//! still fit what the old client's types expect. The file's terms, its chunks, the end with
//! the hash, the acknowledgements and cancel are the runtime's and the same for every
//! download, so they are not in a contract's shape.

use crate::contract::compat::Shape;
use crate::contract::compat::changes::Part;
use crate::contract::compat::entry_changes::entry_changes;
use crate::contract::describe::Direction;

/// Reports, through `push` (`download`, part, who sends, problem), every download change
/// from `old` to `new` that breaks an old client. A download added breaks nothing: old
/// clients never start it.
pub(super) fn download_changes(
    old: &Shape,
    new: &Shape,
    push: &mut impl FnMut(Option<&str>, Part, Direction, String),
) {
    let gone = (
        Part::Download,
        "the new server no longer sends it; an old client may still start it and gets an `unknown_event` fault",
    );
    entry_changes(old, new, "downloads", gone, push, |download| {
        download.client_sends("request", Part::DownloadRequest);
        download.app_error(
            Part::DownloadError,
            "the new server may answer its start with an app error, which an old client does not expect",
        );
    });
}
