// Three nodes sharing one Redis (argv[2..4]): typed emit-with-ack across nodes gathers every
// answer and times out one that never comes; a room's sockets are counted and disconnected
// on every node.
import { ack, assert, connectTo } from "./lib.mjs";

const urls = process.argv.slice(2, 5);
// Each client connects to a given node.
const open = (url) => connectTo(url, "/lab", { transports: ["websocket"] });
const [asker, bob, eve, mute] = await Promise.all([open(urls[0]), open(urls[1]), open(urls[2]), open(urls[2])]);
bob.on("question", (q, reply) => reply({ text: `bob on node 2: ${q.text}` }));
eve.on("question", (q, reply) => reply({ text: `eve on node 3: ${q.text}` }));
mute.on("question", () => {}); // never answers

const poll = await ack(asker, "poll", { text: "hi", timeout_ms: 1000 });
assert.deepEqual(poll, {
  ok: true,
  data: { answers: ["bob on node 2: hi", "eve on node 3: hi"], timed_out: 1 },
});

// A room's members on other nodes are counted and disconnected.
for (const s of [bob, eve]) assert.equal((await ack(s, "join", { room: "doomed" })).ok, true);
const gone = Promise.all([bob, eve].map((s) => new Promise((resolve) => s.once("disconnect", resolve))));
assert.deepEqual(await ack(asker, "kick", { room: "doomed" }), { ok: true, data: 2 });
assert.deepEqual(await gone, ["io server disconnect", "io server disconnect"]);
assert.equal(mute.connected, true);

for (const s of [asker, mute]) s.close();
console.log("multi_node: ok");
