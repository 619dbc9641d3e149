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
assert.match(response.data, /^failed: the client's answer is invalid: text: missing field `text`/);

// An answer of the right shape that breaks the answer type's `#[validate]` rules is refused
// like an invalid payload, with every broken rule.
const breaking = await connect("/lab");
breaking.on("question", (_question, reply) => reply({ text: "", confidence: 250 }));
assert.deepEqual(await ack(breaking, "askMe", { text: "ping", timeout_ms: 2000 }), {
  ok: true,
  data: "failed: the client's answer is invalid: text: must be between 1 and 100 characters long; "
    + "confidence: must be at most 100",
});

for (const s of [answering, silent, wrong, breaking]) s.close();
console.log("server_ack: ok");
