// Origin allow-list and connection caps (argv[3] says which server this is).
import { connect, ack, assert, url } from "./lib.mjs";

const mode = process.argv[3];
const ws = { transports: ["websocket"] };
if (mode === "origins") {
  // A page from another site is refused on WebSocket (which CORS does not cover) and polling.
  for (const transports of [["websocket"], ["polling"]]) {
    await assert.rejects(connect("/lab", { transports, extraHeaders: { origin: "http://evil.example" } }), {
      message: "this origin is not allowed",
    });
  }
  // The same origin, and server-side clients without an Origin, are allowed.
  const same = await connect("/lab", { ...ws, extraHeaders: { origin: url } });
  assert.equal((await ack(same, "echo", { text: "a", repeatCount: 1 })).ok, true);
  same.close();
  const listed = await connect("/lab", { ...ws, extraHeaders: { origin: "https://app.example" } });
  listed.close();
} else if (mode === "global") {
  // This server allows 2 connections in all, from any address, on every transport.
  const first = await connect("/lab", ws);
  const second = await connect("/lab", { transports: ["polling"] });
  for (const transports of [["websocket"], ["polling"]]) {
    await assert.rejects(connect("/lab", { transports }), {
      message: "the server has too many connections; try again later",
    });
  }
  second.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const third = await connect("/lab", ws);
  assert.equal((await ack(third, "echo", { text: "c", repeatCount: 1 })).ok, true);
  assert.equal((await ack(first, "echo", { text: "d", repeatCount: 1 })).ok, true, "the admitted ones are served");
  first.close();
  third.close();
} else {
  // This server allows 2 connections in all and 1 per address.
  const first = await connect("/lab", ws);
  await assert.rejects(connect("/lab", ws), { message: "too many connections from this address" });
  first.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const again = await connect("/lab", ws);
  assert.equal((await ack(again, "echo", { text: "b", repeatCount: 1 })).ok, true);
  again.close();
}
console.log(`access ${mode}: ok`);
