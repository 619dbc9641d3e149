// Every event of the chat contract, and every error, through the generated client.
import { assert, url } from "../../../tests/node/lib.mjs";
import { AppError, FaultError, chatFingerprint, connectChat } from "../web/generated/chat.js";

function connected(client) {
  return new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
}
const options = { socket: { forceNew: true, reconnection: false } };
const open = (user) => connected(connectChat(url, { ...options, auth: { user } }));
function next(subscribe) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no event within 5 s")), 5000);
    const stop = subscribe((payload) => { clearTimeout(timer); stop(); resolve(payload); });
  });
}

// Handshake auth: missing or invalid is refused with a clear connect_error.
await assert.rejects(connected(connectChat(url, options)), { message: "auth is required" });
await assert.rejects(open(""), { message: "invalid auth: user: must be between 1 and 24 characters long" });
await assert.rejects(open("x".repeat(25)), { message: "invalid auth: user: must be between 1 and 24 characters long" });

const [ada, bob, eve] = await Promise.all([open("ada"), open("bob"), open("eve")]);

// join: members and history; presence to the others.
const adaJoined = await ada.join({ room: "lobby" });
assert.equal(adaJoined.room, "lobby");
assert.deepEqual(adaJoined.members, ["ada"]);
assert.deepEqual(adaJoined.history, []);
const presence = next(ada.on.presence);
const bobJoined = await bob.join({ room: "lobby" });
assert.deepEqual(bobJoined.members, ["ada", "bob"]);
assert.deepEqual(await presence, { room: "lobby", user: "bob", kind: "joined" });

// roomFull, with the capacity.
const full = await eve.join({ room: "lobby" }).catch((e) => e);
assert.ok(full instanceof AppError, String(full));
assert.deepEqual(full.error, { code: "roomFull", room: "lobby", capacity: 2 });

// Invalid room names are faults with the path.
const invalid = await eve.join({ room: "Not Valid!" }).catch((e) => e);
assert.ok(invalid instanceof FaultError, String(invalid));
assert.deepEqual(invalid.fault.issues.map((i) => [i.path.join("."), i.code]), [["room", "pattern"]]);

// send: a receipt; the message to everyone in the room, sender included.
const toAda = next(ada.on.message);
const toBob = next(bob.on.message);
const sent = await ada.send({ room: "lobby", text: "hello" });
assert.match(sent.sentAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const message = await toAda;
assert.deepEqual(message, { id: sent.id, room: "lobby", user: "ada", text: "hello", sentAt: sent.sentAt });
assert.deepEqual(await toBob, message);

// History is sent to whoever joins later.
await bob.leave({ room: "lobby" });
const rejoined = await bob.join({ room: "lobby" });
assert.deepEqual(rejoined.history.map((m) => m.text), ["hello"]);

// Text limits and notInRoom.
const long = await ada.send({ room: "lobby", text: "x".repeat(2001) }).catch((e) => e);
assert.equal(long.fault.issues[0].code, "length");
const outside = await eve.send({ room: "lobby", text: "hi" }).catch((e) => e);
assert.deepEqual(outside.error, { code: "notInRoom", room: "lobby" });
const notMember = await eve.leave({ room: "lobby" }).catch((e) => e);
assert.deepEqual(notMember.error, { code: "notInRoom", room: "lobby" });

// typing: to the others in the room, not the typist.
const typing = next(bob.on.typing);
ada.typing({ room: "lobby" });
assert.deepEqual(await typing, { room: "lobby", user: "ada" });

// leave: presence "left" to the others.
const left = next(ada.on.presence);
await bob.leave({ room: "lobby" });
assert.deepEqual(await left, { room: "lobby", user: "bob", kind: "left" });

// A member who disconnects is announced as left too.
const eveJoined = next(ada.on.presence);
await eve.join({ room: "lobby" });
assert.deepEqual(await eveJoined, { room: "lobby", user: "eve", kind: "joined" });
const gone = next(ada.on.presence);
eve.close();
assert.deepEqual(await gone, { room: "lobby", user: "eve", kind: "left" });

for (const client of [ada, bob]) client.close();

// The contract as AsyncAPI, served next to the page, with the fingerprint the client sends.
const response = await fetch(`${url}/asyncapi.json`);
assert.equal(response.headers.get("content-type"), "application/json");
const asyncapi = await response.json();
assert.equal(asyncapi.asyncapi, "3.0.0");
assert.equal(asyncapi.channels.Chat.address, "/chat");
assert.equal(asyncapi.channels.Chat["x-eventwire-fingerprint"], chatFingerprint);
console.log("chat: ok");
