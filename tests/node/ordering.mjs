// One socket's events: in arrival order with `#[contract(ordered)]`, concurrently without.
// Each step sleeps less than the one before, so concurrent handling finishes in reverse.
import { connect, ack, assert } from "./lib.mjs";

async function run(namespace, first) {
  const socket = await connect(namespace, { transports: ["websocket"] });
  const steps = [0, 1, 2, 3, 4].map((i) => ({ n: first + i, sleep_ms: 200 - 40 * i }));
  const answers = await Promise.all(steps.map((step) => ack(socket, "step", step)));
  socket.close();
  const last = answers.map((a) => a.data).reduce((longest, a) => (a.length > longest.length ? a : longest));
  return last.filter((n) => n >= first && n < first + 5);
}

assert.deepEqual(await run("/ordered", 1), [1, 2, 3, 4, 5]);
assert.deepEqual(await run("/lab", 11), [15, 14, 13, 12, 11]);
console.log("ordering: ok");
