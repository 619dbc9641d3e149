// Ack round trips, typed app errors, panics and unknown events.
import { connect, ack, next, assert } from "./lib.mjs";

const lab = await connect("/lab");

assert.deepEqual(await ack(lab, "echo", { text: "ab", repeatCount: 2 }), { ok: true, data: { text: "abab" } });
assert.deepEqual(await ack(lab, "divide", { a: 7, b: 2 }), { ok: true, data: 3 });
assert.deepEqual(await ack(lab, "divide", { a: 1, b: 0 }), { ok: false, error: { code: "divisionByZero" } });
assert.deepEqual(
  await ack(lab, "divide", { a: -2147483648, b: -1 }),
  { ok: false, error: { code: "overflow", max: 2147483647 } },
);

// A panicking handler answers `internal`; the server keeps serving this socket and others.
assert.deepEqual(await ack(lab, "boom"), {
  ok: false,
  fault: { code: "internal", event: "boom", message: "the server failed to handle this event", issues: [] },
});
assert.equal((await ack(lab, "echo", { text: "still", repeatCount: 1 })).data.text, "still");
const other = await connect("/lab");
assert.equal((await ack(other, "echo", { text: "too", repeatCount: 1 })).data.text, "too");

// Unknown events: through the ack when asked, else through the fault event.
assert.deepEqual(await ack(lab, "nope", { x: 1 }), {
  ok: false,
  fault: { code: "unknown_event", event: "nope", message: "no event is named `nope`", issues: [] },
});
const faultEvent = next(lab, "eventwire:fault");
lab.emit("nope", 1);
assert.deepEqual((await faultEvent)[0], {
  code: "unknown_event", event: "nope", message: "no event is named `nope`", issues: [],
});
// `error` is reserved by socket.io: never dispatched, always refused.
assert.equal((await ack(lab, "error", {})).fault.code, "unknown_event");

// An event declared without ack still answers a client that asks for one.
assert.deepEqual(await ack(lab, "note", { text: "hi", repeatCount: 1 }), { ok: true, data: null });
// An event declared with an ack, emitted without one, runs without reply or fault.
lab.emit("echo", { text: "x", repeatCount: 1 });

lab.close();
other.close();
console.log("acks: ok");
