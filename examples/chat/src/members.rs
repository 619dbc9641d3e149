//! Who is in which room: kept in this process on one node, or shared by every node
//! through Redis so that member lists and room capacity span the nodes, and members of a
//! node that dies are announced as gone.
//!
//! Shared state, in Redis (keys under `chat:`):
//! - `chat:room:<room>`, a hash: one field `<node>/<socket>` per member, the user's name as
//!   its value. Joining checks the capacity and adds the field in one script, so two nodes
//!   cannot both take the last place.
//! - `chat:node:<node>:rooms`, a set: the rooms where the node has (or had) members.
//! - `chat:node:<node>:alive`, a key the node renews every third of its lifetime; it expires
//!   when the node dies.
//! - `chat:nodes`, a set of the nodes.
//!
//! Every node looks for nodes whose `alive` key has expired. Removing such a node from
//! `chat:nodes` is the claim: the script that does it also removes the node's members and
//! returns them, all atomically, so exactly one survivor gets them and announces "left".
//! Sockets belong to one node, so whether a socket is in a room is answered from this
//! node's own map, without a round trip.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use eventwire::{Emitter, ServerAdapter, Sid, SocketIo};
use redis::aio::ConnectionManager;

use crate::contract::{Chat, Presence, PresenceKind};

/// Members of a room: user name per socket.
type Room = HashMap<Sid, String>;

/// The rooms and their members.
pub struct Members {
    /// This node's sockets in each room.
    local: Mutex<HashMap<String, Room>>,
    /// Every node's members, when the chat runs on several.
    shared: Option<Shared>,
}

/// The room is full.
#[derive(Debug)]
pub struct Full;

/// Redis failed; the client gets `unavailable`.
#[derive(Debug)]
pub struct Unavailable(pub redis::RedisError);

impl From<redis::RedisError> for Unavailable {
    fn from(error: redis::RedisError) -> Self {
        Self(error)
    }
}

struct Shared {
    conn: ConnectionManager,
    node: String,
    lifetime: Duration,
}

/// Adds a member unless the room is full; answers the members' names, or nil when full.
/// KEYS: the room's hash, the node's rooms. ARGV: field, user, capacity, room.
const JOIN: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return false end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[4])
end
return redis.call('HVALS', KEYS[1])
";

