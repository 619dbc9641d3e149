// No integer beyond ±(2^53 − 1) reaches the client as a number: the server refuses to send
// it, whether it is a handler's answer or an emit.
import { connect, ack, next, silence, assert } from "./lib.mjs";

const socket = await connect("/lab");

// Within the exact range: sent as is.
assert.deepEqual(await ack(socket, "scale", { value: 2 ** 20 }), {
  ok: true, data: { value: 2 ** 52 },
});
const [received] = await Promise.all([
  next(socket, "scaledValue"),
  ack(socket, "emitScaled", { value: 3 }).then((r) => assert.deepEqual(r, { ok: true, data: "sent" })),
]);
assert.deepEqual(received, [{ value: 3 * 2 ** 32 }]);

// 2^21 × 2^32 = 2^53: a handler's answer that JavaScript would round becomes an internal
// fault (the server logs where the integer was).
assert.deepEqual(await ack(socket, "scale", { value: 2 ** 21 }), {
  ok: false,
  fault: { code: "internal", event: "scale", message: "the server failed to handle this event", issues: [] },
});

// An emit that holds one fails in the server's code, and nothing reaches the client.
const quiet = silence(socket, "scaledValue");
assert.deepEqual(await ack(socket, "emitScaled", { value: 2 ** 21 }), {
  ok: true,
  data: "failed: the payload cannot be sent: `value` is 9007199254740992, beyond the integers JavaScript holds exactly (±9007199254740991)",
});
await quiet;

socket.close();
console.log("exact_integers: ok");
