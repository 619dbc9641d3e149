// Handshake auth: the payload is validated, `authenticate` may refuse, the identity reaches
// handlers; a refused client never gets to send events.
import { connect, ack, assert } from "./lib.mjs";

await assert.rejects(connect("/secure"), { message: "auth is required" });
await assert.rejects(connect("/secure", { auth: { token: "short" } }), {
  message: "invalid auth: token: must be between 8 and 64 characters long",
});
await assert.rejects(connect("/secure", { auth: { token: 12345678 } }), {
  message: "invalid auth: token: invalid type: integer `12345678`, expected a string",
});
await assert.rejects(connect("/secure", { auth: { token: "not-a-valid-token" } }), { message: "unknown token" });

const ada = await connect("/secure", { auth: { token: "letmein-ada" } });
assert.deepEqual(await ack(ada, "whoami"), { ok: true, data: "ada" });
const bob = await connect("/secure", { auth: { token: "letmein-bob" } });
assert.deepEqual(await ack(bob, "whoami"), { ok: true, data: "bob" });
ada.close();
bob.close();
console.log("auth: ok");
