// Connection state recovery with the real socket.io-client: the three lines the generated
// client runs (and any socket.io-client app can) hand the server's `pid` to socket.io-client,
// whose own mechanism then tracks offsets and claims the session back on reconnect.
import { io } from "socket.io-client";
import { url, connect, ack as call, assert } from "./lib.mjs";

// The handler's answer (every ack is `{ ok, data }`).
const ack = async (...args) => {
  const response = await call(...args);
  assert.equal(response.ok, true, JSON.stringify(response));
  return response.data;
};

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function subscriber(options = {}) {
  const socket = io(url + "/news", { forceNew: true, reconnection: false, ...options });
  socket.on("eventwire:recovery", ({ pid, recovered, offset }) => {
    socket._pid = pid;
    socket._lastOffset = offset;
    socket.recovered = recovered;
  });
  socket.items = [];
  socket.on("item", (item, offset) => socket.items.push({ text: item.text, offset }));
  return socket;
}

// Resolves with `recovered` once the server's greeting has arrived (the first event after
// the CONNECT reply: socketioxide cannot put the pid in the reply itself).
function connected(socket) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connect timed out")), 5000);
    socket.once("eventwire:recovery", ({ recovered }) => { clearTimeout(timer); resolve(recovered); });
    socket.once("connect_error", (error) => { clearTimeout(timer); reject(error); });
  });
}

// Drops the transport as a network failure would (the server sees a transport close).
async function drop(socket) {
  const gone = new Promise((resolve) => socket.once("disconnect", resolve));
  socket.io.engine.close();
  await gone;
  // Let the server see it before publishing.
  await wait(150);
}

async function reconnect(socket) {
  const recovered = connected(socket);
  socket.connect();
  return recovered;
}

const texts = (socket) => socket.items.map((i) => i.text);
const publisher = await connect("/news");
const publish = (room, text, kind) => ack(publisher, "publish", { room, text, kind });

// A first connection is a new session.
const a = subscriber();
assert.equal(await connected(a), false);
assert.match(a._pid, /^[0-9a-f]{32}$/);
assert.equal(await ack(a, "join", { room: "r1" }), true);
await publish("r1", "one", "plain");
await wait(100);
assert.deepEqual(texts(a), ["one"]);
assert.equal(typeof a.items[0].offset, "string", "a recorded event carries its offset last");

// A short drop: the missed plain events come back in order, acked and volatile ones do not,
// nor events for rooms it was not in; the greeting says it recovered before they arrive.
const pid = a._pid;
await drop(a);
await publish("r1", "two", "plain");
await publish("r1", "volatile", "volatile");
await publish("r1", "asked", "acked");
await publish("r2", "elsewhere", "plain");
await publish("", "three", "everyone");
await publish("", "announced", "announce");
await publish("r1", "four", "plain");
const greeted = [];
a.once("eventwire:recovery", () => greeted.push(a.items.length));
assert.equal(await reconnect(a), true);
await wait(100);
assert.deepEqual(greeted, [1], "the greeting comes before the missed events");
assert.equal(a._pid, pid, "the session keeps its id");
assert.deepEqual(texts(a), ["one", "two", "three", "announced", "four"]);
const offsets = a.items.map((i) => i.offset);
assert.deepEqual([...offsets].sort((x, y) => Number(x.split("-")[1]) - Number(y.split("-")[1])), offsets);
assert.equal(await ack(a, "recovered"), true, "the server's Cx::recovered agrees");
// Rooms are back: a live event to r1 arrives, once.
await publish("r1", "five", "plain");
await wait(100);
assert.deepEqual(texts(a), ["one", "two", "three", "announced", "four", "five"]);

// A drop with nothing missed recovers with nothing replayed.
await drop(a);
a.items = [];
assert.equal(await reconnect(a), true);
await wait(100);
assert.deepEqual(texts(a), []);

// A stale claim: the pid of a session that is connected again (not parked) recovers nothing.
const stale = subscriber({ auth: { pid: a._pid, offset: a._lastOffset } });
assert.equal(await connected(stale), false);
assert.notEqual(stale._pid, a._pid);
// A forged pid, and a forged offset with a real-looking pid, recover nothing either.
await drop(a);
await publish("r1", "secret", "plain");
const forged = subscriber({ auth: { pid: "0".repeat(32), offset: a._lastOffset } });
assert.equal(await connected(forged), false);
const badOffset = subscriber({ auth: { pid: a._pid, offset: "0000000000000000-0" } });
assert.equal(await connected(badOffset), false);
await wait(100);
assert.deepEqual(texts(forged), []);
assert.deepEqual(texts(badOffset), []);
// The owner still recovers its session, with the event the forged claims did not get.
a.items = [];
assert.equal(await reconnect(a), true);
assert.deepEqual(texts(a), ["secret"]);

// Past the window (2 s on this server): not recovered, nothing replayed, rooms not back.
assert.equal(await ack(a, "join", { room: "r1" }), true);
await drop(a);
await publish("r1", "late", "plain");
await wait(2300);
a.items = [];
assert.equal(await reconnect(a), false);
await publish("r1", "after", "plain");
await wait(150);
assert.deepEqual(texts(a), []);

// An event to the socket alone (`cx.emit`) is recorded too: it carries an offset.
const own = subscriber();
await connected(own);
await ack(own, "publish", { room: "", text: "mine", kind: "toSelf" });
await wait(100);
assert.deepEqual(texts(own), ["mine"]);
assert.equal(typeof own.items[0].offset, "string");

for (const s of [a, stale, forged, badOffset, own, publisher]) s.close();
console.log("recovery: recovered after a short drop, refused after the window and for forged or stale claims");
