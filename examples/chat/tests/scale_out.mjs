// Three chat nodes sharing rooms through Redis (argv[2..4] are their URLs): presence and
// messages reach every member on every node exactly once, in each sender's order.
import { assert } from "../../../tests/node/lib.mjs";
import { connectChat } from "../web/generated/chat.js";

const urls = process.argv.slice(2, 5);
const perSender = Number(process.argv[5] ?? 1000);
const connected = (client) =>
  new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
const open = (url, user) => connected(connectChat(url, { auth: { user }, socket: { forceNew: true, reconnection: false, transports: ["websocket"] } }));
const names = ["ada", "bob", "eve"];
const clients = await Promise.all(names.map((name, i) => open(urls[i], name)));

// Presence crosses nodes: each join is announced to the members already on other nodes.
const seen = clients.map(() => []);
clients.forEach((client, i) => client.on.presence((p) => seen[i].push(`${p.user} ${p.kind}`)));
// (The join answer lists the members of every node: the chat keeps them in Redis.)
for (const client of clients) await client.join({ room: "lobby" });

// Every message reaches every member (sender included) exactly once, in sender order.
const received = clients.map(() => []);
clients.forEach((client, i) => client.on.message((m) => received[i].push(m)));
const started = performance.now();
// Each sender keeps up to 32 sends in flight; the contract is `ordered`, so the server
// still handles each sender's messages in the order they were sent.
const window = 32;
await Promise.all(
  clients.map(async (client, i) => {
    const inFlight = new Set();
    for (let n = 0; n < perSender; n++) {
      const sent = client.send({ room: "lobby", text: `${names[i]} ${n}` }, { timeoutMs: 30_000 });
      inFlight.add(sent);
      sent.finally(() => inFlight.delete(sent));
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }),
);
const total = perSender * clients.length;
const deadline = Date.now() + 30_000;
while (received.some((r) => r.length < total) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const seconds = (performance.now() - started) / 1000;
for (const [i, messages] of received.entries()) {
  assert.equal(messages.length, total, `${names[i]} got ${messages.length} of ${total}`);
  assert.equal(new Set(messages.map((m) => m.id)).size, total, `${names[i]} got duplicates`);
  for (const sender of names) {
    const order = messages.filter((m) => m.user === sender).map((m) => Number(m.text.split(" ")[1]));
    assert.deepEqual(order, [...Array(perSender).keys()], `${sender}'s messages out of order for ${names[i]}`);
  }
}
assert.deepEqual(seen[0].slice(0, 2), ["bob joined", "eve joined"]);
console.log(`scale_out: ok — ${total} acked messages over 3 nodes, each delivered to 3 members exactly once, in ${seconds.toFixed(1)} s`);
for (const client of clients) client.close();