/// Claims a dead node and removes its members; answers `room, user, room, user, ...`, or
/// nothing when the node is alive or another node claimed it first.
/// KEYS: `chat:nodes`, the node's `alive` key, the node's rooms. ARGV: the node.
const REAP: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return {} end
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return {} end
local gone = {}
local prefix = ARGV[1] .. '/'
for _, room in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local key = 'chat:room:' .. room
  local entries = redis.call('HGETALL', key)
  for i = 1, #entries, 2 do
    if string.sub(entries[i], 1, #prefix) == prefix then
      redis.call('HDEL', key, entries[i])
      table.insert(gone, room)
      table.insert(gone, entries[i + 1])
    end
  end
end
redis.call('DEL', KEYS[3])
return gone
";

fn room_key(room: &str) -> String {
    format!("chat:room:{room}")
}

fn rooms_key(node: &str) -> String {
    format!("chat:node:{node}:rooms")
}

fn alive_key(node: &str) -> String {
    format!("chat:node:{node}:alive")
}

impl Members {
    /// Rooms of this process only (one node).
    pub fn local() -> Self {
        Self {
            local: Mutex::default(),
            shared: None,
        }
    }

    /// Rooms shared by every node using the Redis at `url`. A node that stops renewing its
    /// heartbeat for `lifetime` is taken as dead, and its members as gone.
    pub async fn redis(url: &str, lifetime: Duration) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let mut conn = ConnectionManager::new(client).await?;
        let id: u64 = redis::cmd("INCR")
            .arg("chat:node-seq")
            .query_async(&mut conn)
            .await?;
        let members = Self {
            local: Mutex::default(),
            shared: Some(Shared {
                conn,
                node: format!("n{id}"),
                lifetime,
            }),
        };
        members.beat().await?;
        Ok(members)
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<String, Room>> {
        self.local.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds the socket to `room` unless it holds `capacity` members already; answers the
    /// members' names, sorted.
    pub async fn join(
        &self,
        room: &str,
        socket: Sid,
        user: &str,
        capacity: u32,
    ) -> Result<Result<Vec<String>, Full>, Unavailable> {
        let mut names = match &self.shared {
            None => {
                let mut rooms = self.rooms();
                let members = rooms.entry(room.to_owned()).or_default();
                if !members.contains_key(&socket) && members.len() >= capacity as usize {
                    return Ok(Err(Full));
                }
                members.insert(socket, user.to_owned());
                members.values().cloned().collect()
            }
            Some(shared) => {
                let names: Option<Vec<String>> = redis::cmd("EVAL")
                    .arg(JOIN)
                    .arg(2)
                    .arg(room_key(room))
                    .arg(rooms_key(&shared.node))
                    .arg(shared.field(socket))
                    .arg(user)
                    .arg(capacity)
                    .arg(room)
                    .query_async(&mut shared.conn.clone())
                    .await?;
                let Some(names) = names else {
                    return Ok(Err(Full));
                };
                self.rooms()
                    .entry(room.to_owned())
                    .or_default()
                    .insert(socket, user.to_owned());
                names
            }
        };
        names.sort();
        Ok(Ok(names))
    }

    /// Whether the socket (of this node) is in `room`.
    pub fn contains(&self, room: &str, socket: Sid) -> bool {
        self.rooms()
            .get(room)
            .is_some_and(|members| members.contains_key(&socket))
    }

    /// The rooms the socket is in.
    pub fn rooms_of(&self, socket: Sid) -> Vec<String> {
        self.rooms()
            .iter()
            .filter(|(_, members)| members.contains_key(&socket))
            .map(|(room, _)| room.clone())
            .collect()
    }

    /// Removes the socket from `room`; `true` if it was a member.
    pub async fn leave(&self, room: &str, socket: Sid) -> Result<bool, Unavailable> {
        let removed = {
            let mut rooms = self.rooms();
            let Some(members) = rooms.get_mut(room) else {
                return Ok(false);
            };
            let removed = members.remove(&socket).is_some();
            if members.is_empty() {
                rooms.remove(room);
            }
            removed
        };
        if removed && let Some(shared) = &self.shared {
            let _: u32 = redis::cmd("HDEL")
                .arg(room_key(room))
                .arg(shared.field(socket))
                .query_async(&mut shared.conn.clone())
                .await?;
        }
        Ok(removed)
    }

    /// With shared rooms, renews this node's heartbeat and announces the members of dead
    /// nodes as gone, until the process ends. Does nothing on one node.
    pub fn watch_nodes<A: ServerAdapter>(self: &Arc<Self>, io: SocketIo<A>) {
        if self.shared.is_none() {
            return;
        }
        let members = Arc::downgrade(self);
        tokio::spawn(async move {
            // The namespace exists once the adapter has subscribed, shortly after start.
            let mut emitter = None;
            loop {
                let Some(members) = members.upgrade() else {
                    return;
                };
                let Some(shared) = &members.shared else {
                    return;
                };
                let period = shared.lifetime / 3;
                if let Err(error) = members.beat().await {
                    tracing::warn!(%error, "cannot renew this node's heartbeat in redis");
                }
                if emitter.is_none() {
                    emitter = Emitter::<Chat>::new(&io);
                }
                match &emitter {
                    // Not before the namespace exists: the claim would take members nobody
                    // could be told about.
                    None => {}
                    Some(emitter) => match shared.reap().await {
                        Ok(gone) => {
                            for (room, user) in gone {
                                let presence = Presence {
                                    room: room.clone(),
                                    user,
                                    kind: PresenceKind::Left,
                                };
                                // A client that cannot keep up misses a presence notice.
                                let _ = emitter.to(room).emit(Chat::presence(presence)).await;
                            }
                        }
                        Err(error) => tracing::warn!(%error, "cannot look for dead nodes in redis"),
                    },
                }
                drop(members);
                tokio::time::sleep(period).await;
            }
        });
    }

    /// Renews the heartbeat; if another node took this one for dead meanwhile (it was
    /// paused beyond its lifetime), puts its members back.
    async fn beat(&self) -> Result<(), redis::RedisError> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        let mut conn = shared.conn.clone();
        let (added,): (u32,) = redis::pipe()
            .cmd("SET")
            .arg(alive_key(&shared.node))
            .arg(1)
            .arg("PX")
            .arg(shared.lifetime.as_millis() as u64)
            .ignore()
            .cmd("SADD")
            .arg("chat:nodes")
            .arg(&shared.node)
            .query_async(&mut conn)
            .await?;
        if added == 1 {
            let members: Vec<(String, Sid, String)> = self
                .rooms()
                .iter()
                .flat_map(|(room, members)| {
                    members
                        .iter()
                        .map(|(socket, user)| (room.clone(), *socket, user.clone()))
                })
                .collect();
            if !members.is_empty() {
                tracing::warn!(
                    node = shared.node,
                    "this node was taken for dead; putting its members back"
                );
            }
            for (room, socket, user) in members {
                redis::pipe()
                    .cmd("HSET")
                    .arg(room_key(&room))
                    .arg(shared.field(socket))
                    .arg(user)
                    .ignore()
                    .cmd("SADD")
                    .arg(rooms_key(&shared.node))
                    .arg(&room)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await?;
            }
        }
        Ok(())
    }
}

impl Shared {
    fn field(&self, socket: Sid) -> String {
        format!("{}/{socket}", self.node)
    }

    /// Claims every dead node and answers the `(room, user)` pairs it had.
    async fn reap(&self) -> Result<Vec<(String, String)>, redis::RedisError> {
        let mut conn = self.conn.clone();
        let nodes: Vec<String> = redis::cmd("SMEMBERS")
            .arg("chat:nodes")
            .query_async(&mut conn)
            .await?;
        let mut gone = Vec::new();
        for node in nodes.iter().filter(|node| **node != self.node) {
            let pairs: Vec<String> = redis::cmd("EVAL")
                .arg(REAP)
                .arg(3)
                .arg("chat:nodes")
                .arg(alive_key(node))
                .arg(rooms_key(node))
                .arg(node)
                .query_async(&mut conn)
                .await?;
            if !pairs.is_empty() {
                tracing::info!(
                    node,
                    members = pairs.len() / 2,
                    "a node died; its members left"
                );
            }
            let mut pairs = pairs.into_iter();
            while let (Some(room), Some(user)) = (pairs.next(), pairs.next()) {
                gone.push((room, user));
            }
        }
        Ok(gone)
    }
}
