// Binary payloads, over WebSocket and then over long-polling: bytes at every depth reach the
// server as attachments and come back byte for byte as Uint8Array through the typed client;
// a number array where bytes are declared, a size rule and the per-event size limit are
// answered with faults.
import { connect, ack, assert, url } from "./lib.mjs";
import { connectFiles } from "./generated/files.js";

// Every byte value, and a larger buffer that is not a multiple of anything.
const every = new Uint8Array(256).map((_, i) => i);
const large = new Uint8Array(1000).map((_, i) => (i * 31 + 7) % 256);

const isBytes = (value, expected) => {
  assert.equal(value.constructor, Uint8Array, `a Uint8Array, not ${value?.constructor?.name}`);
  assert.deepEqual([...value], [...expected]);
};

for (const transports of [["websocket"], ["polling"]]) {
  const files = connectFiles(url, { socket: { transports, forceNew: true, reconnection: false } });
  await new Promise((resolve, reject) => {
    files.socket.once("connect", resolve);
    files.socket.once("connect_error", reject);
  });

  // Uint8Array, Node Buffer and ArrayBuffer are all sent as attachments.
  const stored = await files.upload({
    title: "every byte",
    data: every,
    thumbnail: Buffer.from([0, 255, 10, 13]),
    attachments: [
      { name: "large.bin", data: large.slice(0, 64).buffer },
      { name: "empty", data: new Uint8Array(0) },
    ],
    raw: large,
  });
  assert.equal(stored.title, "every byte");
  assert.equal(stored.size, 256);
  isBytes(stored.data, every);
  isBytes(stored.thumbnail, [0, 255, 10, 13]);
  isBytes(stored.attachments[0].data, large.slice(0, 64));
  isBytes(stored.attachments[1].data, []);
  isBytes(stored.raw, large);

  // A server event with binary data: the listener gets Uint8Array too.
  const received = new Promise((resolve) => {
    const stop = files.on.stored((payload) => { stop(); resolve(payload); });
  });
  files.publish({ title: "pushed", data: large.slice(0, 1000), thumbnail: null, attachments: [], raw: new Uint8Array([1]) });
  const pushed = await received;
  isBytes(pushed.data, large);
  assert.equal(pushed.thumbnail, null);
  isBytes(pushed.raw, [1]);

  // A client's answer to a server question carries bytes too (a BINARY_ACK packet): they
  // reach the server's declared answer type byte for byte, and come back in its answer.
  const stopReview = files.on.review((file) => ({
    title: `reviewed ${file.title}`,
    size: file.size,
    data: file.data.slice().reverse(),
    thumbnail: Buffer.from([9, 0, 9]),
    attachments: [{ name: "copy", data: file.data.slice(0, 8).buffer }],
    raw: file.raw,
  }));
  const reviewed = await files.askReview({ title: "review me", data: large, thumbnail: null, attachments: [], raw: every });
  stopReview();
  assert.equal(reviewed.title, "reviewed review me");
  assert.equal(reviewed.size, 1000);
  isBytes(reviewed.data, large.slice().reverse());
  isBytes(reviewed.thumbnail, [9, 0, 9]);
  isBytes(reviewed.attachments[0].data, large.slice(0, 8));
  isBytes(reviewed.raw, every);

  // The size rule counts bytes, at the field's path.
  const tooBig = await files
    .upload({ title: "t", data: new Uint8Array(1025), thumbnail: null, attachments: [{ name: "a", data: new Uint8Array(65) }], raw: new Uint8Array(0) })
    .catch((error) => error.fault);
  assert.equal(tooBig.code, "invalid_payload");
  assert.deepEqual(
    tooBig.issues.map((i) => [i.path.join("."), i.code, i.message]),
    [
      ["data", "length", "must be between 1 and 1024 bytes long"],
      ["attachments.0.data", "length", "must be at most 64 bytes long"],
    ],
  );

  // Raw socket.io: numbers or a string where bytes are declared are refused.
  const raw = await connect("/files", { transports });
  const numbers = await ack(raw, "upload", { title: "t", data: [1, 2, 3], thumbnail: null, attachments: [], raw: Buffer.from([1]) });
  assert.equal(numbers.fault.code, "invalid_payload");
  assert.deepEqual(numbers.fault.issues[0].path, ["data"]);
  assert.match(numbers.fault.issues[0].message, /^invalid type: sequence, expected binary data/);
  const text = await ack(raw, "upload", { title: "t", data: "AQID", thumbnail: null, attachments: [], raw: Buffer.from([1]) });
  assert.deepEqual(text.fault.issues[0].path, ["data"]);
  // A raw socket.io client receives Node Buffers; their bytes are the same.
  const echoed = await ack(raw, "upload", { title: "t", data: Buffer.from(every), thumbnail: null, attachments: [], raw: Buffer.from([]) });
  assert.ok(Buffer.isBuffer(echoed.data.data));
  assert.deepEqual([...echoed.data.data], [...every]);

  // A raw socket.io client answers with Node Buffers; an answer with numbers where bytes
  // are declared is refused like such a payload, at its path.
  raw.on("review", (file, reply) => reply({ ...file, data: Buffer.from(file.data).reverse() }));
  const rawReview = await ack(raw, "askReview", { title: "t", data: Buffer.from(every), thumbnail: null, attachments: [], raw: Buffer.from([7]) });
  assert.deepEqual([...rawReview.data.data], [...every].reverse());
  assert.deepEqual([...rawReview.data.raw], [7]);
  raw.off("review");
  raw.on("review", (file, reply) => reply({ ...file, data: [1, 2, 3] }));
  const numbersReview = await ack(raw, "askReview", { title: "t", data: Buffer.from([1]), thumbnail: null, attachments: [], raw: Buffer.from([]) });
  assert.match(
    numbersReview.error.reason,
    /^the client's answer is invalid: data: invalid type: sequence, expected binary data/,
  );
  raw.off("review");

  // `max_bytes` counts the attachments: a tiny JSON text with 300 bytes of data is too large.
  assert.deepEqual(await ack(raw, "small", { data: Buffer.alloc(100) }), { ok: true, data: 100 });
  const heavy = await ack(raw, "small", { data: Buffer.alloc(300) });
  assert.deepEqual(heavy.fault.issues.map((i) => i.code), ["too_large"]);
  assert.match(heavy.fault.issues[0].message, /^the event is 3\d\d bytes; at most 256 are accepted$/);

  raw.close();
  files.close();
}
console.log("binary: ok");
