// Three nodes sharing a Redis Cluster (argv[2..4]): a room broadcast with `except` reaches
// the room's members on every node exactly once and in order; the sender, the excepted
// room and outsiders get nothing.
import { ack, silence, settled, assert, connectTo } from "./lib.mjs";

const urls = process.argv.slice(2, 5);
// Each client connects to a given node.
const open = (url) => connectTo(url, "/lab", { transports: ["websocket"] });
const [sender, one, two, three, muted, outsider] = await Promise.all(
  [0, 0, 1, 2, 1, 2].map((n) => open(urls[n])),
);
for (const s of [sender, one, two, three, muted]) {
  assert.equal((await ack(s, "join", { room: "red" })).ok, true);
}
assert.deepEqual(await ack(muted, "join", { room: "muted" }), { ok: true, data: ["muted", "red"] });

const heard = new Map([[one, []], [two, []], [three, []]]);
for (const [s, texts] of heard) s.on("shouted", (shout) => texts.push(shout.text));
const quiet = Promise.all([sender, muted, outsider].map((s) => silence(s, "shouted", 1500)));

const count = 50;
const expected = Array.from({ length: count }, (_, n) => `shout ${n}`);
for (const text of expected) {
  assert.deepEqual(await ack(sender, "shout", { room: "red", except: ["muted"], text }), { ok: true, data: true });
}
// Each member's copies travel through the cluster after the sender's ack: wait for them
// (a loaded machine can take longer than the quiet window), then still for any duplicate.
await settled(() => [...heard.values()].every((texts) => texts.length >= count));
await quiet;
await new Promise((resolve) => setTimeout(resolve, 300));
for (const [, texts] of heard) assert.deepEqual(texts, expected);

for (const s of [sender, one, two, three, muted, outsider]) s.close();
console.log(`cluster_rooms: ${count} shouts reached 3 members on 3 nodes exactly once`);
