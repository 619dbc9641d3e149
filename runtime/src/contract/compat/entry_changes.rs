//! What the changes of every named entry of a contract (a feed, an upload, a download)
//! follow: an entry removed breaks an old client that still uses it, an entry added breaks
//! nothing (old clients never use it), and a kept one is compared part by part, in the
//! direction its data travels.

use serde_json::Value;

use crate::contract::compat::Shape;
use crate::contract::compat::changes::{Part, directed};
use crate::contract::compat::fits::{NEW_SERVER_SENDS, OLD_CLIENT_SENDS};
use crate::contract::describe::Direction::{self, ClientToServer, ServerToClient};

/// One entry that both versions have, and where its problems go.
pub(super) struct Entry<'a, P> {
    name: &'a str,
    /// The entry as the old contract describes it.
    pub(super) old: &'a Value,
    /// The entry as the new contract describes it.
    pub(super) new: &'a Value,
    push: &'a mut P,
}

impl<P: FnMut(Option<&str>, Part, Direction, String)> Entry<'_, P> {
    /// Reports one problem of this entry.
    pub(super) fn push(&mut self, part: Part, sent_by: Direction, problem: String) {
        (self.push)(Some(self.name), part, sent_by, problem);
    }

    /// `key` is what the client sends: the new server must accept all an old client sends.
    pub(super) fn client_sends(&mut self, key: &str, part: Part) {
        for problem in directed(&self.old[key], &self.new[key], OLD_CLIENT_SENDS) {
            self.push(part, ClientToServer, problem);
        }
    }

    /// `key` is what the server sends: it must still fit an old client's types.
    pub(super) fn server_sends(&mut self, key: &str, part: Part) {
        for problem in directed(&self.old[key], &self.new[key], NEW_SERVER_SENDS) {
            self.push(part, ServerToClient, problem);
        }
    }

    /// The app's typed error the server may answer with: it must still fit an old client's
    /// error type, and one the old client has none for is the problem `added`. An error
    /// removed breaks nothing: the old client's error type is simply never used.
    pub(super) fn app_error(&mut self, part: Part, added: &str) {
        match (self.old.get("error"), self.new.get("error")) {
            (Some(_), Some(_)) => self.server_sends("error", part),
            (None, Some(_)) => self.push(part, ServerToClient, added.to_owned()),
            _ => {}
        }
    }
}

/// Reports, through `push` (the entry's name, part, who sends, problem), every change of
/// the entries of `kind` (`feeds`, `uploads`, `downloads`) from `old` to `new` that breaks
/// an old client: one the new contract lost is `gone` (part and problem); one it kept goes
/// through `compare`.
pub(super) fn entry_changes<P: FnMut(Option<&str>, Part, Direction, String)>(
    old: &Shape,
    new: &Shape,
    kind: &str,
    gone: (Part, &str),
    push: &mut P,
    mut compare: impl FnMut(&mut Entry<'_, P>),
) {
    for (name, old_entry) in old.entries(kind) {
        let Some(new_entry) = new.entry(kind, name) else {
            push(Some(name), gone.0, ClientToServer, gone.1.to_owned());
            continue;
        };
        compare(&mut Entry {
            name,
            old: old_entry,
            new: new_entry,
            push,
        });
    }
}
