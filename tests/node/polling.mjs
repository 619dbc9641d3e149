// HTTP long-polling only (no WebSocket upgrade), with the real socket.io-client (argv[3]
// says which server this is).
import { connect, ack, next, silence, assert } from "./lib.mjs";

const mode = process.argv[3];
const polling = { transports: ["polling"], upgrade: false };
const transport = (socket) => socket.io.engine.transport.name;

if (mode === "exchange") {
  // A whole exchange: acks, faults, a server→client question, a broadcast, the disconnect.
  const [a, b] = await Promise.all([connect("/lab", polling), connect("/lab", polling)]);
  assert.equal(transport(a), "polling");
  assert.deepEqual(await ack(a, "echo", { text: "ab", repeatCount: 2 }), { ok: true, data: { text: "abab" } });
  const invalid = await ack(a, "echo", { text: "", repeatCount: 1 });
  assert.equal(invalid.fault.code, "invalid_payload");
  assert.deepEqual(await ack(a, "divide", { a: 1, b: 0 }), { ok: false, error: { code: "divisionByZero" } });
  const fault = next(a, "eventwire:fault");
  a.emit("note", { text: "" });
  assert.equal((await fault)[0].code, "invalid_payload");

  a.on("question", (question, reply) => reply({ text: `polled ${question.text}` }));
  assert.deepEqual(await ack(a, "askMe", { text: "q", timeout_ms: 2000 }), { ok: true, data: "answered: polled q" });

  await ack(a, "join", { room: "poll" });
  await ack(b, "join", { room: "poll" });
  const toA = next(a, "shouted");
  const quiet = silence(b, "shouted");
  assert.deepEqual(await ack(b, "shout", { room: "poll", text: "over http" }), { ok: true, data: true });
  assert.deepEqual((await toA)[0], { room: "poll", except: [], text: "over http" });
  await quiet;

  // Many events in flight at once, each answered.
  const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => ack(b, "lenient", { value: n })));
  assert.deepEqual(answers.map((r) => r.data), Array.from({ length: 50 }, (_, n) => n));

  const gone = new Promise((resolve) => a.once("disconnect", resolve));
  await ack(b, "kick", { room: "poll" });
  assert.equal(await gone, "io server disconnect");
  assert.equal(transport(b), "polling", "never upgraded");
  b.close();
} else {
  // This server takes messages of at most 2 KiB: a larger polling body is refused, the
  // client is told (its transport fails and it disconnects) instead of waiting, and the
  // server keeps serving.
  const big = await connect("/lab", polling);
  const disconnected = new Promise((resolve) => big.once("disconnect", resolve));
  const answer = big.timeout(5000).emitWithAck("echo", { text: "x".repeat(4096), repeatCount: 1 });
  assert.equal(await disconnected, "transport error");
  await assert.rejects(answer);
  const small = await connect("/lab", polling);
  assert.deepEqual(await ack(small, "echo", { text: "fits", repeatCount: 1 }), { ok: true, data: { text: "fits" } });
  small.close();
}
console.log(`polling ${mode}: ok`);
