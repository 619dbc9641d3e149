// A client given every node's URL survives the loss of its node (argv: three URLs, then
// the PID of the first node, which this script kills).
import { assert } from "../../../tests/node/lib.mjs";
import { connectChat } from "../web/generated/chat.js";

const [urls, pid] = [process.argv.slice(2, 5), Number(process.argv[5])];
const socket = { forceNew: true, transports: ["websocket"] };
const connected = (client) =>
  new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
const next = (subscribe, what) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
    const stop = subscribe((value) => { clearTimeout(timer); stop(); resolve(value); });
  });

const ada = await connected(connectChat(urls, { auth: { user: "ada" }, socket }));
const bob = await connected(connectChat(urls[1], { auth: { user: "bob" }, socket: { ...socket, reconnection: false } }));
let bobDisconnected = false;
bob.socket.on("disconnect", () => { bobDisconnected = true; });
// Rooms belong to a connection: after a failover, join them again.
const rejoined = new Promise((resolve) => ada.onFailover(async (url) => resolve([url, await ada.join({ room: "lobby" })])));
await ada.join({ room: "lobby" });
await bob.join({ room: "lobby" });

const before = next(bob.on.message, "message before the failover");
await ada.send({ room: "lobby", text: "before" });
assert.equal((await before).text, "before");

process.kill(pid); // node 1, ada's node, dies
const [url, joined] = await Promise.race([rejoined, new Promise((_, reject) => setTimeout(() => reject(new Error("no failover within 10 s")), 10_000))]);
assert.equal(url, urls[1] + "/chat", "moved to the next node");
assert.deepEqual(joined.history.map((m) => m.text), ["before"]);

const after = next(bob.on.message, "message after the failover");
await ada.send({ room: "lobby", text: "after" });
assert.equal((await after).text, "after");
assert.equal(bobDisconnected, false, "the other members see no disruption");
ada.close();
bob.close();
console.log("failover: ok");
