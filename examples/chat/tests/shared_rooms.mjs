// Rooms span the nodes (argv: three chat URLs, then the PID of the first node, which this
// script kills): member lists and capacity count every node's members, and when a node
// dies its members are announced as gone, exactly once, and free their places.
import { assert } from "../../../tests/node/lib.mjs";
import { connectChat } from "../web/generated/chat.js";

const [urls, pid] = [process.argv.slice(2, 5), Number(process.argv[5])];
const connected = (client) =>
  new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
const open = (url, user) => connected(connectChat(url, { auth: { user }, socket: { forceNew: true, reconnection: false, transports: ["websocket"] } }));
const within = (ms, what, promise) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);

// The room holds 3 (CHAT_CAPACITY): ada on node 1, bob on node 2, carl and dave on node 3.
const t0 = performance.now();
const ada = await open(urls[0], "ada");
const bob = await open(urls[1], "bob");
const carl = await open(urls[2], "carl");
const dave = await open(urls[2], "dave");
assert.deepEqual((await ada.join({ room: "lobby" })).members, ["ada"]);
assert.deepEqual((await bob.join({ room: "lobby" })).members, ["ada", "bob"]);
assert.deepEqual((await carl.join({ room: "lobby" })).members, ["ada", "bob", "carl"]);
const full = await dave.join({ room: "lobby" }).catch((error) => error.error);
assert.deepEqual(full, { code: "roomFull", room: "lobby", capacity: 3 }, "the capacity counts every node's members");

const left = [[], []];
[bob, carl].forEach((client, i) => client.on.presence((p) => { if (p.kind === "left") left[i].push(p.user); }));
const killedAt = performance.now();
process.kill(pid); // node 1, ada's, dies without saying goodbye
await within(10_000, "\"ada left\" at both survivors", new Promise((resolve) => {
  const timer = setInterval(() => { if (left[0].length && left[1].length) { clearInterval(timer); resolve(); } }, 20);
}));
console.log(`left noticed after ${Math.round(performance.now() - killedAt)} ms`);
// Both survivors watch for dead nodes: wait several heartbeats for a second announcement.
await new Promise((resolve) => setTimeout(resolve, 1500));
assert.deepEqual(left, [["ada"], ["ada"]], "announced exactly once, to every member");

// Ada's place is free again, on every node.
assert.deepEqual((await dave.join({ room: "lobby" })).members, ["bob", "carl", "dave"]);
for (const client of [bob, carl, dave]) client.close();
console.log(`shared_rooms: ok in ${Math.round(performance.now() - t0)} ms`);
