// The contract fingerprint in the handshake, against the server of tests/fingerprint.rs.
// Usage: node fingerprint.mjs <url> <current> <compatible earlier> <incompatible earlier>
import { assert, ack, connect } from "./lib.mjs";
import { connectLab, connectSecure, labFingerprint } from "./generated/lab.js";

const [, , , current, compatible, incompatible] = process.argv;
const key = "open-sesame";
const withFingerprint = (fingerprint) => ({ auth: { key, "eventwire:fingerprint": fingerprint } });

// A plain socket.io client sends no fingerprint: accepted as before.
const plain = await connect("/notes", { auth: { key } });
assert.deepEqual(await ack(plain, "add", { text: "a" }), { ok: true, data: { id: 1, text: "a" } });
plain.close();

// The current fingerprint: accepted, and the auth type (which denies unknown fields) never
// sees the fingerprint's key.
const same = await connect("/notes", withFingerprint(current));
assert.deepEqual(await ack(same, "count"), { ok: true, data: 1 });
same.close();

// A compatible earlier version: accepted, and its events still work.
const earlier = await connect("/notes", withFingerprint(compatible));
assert.deepEqual(await ack(earlier, "add", { text: "b" }), { ok: true, data: { id: 1, text: "b" } });
earlier.close();

// The auth is still checked after the fingerprint.
await assert.rejects(connect("/notes", { auth: { key: "wrong", "eventwire:fingerprint": current } }), {
  message: "wrong key",
});

// An incompatible earlier version, and an unknown one: refused, with both fingerprints.
const mismatch = (client, namespace = "/notes") =>
  `contract_mismatch: this page was built for another version of the ${namespace} API than this server runs; reload it (client ${client}, server ${current})`;
await assert.rejects(connect("/notes", withFingerprint(incompatible)), { message: mismatch(incompatible) });
await assert.rejects(connect("/notes", withFingerprint("0123456789abcdef")), { message: mismatch("0123456789abcdef") });
await assert.rejects(connect("/notes", { auth: { key, "eventwire:fingerprint": 7 } }), {
  message: "invalid auth: `eventwire:fingerprint` must be a string",
});

// The generated client sends its fingerprint by itself, and turns the refusal into fields.
const lab = connectLab(url(), { socket: { forceNew: true, reconnection: false } });
const error = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("no connect_error within 5 s")), 5000);
  lab.socket.once("connect_error", (e) => { clearTimeout(timer); resolve(e); });
  lab.socket.once("connect", () => reject(new Error("a client of another contract connected")));
});
lab.close();
assert.equal(error.message, mismatch(labFingerprint, "/lab"));
assert.equal(error.code, "contract_mismatch");
assert.equal(error.clientFingerprint, labFingerprint);
assert.equal(error.serverFingerprint, current);
// Auth given as a function (socket.io-client calls it on every connection attempt): the
// generated client adds its fingerprint to what the function hands over.
const secure = connectSecure(url(), {
  auth: (cb) => cb({ token: "letmein-ada" }),
  socket: { forceNew: true, reconnection: false },
});
assert.equal(await secure.whoami(), "ada");
assert.equal(secure.socket.auth.length, 1, "auth stays a function");
await new Promise((resolve) => secure.socket.auth((data) => { assert.ok(data["eventwire:fingerprint"]); resolve(); }));
secure.close();
console.log("fingerprint: all cases passed");

function url() {
  return process.argv[2];
}
