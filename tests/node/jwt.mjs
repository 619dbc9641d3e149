// JWT handshake auth: tokens signed by the Rust test (argv[3], JSON) are accepted or refused
// with the reason; a token that expires while connected disconnects its socket.
import { connect, ack, assert } from "./lib.mjs";

const tokens = JSON.parse(process.argv[3]);
const withToken = (namespace, token) => connect(namespace, { auth: { token } });

// A token valid for a few more seconds (signed just before this ran; first, so that a slow
// start cannot outlive it): connected now, disconnected by the server at expiry, while the
// other tokens are tried.
const brief = await withToken("/vault", tokens.expiresSoon);
assert.deepEqual(await ack(brief, "whoami"), { ok: true, data: "brief" });
const expired = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("not disconnected at expiry")), 15000);
  brief.once("disconnect", (why) => { clearTimeout(timer); resolve(why); });
});

const ada = await withToken("/vault", tokens.valid);
assert.deepEqual(await ack(ada, "whoami"), { ok: true, data: "ada" });
const rsa = await withToken("/vault-rsa", tokens.rs256);
assert.deepEqual(await ack(rsa, "whoami"), { ok: true, data: "rosa" });

for (const [name, message] of [
  ["expired", "invalid token: expired"],
  ["badSignature", "invalid token: bad signature"],
  ["wrongAudience", "invalid token: wrong audience"],
  ["wrongIssuer", "invalid token: wrong issuer"],
  ["noExpiry", "invalid token: missing a required claim"],
  ["garbage", "invalid token: malformed"],
]) {
  await assert.rejects(withToken("/vault", tokens[name]), { message }, name);
}
// An HS256 token is refused where RS256 is expected (no algorithm confusion).
await assert.rejects(withToken("/vault-rsa", tokens.valid), { message: "invalid token: wrong algorithm" });

assert.equal(await expired, "io server disconnect");

for (const s of [ada, rsa]) s.close();
console.log("jwt: ok");
