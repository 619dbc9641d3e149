// The feed exchange with a plain socket.io-client, as docs/protocol.md describes it:
// subscribe (ack with the snapshot), changes as the subscriber's view, refusals, the
// per-socket limit, unsubscribe.
import { ack, assert, connect, silence } from "./lib.mjs";

const member = (workspace, name) => connect("/board", { auth: { workspace, name } });
const subscribe = (socket, feed, filter) => ack(socket, "eventwire:subscribe", { feed, filter });

const ann = await member(1, "ann");
const bob = await member(2, "bob");

// A snapshot: nothing yet, at offset 0, with the feed's epoch.
const doing = await subscribe(ann, "tasks", { status: "doing" });
assert.equal(doing.ok, true, JSON.stringify(doing));
assert.deepEqual(doing.data.items, []);
assert.deepEqual(doing.data.keys, []);
assert.equal(typeof doing.data.id, "string");
assert.equal(typeof doing.data.epoch, "string");
assert.equal(doing.data.offset, "0");
const bobs = await subscribe(bob, "tasks", {});
assert.equal(bobs.ok, true);

// Changes, each as this subscriber's view.
const changes = [];
ann.on("eventwire:change", (change) => changes.push(change));
const task = { id: 1, status: "doing", assignee: "ann", priority: 3, title: "Ship it" };
assert.equal((await ack(ann, "create", task)).ok, true);
assert.equal((await ack(ann, "create", { ...task, id: 2, status: "todo" })).ok, true);
await ack(ann, "move", { id: 2, status: "doing" }); // moves into the filter
await ack(ann, "move", { id: 1, status: "done" }); // moves out
await ack(ann, "delete", { id: 2 });
const until = async (count) => {
  for (let i = 0; i < 100 && changes.length < count; i++) await new Promise((r) => setTimeout(r, 20));
};
await until(4);
const id = doing.data.id;
assert.deepEqual(changes.map(({ id, action, key }) => [id, action, key]), [
  [id, "added", 1],
  [id, "added", 2],
  [id, "removed", 1],
  [id, "removed", 2],
]);
assert.deepEqual(changes[0].item, { ...task, workspace: 1 });
assert.equal(changes[2].item, undefined, "a removal carries only the key");
const offsets = changes.map((c) => BigInt(c.offset));
assert.deepEqual(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)), "offsets increase");
// Bob's workspace saw none of it.
await silence(bob, "eventwire:change", 200);

// A snapshot holds what matches now.
await ack(ann, "create", { ...task, id: 3, priority: 5, title: "URGENT fix" });
const urgent = await subscribe(ann, "tasks", { search: "urgent", minPriority: 4 });
assert.deepEqual(urgent.data.keys, [3]);
assert.equal(urgent.data.items[0].title, "URGENT fix");
assert.ok(BigInt(urgent.data.offset) >= 5n);

// Refusals: another workspace, an invalid filter, an unknown field, the app's error,
// an unknown feed.
const forbidden = await subscribe(ann, "tasks", { workspace: 2 });
assert.equal(forbidden.fault.code, "forbidden", JSON.stringify(forbidden));
assert.equal(forbidden.fault.event, "eventwire:subscribe");
const invalid = await subscribe(ann, "tasks", { minPriority: 9 });
assert.equal(invalid.fault.code, "invalid_payload");
assert.deepEqual(invalid.fault.issues.map((i) => i.path), [["filter", "minPriority"]]);
const unknown = await subscribe(ann, "tasks", { colour: "red" });
assert.equal(unknown.fault.code, "invalid_payload");
assert.deepEqual(unknown.fault.issues[0].path, ["filter", "colour"]);
const wrongType = await subscribe(ann, "tasks", { status: 7 });
assert.deepEqual(wrongType.fault.issues[0].path, ["filter", "status"]);
const broad = await subscribe(ann, "tasks", { minPriority: 1 });
assert.deepEqual(broad, { ok: false, error: { code: "tooBroad" } });
const nope = await subscribe(ann, "nope", {});
assert.equal(nope.fault.code, "unknown_feed");

// Notify mode: keys and actions only.
const activity = await subscribe(ann, "activity", {});
assert.deepEqual(activity.data.keys, []);
assert.equal(activity.data.items, undefined);
await ack(ann, "move", { id: 3, status: "todo" });
const notices = () => changes.filter((c) => c.id === activity.data.id);
for (let i = 0; i < 100 && notices().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
const [note] = notices();
assert.ok(note, "the activity notice arrived");
assert.deepEqual(Object.keys(note).sort(), ["action", "id", "key", "offset"]);
assert.equal(note.key, 3);
assert.equal(note.action, "updated");

// Unsubscribe: no more changes for that subscription (idempotent).
assert.deepEqual(await ack(ann, "eventwire:unsubscribe", { id: activity.data.id }), { ok: true, data: null });
assert.deepEqual(await ack(ann, "eventwire:unsubscribe", { id: activity.data.id }), { ok: true, data: null });
const after = [];
ann.on("eventwire:change", (c) => { if (c.id === activity.data.id) after.push(c); });
await ack(ann, "move", { id: 3, status: "doing" });
await new Promise((r) => setTimeout(r, 200));
assert.deepEqual(after, []);

// The per-socket limit (5 on this server): ann holds 2 (doing, urgent).
for (let i = 0; i < 3; i++) assert.equal((await subscribe(ann, "tasks", {})).ok, true);
const limited = await subscribe(ann, "tasks", {});
assert.equal(limited.fault.code, "subscription_limit", JSON.stringify(limited));
await ack(ann, "eventwire:unsubscribe", { id });
assert.equal((await subscribe(ann, "tasks", {})).ok, true, "a freed slot can be used again");

ann.close();
bob.close();
console.log("feeds: ok");
