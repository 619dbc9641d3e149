// Two nodes sharing one Redis (argv[2..3]): a blob shared by a socket on the first node
// reaches the sockets on the second node as binary, byte for byte, over WebSocket and over
// long-polling; the sender does not receive its own broadcast.
import { ack, assert, connectTo, next, silence } from "./lib.mjs";

const [first, second] = process.argv.slice(2, 4);

// Every byte value, then a 300 KB buffer with no repeating period.
const every = new Uint8Array(256).map((_, i) => i);
const large = new Uint8Array(300_000).map((_, i) => (i * 31 + (i >> 8) * 7) % 256);

const sameBytes = (value, expected) => {
  assert.ok(value instanceof Uint8Array, `bytes arrive as binary, not ${value?.constructor?.name}`);
  assert.equal(value.length, expected.length);
  assert.ok(Buffer.compare(Buffer.from(value), Buffer.from(expected)) === 0, "byte for byte");
};

for (const transports of [["websocket"], ["polling"]]) {
  const open = (base) => connectTo(base, "/relay", { transports });
  const [sender, ...receivers] = await Promise.all([open(first), open(second), open(second)]);

  for (const [name, data] of [["every byte", every], ["large", large], ["empty", new Uint8Array(0)]]) {
    const arrivals = receivers.map((r) => next(r, "shared"));
    const own = silence(sender, "shared");
    assert.deepEqual(await ack(sender, "share", { name, data }), { ok: true, data: data.length });
    for (const [blob] of await Promise.all(arrivals)) {
      assert.equal(blob.name, name);
      sameBytes(blob.data, data);
    }
    await own;
  }

  for (const s of [sender, ...receivers]) s.close();
}
console.log("binary_nodes: ok");
