// Server→client events with a typed answer, and their timeout.
import { connect, ack, assert } from "./lib.mjs";

const answering = await connect("/lab");
answering.on("question", (question, reply) => reply({ text: `re: ${question.text}` }));
assert.deepEqual(await ack(answering, "askMe", { text: "ping", timeout_ms: 2000 }), {
  ok: true, data: "answered: re: ping",
});

const silent = await connect("/lab");
silent.on("question", () => {});
assert.deepEqual(await ack(silent, "askMe", { text: "ping", timeout_ms: 200 }), {
  ok: true, data: "failed: the client did not answer in time",
});

const wrong = await connect("/lab");
wrong.on("question", (_question, reply) => reply({ txt: 1 }));
const response = await ack(wrong, "askMe", { text: "ping", timeout_ms: 2000 });
assert.match(response.data, /^failed: the client's answer is not of the declared type: \(root\): missing field `text`/);

for (const s of [answering, silent, wrong]) s.close();
console.log("server_ack: ok");
