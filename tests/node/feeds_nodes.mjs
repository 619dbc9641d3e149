// Subscribers of the board's tasks feed on three nodes, for the fault tests of feeds across
// nodes: for every committed change and every live matching subscriber, counts duplicates,
// losses and changes out of order.
//   node feeds_nodes.mjs <url0> <url1> <url2>
// Two subscribers start on each node (every task, and `doing` ones), each failing over to
// the next nodes. Prints "ready" once all hold their snapshot, then waits for "done" on
// stdin (the last task is committed and published), lets every subscriber catch up with
// the database, prints the counts as one JSON line and checks them: 0 duplicates, 0 lost,
// order kept, where a resync (a fresh snapshot) stands for the changes it replaces.
import { createInterface } from "node:readline";
import { assert } from "./lib.mjs";
import { connectBoard } from "./generated/board.js";

const urls = process.argv.slice(2, 5);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function connected(client) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no connect within 15 s")), 15000);
    client.socket.once("connect", () => { clearTimeout(timer); resolve(client); });
  });
}

const subscribers = [];
for (let node = 0; node < 3; node++) {
  for (const filter of [{}, { status: "doing" }]) {
    const order = [0, 1, 2].map((i) => urls[(node + i) % 3]);
    const client = await connected(connectBoard(order, { auth: { workspace: 10, name: `s${node}` }, socket: { forceNew: true } }));
    const live = await client.tasks.subscribe(filter);
    const sub = { node, filter, client, live, events: [], failovers: 0, ends: [], initial: new Set(live.items.keys()), offset: BigInt(live.offset) };
    live.on((change) => sub.events.push({ change }));
    live.onResync((items) => sub.events.push({ resync: [...items.keys()], offset: BigInt(live.offset) }));
    live.onEnd((reason) => sub.ends.push(reason));
    client.onFailover(() => sub.failovers++);
    subscribers.push(sub);
  }
}
process.stdout.write("ready\n");
assert.equal((await lines.next()).value, "done");

const keysOf = (tasks) => new Set(tasks.map((task) => task.id));
const same = (a, b) => a.size === b.size && [...a].every((key) => b.has(key));
// The database, as any live node lists it; each subscriber's own view of it.
const truths = await Promise.all(subscribers.map((sub) => sub.client.list(sub.filter).then(keysOf)));
for (let i = 0; i < 400 && !subscribers.every((sub, n) => same(new Set(sub.live.items.keys()), truths[n])); i++) {
  await new Promise((resolve) => setTimeout(resolve, 25));
}

const counts = { subscribers: subscribers.length, expected: 0, delivered: 0, duplicates: 0, lost: 0, outOfOrder: 0, resyncs: 0, failovers: 0, converged: 0, ended: 0 };
subscribers.forEach((sub, n) => {
  const received = new Set();
  const changed = new Set();
  let offset = sub.offset;
  let lastKey = -1;
  for (const event of sub.events) {
    if (event.resync) {
      counts.resyncs++;
      event.resync.forEach((key) => received.add(key));
      // A snapshot may already reflect changes that follow it (they apply as "set"), so
      // only offsets, not keys, order what follows it.
      offset = event.offset;
      continue;
    }
    const { change } = event;
    const at = BigInt(change.offset);
    if (at <= offset || change.key <= lastKey) counts.outOfOrder++;
    offset = at;
    lastKey = Math.max(lastKey, change.key);
    if (change.action !== "added") continue;
    counts.delivered++;
    if (changed.has(change.key)) counts.duplicates++;
    changed.add(change.key);
    received.add(change.key);
  }
  const expected = [...truths[n]].filter((key) => !sub.initial.has(key));
  counts.expected += expected.length;
  counts.lost += expected.filter((key) => !received.has(key)).length;
  counts.failovers += sub.failovers;
  counts.ended += sub.ends.length;
  if (same(new Set(sub.live.items.keys()), truths[n])) counts.converged++;
});
process.stdout.write(`counts ${JSON.stringify(counts)}\n`);
assert.equal(counts.duplicates, 0, "no change delivered twice");
assert.equal(counts.lost, 0, "no committed change lost");
assert.equal(counts.outOfOrder, 0, "changes in offset order");
assert.equal(counts.ended, 0, "no subscription ended");
assert.equal(counts.converged, counts.subscribers, "every live collection equals the database");
for (const sub of subscribers) sub.client.close();
process.exit(0);
