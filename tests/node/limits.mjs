// Guards and rate limits: a denied event gets `forbidden` without running its handler; an
// event over its rate gets `rate_limited` with retryAfterMs, and works again after it.
import { connect, ack, assert } from "./lib.mjs";

const lab = await connect("/lab");
assert.deepEqual(await ack(lab, "vip", { value: 1 }), { ok: true, data: 1 });
assert.deepEqual(await ack(lab, "vip", { value: 500 }), {
  ok: false,
  fault: { code: "forbidden", event: "vip", message: "only values under 100", issues: [] },
});
// Two more fit in the 3-per-second bucket; the next is limited.
assert.equal((await ack(lab, "vip", { value: 2 })).ok, true);
const limited = await ack(lab, "vip", { value: 3 });
assert.equal(limited.ok, false);
assert.equal(limited.fault.code, "rate_limited");
assert.ok(limited.fault.retryAfterMs > 0 && limited.fault.retryAfterMs <= 334, JSON.stringify(limited));
// The per-event limit leaves other events alone.
assert.equal((await ack(lab, "echo", { text: "a", repeatCount: 1 })).ok, true);
await new Promise((resolve) => setTimeout(resolve, limited.fault.retryAfterMs + 20));
assert.deepEqual(await ack(lab, "vip", { value: 4 }), { ok: true, data: 4 });

// A per-event size limit, smaller than the server's.
assert.deepEqual(await ack(lab, "small", { value: 7 }), { ok: true, data: 7 });
const large = await ack(lab, "small", { value: 7, padding: "x".repeat(100) });
assert.equal(large.fault.code, "invalid_payload");
assert.deepEqual(large.fault.issues.map((i) => i.code), ["too_large"]);
assert.match(large.fault.issues[0].message, /^the event is \d+ bytes; at most 64 are accepted$/);

// Another socket has its own buckets.
const other = await connect("/lab");
assert.deepEqual(await ack(other, "vip", { value: 5 }), { ok: true, data: 5 });
lab.close();
other.close();
console.log("limits: ok");
