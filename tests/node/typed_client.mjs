// The generated typed clients against a running server: promises of the ack's data,
// typed rejections, listeners with unsubscribe, answers to server questions, and every
// serde shape round-tripping through the server unchanged.
import { assert, url } from "./lib.mjs";
import { AppError, FaultError, TimeoutError, connectLab } from "./generated/lab.js";
import { connectShapes } from "./generated/shapes.js";

function connected(client) {
  return new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
}

const lab = await connected(connectLab(url, { socket: { forceNew: true, reconnection: false } }));
assert.deepEqual(await lab.echo({ text: "ab", repeatCount: 2 }), { text: "abab" });
assert.equal(await lab.divide({ a: 7, b: 2 }), 3);

// The app's typed error and eventwire's faults reject with distinguishable errors.
const appError = await lab.divide({ a: 1, b: 0 }).catch((e) => e);
assert.ok(appError instanceof AppError, String(appError));
assert.deepEqual(appError.error, { code: "divisionByZero" });
assert.equal(appError.event, "divide");
// The typed guard recognizes the app error of its own call only.
assert.ok(lab.isAppError("divide", appError));
assert.ok(!lab.isAppError("echo", appError));
assert.ok(!lab.isAppError("divide", new Error("other")));
const fault = await lab.echo({ text: "", repeatCount: 1 }).catch((e) => e);
assert.ok(fault instanceof FaultError, String(fault));
assert.equal(fault.fault.code, "invalid_payload");
assert.deepEqual(fault.fault.issues.map((i) => i.path), [["text"]]);
const internal = await lab.boom().catch((e) => e);
assert.ok(internal instanceof FaultError);
assert.equal(internal.fault.code, "internal");

// A per-call timeout.
lab.on.question(() => new Promise(() => {})); // never answers
const slow = await lab.askMe({ text: "?", timeout_ms: 2000 }, { timeoutMs: 100 }).catch((e) => e);
assert.ok(slow instanceof TimeoutError, String(slow));
assert.equal(slow.timeoutMs, 100);

// Typed replies to server questions, and unsubscribe.
const answering = await connected(connectLab(url, { socket: { forceNew: true, reconnection: false } }));
const stop = answering.on.question(async (question) => ({ text: question.text.toUpperCase() }));
assert.equal(await answering.askMe({ text: "ping", timeout_ms: 2000 }), "answered: PING");
stop();
assert.equal(await answering.askMe({ text: "ping", timeout_ms: 200 }), "failed: the client did not answer in time");

// Listeners: rooms and broadcast through the typed client.
await lab.join({ room: "blue" });
await answering.join({ room: "blue" });
const heard = new Promise((resolve) => answering.on.shouted(resolve));
assert.equal(await lab.shout({ room: "blue", except: [], text: "hey" }), true);
assert.deepEqual(await heard, { room: "blue", except: [], text: "hey" });

// Faults of fire-and-forget events.
const noted = new Promise((resolve) => lab.onFault(resolve));
lab.note({ text: "", repeatCount: 1 });
assert.equal((await noted).event, "note");

// Every serde shape survives the trip through the server.
const shapes = await connected(connectShapes(url, { socket: { forceNew: true, reconnection: false } }));
const record = {
  displayName: "Ada", ID: "18446744073709551615", maybe: null, skipped: "s", defaulted: true,
  x: 1, y: -2, scores: { a: 1 }, byNumber: { "7": "seven" }, pair: [1, "one"],
  balance: "-9223372036854775808", nothing: null,
};
assert.deepEqual(await shapes.record(record), record);
// Omitted optional and defaulted fields come back filled in.
const { defaulted, maybe, skipped, ...minimal } = record;
assert.deepEqual(await shapes.record(minimal), { ...minimal, defaulted: false, maybe: null });
for (const value of ["Unit", { Newtype: 1 }, { Tuple: [2, "b"] }, { Struct: { x: -3 } }]) {
  assert.deepEqual(await shapes.external(value), value);
}
for (const value of [{ kind: "empty" }, { kind: "wrapped", x: 1, y: 2 }, { kind: "named", label: "l" }]) {
  assert.deepEqual(await shapes.internal(value), value);
}
for (const value of [{ t: "Nothing" }, { t: "Number", c: 1.5 }, { t: "Pair", c: { a: true, b: false } }]) {
  assert.deepEqual(await shapes.adjacent(value), value);
}
for (const value of [3, "t", { x: 0, y: 0 }]) {
  assert.deepEqual(await shapes.untagged(value), value);
}
const tree = { value: 1, children: [{ value: 2, children: [] }] };
assert.deepEqual(await shapes.tree(tree), tree);
assert.deepEqual(await shapes.points({ items: ["a", "b"], next: null }), { items: [{ x: 0, y: 0 }, { x: 1, y: 0 }], next: null });
// 64-bit values travel as strings; a number is refused.
const refused = await shapes.record({ ...record, ID: 5 }).catch((e) => e);
assert.equal(refused.fault.issues[0].path[0], "ID");

for (const client of [lab, answering, shapes]) client.close();
console.log("typed_client: ok");
