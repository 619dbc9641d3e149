//! eventwire's flagship example: a chat with rooms, history, presence and typing notices,
//! declared once as an eventwire contract ([`contract::Chat`]) and served by [`ChatApp`].

pub mod contract;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use eventwire::Cx;

use crate::contract::*;

/// Messages kept per room and sent to whoever joins.
const HISTORY: usize = 50;

/// The chat's handlers and state, shared by every socket.
pub struct ChatApp {
    capacity: u32,
    rooms: Mutex<HashMap<String, Room>>,
}

impl ChatApp {
    /// A chat whose rooms hold at most `capacity` members.
    pub fn new(capacity: u32) -> Self {
        Self {
            capacity,
            rooms: Mutex::default(),
        }
    }
}

#[derive(Default)]
struct Room {
    /// Member name per socket id.
    members: HashMap<String, String>,
    history: VecDeque<ChatMessage>,
    next_id: u64,
}

/// Until handshake auth lands, a socket's user name is derived from its id.
fn user_of(cx: &Cx<Chat>) -> String {
    format!("guest-{}", &cx.id().to_string()[..6])
}

impl ChatApp {
    fn member_of(&self, cx: &Cx<Chat>, room: &str) -> Result<String, ChatError> {
        let rooms = self.rooms.lock().expect("not poisoned");
        rooms
            .get(room)
            .and_then(|r| r.members.get(&cx.id().to_string()).cloned())
            .ok_or_else(|| ChatError::NotInRoom {
                room: room.to_owned(),
            })
    }
}

impl ChatHandlers for ChatApp {
    async fn join(&self, cx: &Cx<Chat>, req: RoomRef) -> Result<Joined, ChatError> {
        let user = user_of(cx);
        let joined = {
            let mut rooms = self.rooms.lock().expect("not poisoned");
            let room = rooms.entry(req.room.clone()).or_default();
            if room.members.len() >= self.capacity as usize
                && !room.members.contains_key(&cx.id().to_string())
            {
                return Err(ChatError::RoomFull {
                    room: req.room,
                    capacity: self.capacity,
                });
            }
            room.members.insert(cx.id().to_string(), user.clone());
            let mut members: Vec<String> = room.members.values().cloned().collect();
            members.sort();
            Joined {
                room: req.room.clone(),
                members,
                history: room.history.iter().cloned().collect(),
            }
        };
        cx.join(&req.room);
        let presence = Presence {
            room: req.room.clone(),
            user,
            kind: PresenceKind::Joined,
        };
        let _ = cx.to(&req.room).emit(Chat::presence(presence)).await;
        Ok(joined)
    }

    async fn leave(&self, cx: &Cx<Chat>, req: RoomRef) -> Result<(), ChatError> {
        let user = self.member_of(cx, &req.room)?;
        if let Some(room) = self.rooms.lock().expect("not poisoned").get_mut(&req.room) {
            room.members.remove(&cx.id().to_string());
        }
        cx.leave(&req.room);
        let presence = Presence {
            room: req.room.clone(),
            user,
            kind: PresenceKind::Left,
        };
        let _ = cx.to(&req.room).emit(Chat::presence(presence)).await;
        Ok(())
    }

    async fn send(&self, cx: &Cx<Chat>, req: SendMessage) -> Result<Sent, ChatError> {
        let user = self.member_of(cx, &req.room)?;
        let sent_at = now_rfc3339();
        let message = {
            let mut rooms = self.rooms.lock().expect("not poisoned");
            let room = rooms.entry(req.room.clone()).or_default();
            room.next_id += 1;
            let message = ChatMessage {
                id: room.next_id.to_string(),
                room: req.room.clone(),
                user,
                text: req.text,
                sent_at: sent_at.clone(),
            };
            room.history.push_back(message.clone());
            if room.history.len() > HISTORY {
                room.history.pop_front();
            }
            message
        };
        let id = message.id.clone();
        let _ = cx.within(&req.room).emit(Chat::message(message)).await;
        Ok(Sent { id, sent_at })
    }

    async fn typing(&self, cx: &Cx<Chat>, req: RoomRef) {
        if let Ok(user) = self.member_of(cx, &req.room) {
            let _ = cx
                .to(&req.room)
                .emit(Chat::user_typing(UserTyping {
                    room: req.room,
                    user,
                }))
                .await;
        }
    }
}

/// Seconds since the epoch as RFC 3339 (UTC), without a date-time dependency.
fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
