// Several contracts on one server, a dynamic namespace, and an unknown namespace.
import { connect, ack, assert } from "./lib.mjs";

const other = await connect("/other");
assert.deepEqual(await ack(other, "whoami"), { ok: true, data: "/other" });
const tenant = await connect("/tenant/42");
assert.deepEqual(await ack(tenant, "whoami"), { ok: true, data: "/tenant/42" });
// The lab's events do not exist on /other.
assert.equal((await ack(other, "echo", { text: "a", repeatCount: 1 })).fault.code, "unknown_event");
await assert.rejects(connect("/nope"), { message: "Invalid namespace" });

other.close();
tenant.close();
console.log("namespaces: ok");
