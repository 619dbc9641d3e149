// Calls in flight to a node that is killed (argv: the node's URL, then its PID): every one
// settles as soon as the connection is lost, long before its timeout; none hangs.
import { assert } from "../../../tests/node/lib.mjs";
import { connectChat, TimeoutError } from "../web/generated/chat.js";

const [url, pid] = [process.argv[2], Number(process.argv[3])];
const client = connectChat(url, { auth: { user: "ada" }, timeoutMs: 30_000, socket: { forceNew: true, reconnection: false } });
await new Promise((resolve, reject) => {
  client.socket.once("connect", resolve);
  client.socket.once("connect_error", reject);
});
await client.join({ room: "lobby" });

// The contract is `ordered`: the server stores the messages one after the other, so most
// are still waiting for their answer when the node dies.
let answered = 0;
const calls = Array.from({ length: 300 }, (_, n) =>
  client.send({ room: "lobby", text: `m${n}` }).then((receipt) => { answered += 1; return receipt; }));
await new Promise((resolve) => {
  const timer = setInterval(() => { if (answered >= 20) { clearInterval(timer); resolve(); } }, 1);
});
const killedAt = performance.now();
process.kill(pid, "SIGKILL");

const settled = await Promise.race([
  Promise.allSettled(calls),
  new Promise((_, reject) => setTimeout(() => reject(new Error("calls still pending 5 s after the node died")), 5000)),
]);
const ms = Math.round(performance.now() - killedAt);
const failed = settled.filter((s) => s.status === "rejected");
assert.ok(failed.length > 0, "some calls were in flight when the node died");
// The generated client reports a lost connection as it reports a missing answer.
for (const { reason } of failed) assert.ok(reason instanceof TimeoutError, String(reason));
client.close();
console.log(`killed_node: ok — ${failed.length} calls in flight failed ${ms} ms after the kill (timeout 30 s)`);
