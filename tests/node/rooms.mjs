// Rooms and broadcast with `except`: others in the room get it, the sender and the
// excepted room do not.
import { connect, ack, next, silence, assert } from "./lib.mjs";

const [a, b, c, outsider] = await Promise.all([1, 2, 3, 4].map(() => connect("/lab")));
// Unlike Node's server, socketioxide does not put a socket in a room named after its id.
assert.deepEqual(await ack(a, "join", { room: "red" }), { ok: true, data: ["red"] });
await ack(b, "join", { room: "red" });
await ack(c, "join", { room: "red" });
await ack(c, "join", { room: "muted" });
assert.equal((await ack(a, "join", { room: "Not Valid" })).fault.code, "invalid_payload");

const shout = { room: "red", except: ["muted"], text: "hello" };
const toB = next(b, "shouted");
const quiet = Promise.all([silence(a, "shouted"), silence(c, "shouted"), silence(outsider, "shouted")]);
assert.deepEqual(await ack(a, "shout", shout), { ok: true, data: true });
assert.deepEqual((await toB)[0], shout);
await quiet;

for (const s of [a, b, c, outsider]) s.close();
console.log("rooms: ok");
