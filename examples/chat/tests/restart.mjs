// `write`: posts messages. `read`: joins and finds them in the history. Run against two
// server processes on the same SQLite file.
import { assert } from "../../../tests/node/lib.mjs";
import { connectChat } from "../web/generated/chat.js";

const [url, mode] = process.argv.slice(2);
const chat = connectChat(url, { auth: { user: "ada" }, socket: { forceNew: true, reconnection: false } });
await new Promise((resolve, reject) => {
  chat.socket.once("connect", resolve);
  chat.socket.once("connect_error", reject);
});
if (mode === "write") {
  await chat.join({ room: "kept" });
  for (const text of ["one", "two", "three"]) await chat.send({ room: "kept", text });
} else {
  const joined = await chat.join({ room: "kept" });
  assert.deepEqual(joined.history.map((m) => [m.user, m.text]), [["ada", "one"], ["ada", "two"], ["ada", "three"]]);
}
chat.close();
console.log(`restart ${mode}: ok`);
