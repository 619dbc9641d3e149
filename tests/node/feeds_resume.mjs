// The generated client resumes its live collections after a lost connection:
//   node feeds_resume.mjs <url> resume   the missed changes replay, in order, exactly once
//   node feeds_resume.mjs <url> short    the server's history is too short: a resync
//   node feeds_resume.mjs <url> restart  the server restarts (a new epoch): a resync; the
//                                        program prints "restart" and waits for a line on
//                                        stdin saying the new server listens
import { createInterface } from "node:readline";
import { assert, settled, url } from "./lib.mjs";
import { connectBoard } from "./generated/board.js";

const mode = process.argv[3];

function connected(client) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no connect within 5 s")), 5000);
    client.socket.once("connect", () => { clearTimeout(timer); resolve(client); });
  });
}
// Reconnection is driven by hand (`socket.connect()`), so that changes are published
// while the client is surely away.
const member = (name) =>
  connected(connectBoard(url, { auth: { workspace: 10, name }, socket: { forceNew: true, reconnection: false } }));
const settle = async (what, check) => {
  await settled(check, 5000);
  assert.ok(check(), `settled in time: ${what}`);
};
const sorted = (map) => [...map.entries()].sort(([a], [b]) => a - b);
const truth = async (client, filter = {}) => new Map((await client.list(filter)).map((task) => [task.id, task]));
const drop = (client) => new Promise((resolve) => {
  client.socket.once("disconnect", resolve);
  client.socket.io.engine.close();
});
const reconnect = (client) => {
  const back = connected(client);
  client.socket.connect();
  return back;
};

const task = (id, status = "todo") => ({ id, status, assignee: "ann", priority: 3, title: `task ${id}` });

const ann = await member("ann");
const writer = await member("carl");
for (const id of [1, 2, 3]) await writer.create(task(id));

const all = await ann.tasks.subscribe();
const doing = await ann.tasks.subscribe({ status: "doing" });
const seen = [];
const seenDoing = [];
const resyncs = [];
all.on((change) => seen.push([change.action, change.key, change.offset]));
doing.on((change) => seenDoing.push([change.action, change.key]));
all.onResync((items) => resyncs.push(["all", items.size]));
doing.onResync((items) => resyncs.push(["doing", items.size]));
const ends = [];
all.onEnd((reason) => ends.push(reason));
doing.onEnd((reason) => ends.push(reason));

// One change while connected, to hold an offset past the snapshot's.
await writer.move({ id: 1, status: "doing" });
await settle("the live change", () => seen.length === 1 && doing.items.size === 1);
const before = all.offset;

if (mode === "resume" || mode === "short") {
  await drop(ann);
  // Missed while away: 5 changes, 3 of them concerning `doing`.
  await writer.create(task(4, "doing"));
  await writer.move({ id: 2, status: "doing" });
  await writer.move({ id: 1, status: "done" });
  await writer.delete({ id: 3 });
  await writer.move({ id: 4, status: "todo" });
  await reconnect(ann);
  const expectedAll = await truth(writer);
  const expectedDoing = await truth(writer, { status: "doing" });
  await settle("caught up", () =>
    JSON.stringify(sorted(all.items)) === JSON.stringify(sorted(expectedAll)) &&
    JSON.stringify(sorted(doing.items)) === JSON.stringify(sorted(expectedDoing)));
  if (mode === "resume") {
    // Exactly the missed changes, in order, once each, each subscriber's own view.
    const first = BigInt(before);
    assert.deepEqual(seen.slice(1), [
      ["added", 4, String(first + 1n)],
      ["updated", 2, String(first + 2n)],
      ["updated", 1, String(first + 3n)],
      ["removed", 3, String(first + 4n)],
      ["updated", 4, String(first + 5n)],
    ]);
    assert.deepEqual(seenDoing, [["added", 1], ["added", 4], ["added", 2], ["removed", 1], ["removed", 4]]);
    assert.deepEqual(resyncs, []);
  } else {
    // The history (3 changes) no longer reaches back: a fresh snapshot, told as a resync.
    assert.deepEqual(seen.length, 1, "no change events for what was missed");
    assert.deepEqual(resyncs.sort(), [["all", expectedAll.size], ["doing", expectedDoing.size]].sort());
  }
  const epoch = all.epoch;
  // Live again, under the new connection.
  await writer.create(task(5, "doing"));
  await settle("live after resuming", () => all.items.has(5) && doing.items.has(5));
  assert.deepEqual(sorted(all.items), sorted(await truth(writer)));
  assert.equal(all.epoch, epoch, "the same server: the same epoch");
} else if (mode === "restart") {
  const epoch = all.epoch;
  writer.close();
  await drop(ann);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write("restart\n");
  assert.equal((await lines.next()).value, "restarted");
  await reconnect(ann);
  // The restarted server lost the old epoch's history: both collections resync to its state.
  await settle("resynced", () => resyncs.length === 2);
  assert.notEqual(all.epoch, epoch);
  const fresh = await member("dora");
  assert.deepEqual(sorted(all.items), sorted(await truth(fresh)));
  assert.deepEqual(sorted(doing.items), sorted(await truth(fresh, { status: "doing" })));
  await fresh.create(task(9, "doing"));
  await settle("live after the resync", () => all.items.has(9) && doing.items.has(9));
  fresh.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
assert.deepEqual(ends, [], "no subscription ended");
ann.close();
writer.close();
process.exit(0);
