// The generated typed client's feeds against the test board: live collections kept
// current, typed rejections, notify mode, per-push checks, revocation, close.
import { assert, settled, url } from "./lib.mjs";
import { AppError, FaultError, connectBoard } from "./generated/board.js";

function connected(client) {
  return new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
}
const member = (workspace, name) =>
  connected(connectBoard(url, { auth: { workspace, name }, socket: { forceNew: true, reconnection: false } }));
const settle = async (check) => {
  await settled(check, 2000);
  assert.ok(check(), "settled in time");
};

const ann = await member(10, "ann");
const carl = await member(10, "carl");

const doing = await ann.tasks.subscribe({ status: "doing" });
assert.equal(doing.items.size, 0);
assert.equal(doing.ended, null);
const seen = [];
doing.on((change) => seen.push([change.action, change.key]));

const task = { id: 1, status: "doing", assignee: "ann", priority: 3, title: "Ship it" };
await ann.create(task);
await ann.create({ ...task, id: 2, assignee: "carl" });
await settle(() => doing.items.size === 2);
assert.deepEqual(doing.items.get(1), { ...task, workspace: 10 });
await ann.move({ id: 1, status: "done" });
await settle(() => doing.items.size === 1);
assert.deepEqual([...doing.items.keys()], [2]);
assert.deepEqual(seen, [["added", 1], ["added", 2], ["removed", 1]]);

// A later subscriber starts from the snapshot.
const all = await carl.tasks.subscribe();
assert.deepEqual([...all.items.keys()].sort(), [1, 2]);

// Typed rejections.
const forbidden = await ann.tasks.subscribe({ workspace: 11 }).catch((e) => e);
assert.ok(forbidden instanceof FaultError, String(forbidden));
assert.equal(forbidden.fault.code, "forbidden");
const broad = await ann.tasks.subscribe({ minPriority: 1 }).catch((e) => e);
assert.ok(broad instanceof AppError, String(broad));
assert.deepEqual(broad.error, { code: "tooBroad" });
const invalid = await ann.tasks.subscribe({ minPriority: 0 }).catch((e) => e);
assert.equal(invalid.fault.code, "invalid_payload");

// Notify mode: the keys only.
const activity = await carl.activity.subscribe();
await ann.move({ id: 2, status: "todo" });
await settle(() => activity.keys.has(2));
assert.equal(activity.items, undefined);

// The per-push check: once restricted, carl no longer receives tasks assigned to others,
// and an update of one he held is a removal.
await ann.restrict({ name: "carl" });
await ann.create({ ...task, id: 3, assignee: "ann" });
await ann.create({ ...task, id: 4, assignee: "carl" });
await ann.move({ id: 1, status: "todo" });
await settle(() => all.items.has(4) && !all.items.has(1));
assert.deepEqual([...all.items.keys()].sort(), [2, 4]);

// Revocation: the server ends the subscriptions with a typed reason.
const ended = new Promise((resolve) => all.onEnd(resolve));
assert.equal(await ann.revoke(), 2);
assert.deepEqual(await ended, { reason: "revoked", message: "your access to this workspace changed" });
assert.equal(all.ended.reason, "revoked");
assert.equal(doing.ended.reason, "revoked");

// close(): nothing more arrives.
const fresh = await ann.tasks.subscribe();
const count = fresh.items.size;
await fresh.close();
await ann.create({ ...task, id: 5 });
await new Promise((r) => setTimeout(r, 200));
assert.equal(fresh.items.size, count);

// A lost connection ends the subscriptions.
const lost = await carl.tasks.subscribe();
const gone = new Promise((resolve) => lost.onEnd(resolve));
carl.socket.disconnect();
assert.equal((await gone).reason, "disconnected");

// A prop: one value per workspace, read live, written from the version held.
const [ben, cleo] = [await member(10, "ben"), await member(10, "cleo")];
const bens = await ben.motto.subscribe();
const cleos = await cleo.motto.subscribe();
const initial = [...bens.items.values()][0];
assert.deepEqual(initial, { scope: "10", version: 0, value: { text: "Ship it" } });
const written = await ben.writeMotto({ version: 0, value: { text: "Ship it twice" } });
assert.deepEqual(written, { scope: "10", version: 1, value: { text: "Ship it twice" } });
await settle(() => cleos.items.get("10")?.version === 1);
assert.deepEqual(cleos.items.get("10"), written);
// Cleo writes from the version read before ben's write: a conflict with the current value.
const stale = await cleo.writeMotto({ version: 0, value: { text: "Mine" } }).catch((e) => e);
assert.ok(cleo.isAppError("writeMotto", stale), String(stale));
assert.deepEqual(stale.error, { code: "conflict", current: written });
const tooLong = await cleo.writeMotto({ version: 1, value: { text: "x".repeat(41) } }).catch((e) => e);
assert.equal(tooLong.fault.code, "invalid_payload");
assert.deepEqual(tooLong.fault.issues[0].path, ["value", "text"]);
// Another workspace has its own value and hears nothing of this one.
const dora = await member(11, "dora");
const doras = await dora.motto.subscribe();
assert.deepEqual([...doras.items.values()], [{ scope: "11", version: 0, value: { text: "Ship it" } }]);
await ben.writeMotto({ version: 1, value: { text: "Third" } });
await settle(() => cleos.items.get("10")?.version === 2);
assert.deepEqual([...doras.items.keys()], ["11"]);
assert.equal(doras.items.get("11").version, 0);
dora.close();
ben.close();
cleo.close();

ann.close();
carl.close();
console.log("feeds client: ok");
