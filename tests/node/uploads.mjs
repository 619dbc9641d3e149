// Uploads through the generated client over WebSocket and long-polling: a file in chunks with
// progress and at most a window in flight, byte-exact on the server (its own SHA-256), a slow
// handler slowing the sender, cancel, resume after a forced reconnect, and every refusal: hash
// mismatch, size and concurrency limits, the guard, invalid metadata, an early answer.
import { randomBytes } from "node:crypto";
import { connect, ack, assert, opened, rejection, sha256, url } from "./lib.mjs";
import { connectFiles } from "./generated/files.js";

// Counts the chunks in flight on a client's socket: sent, not yet acknowledged.
function watchWindow(client) {
  const seen = { inFlight: 0, max: 0, chunks: 0 };
  const emit = client.socket.emit.bind(client.socket);
  client.socket.emit = (event, ...args) => {
    if (event === "eventwire:chunk") {
      seen.inFlight++;
      seen.chunks++;
      seen.max = Math.max(seen.max, seen.inFlight);
      const answer = args.pop();
      args.push((...response) => { seen.inFlight--; answer(...response); });
    }
    return emit(event, ...args);
  };
  return seen;
}

for (const transports of [["websocket"], ["polling"]]) {
  const files = connectFiles(url, { socket: { transports, forceNew: true, reconnection: false } });
  await opened(files);

  // 1,000,000 bytes: 16 chunks of at most 64 KiB, the last one short.
  const data = randomBytes(1_000_000);
  const progress = [];
  const seen = watchWindow(files);
  const received = await files.sendFile({ name: "one.bin", delayMs: 0 }, new Uint8Array(data), {
    onProgress: (p) => progress.push(p),
  });
  assert.deepEqual(received, { name: "one.bin", size: 1_000_000, sha256: sha256(data), chunks: 16 });
  assert.equal(seen.chunks, 16);
  assert.ok(seen.max <= 4, `at most the server's window of 4 in flight, saw ${seen.max}`);
  assert.deepEqual(progress[0], { sent: 0, total: 1_000_000 });
  assert.deepEqual(progress.at(-1), { sent: 1_000_000, total: 1_000_000 });
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].sent > progress[i - 1].sent);

  // A smaller window asked for is kept; a slow handler holds the sender to it. ArrayBuffer too.
  const slow = watchWindow(files);
  const small = randomBytes(300_000);
  const started = Date.now();
  const answer = await files.sendFile({ name: "slow.bin", delayMs: 40 }, small.buffer.slice(small.byteOffset, small.byteOffset + small.length), { window: 2 });
  assert.equal(answer.sha256, sha256(small));
  assert.equal(slow.max, 2);
  assert.ok(Date.now() - started >= 4 * 40, "the handler's pace");

  // Blob, and an empty file.
  const blob = new Blob([randomBytes(70_000), randomBytes(10)]);
  const blobBytes = new Uint8Array(await blob.arrayBuffer());
  assert.equal((await files.sendFile({ name: "blob.bin", delayMs: 0 }, blob)).sha256, sha256(blobBytes));
  assert.deepEqual(await files.sendFile({ name: "empty.bin", delayMs: 0 }, new Uint8Array(0)), { name: "empty.bin", size: 0, sha256: sha256(Buffer.alloc(0)), chunks: 0 });

  // Cancel: the promise rejects with the signal's reason and the server frees the transfer,
  // so both of this connection's two upload slots are free again.
  const controller = new AbortController();
  const cancelled = files.sendFile({ name: "cancel.bin", delayMs: 30 }, randomBytes(1_000_000), {
    signal: controller.signal,
    onProgress: ({ sent }) => { if (sent > 0) controller.abort(new Error("changed my mind")); },
  });
  assert.equal((await rejection(cancelled, "cancel")).message, "changed my mind");
  const [a, b] = await Promise.all([
    files.sendFile({ name: "a.bin", delayMs: 0 }, randomBytes(100_000)),
    files.sendFile({ name: "b.bin", delayMs: 0 }, randomBytes(100_000)),
  ]);
  assert.equal(a.size + b.size, 200_000);

  // Refusals before the first byte: size limits, the guard, invalid metadata.
  const big = await rejection(files.sendFile({ name: "big.bin", delayMs: 0 }, new Uint8Array(8_000_001)), "big");
  assert.equal(big.fault.code, "transfer_limit");
  assert.match(big.fault.message, /at most 8000000/);
  const forbidden = await rejection(files.sendFile({ name: "forbidden.bin", delayMs: 0 }, randomBytes(10)), "forbidden");
  assert.equal(forbidden.fault.code, "forbidden");
  const invalid = await rejection(files.sendFile({ name: "", delayMs: 0 }, randomBytes(10)), "invalid");
  assert.equal(invalid.fault.code, "invalid_payload");
  assert.deepEqual(invalid.fault.issues.map((i) => i.path), [["meta", "name"]]);

  // The handler answers after one chunk: the client stops and gets the typed error.
  const early = await rejection(files.sendFile({ name: "early.bin", delayMs: 0 }, randomBytes(500_000)), "early");
  assert.ok(files.isAppError("sendFile", early), String(early));
  assert.deepEqual(early.error, { reason: "one chunk is enough" });
  files.close();
}

// Resume: the connection is cut in the middle of an upload; socket.io-client reconnects and
// the upload continues from the last chunk the server acknowledged.
{
  const files = connectFiles(url, { socket: { transports: ["websocket"], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100 } });
  await opened(files);
  let disconnects = 0;
  files.socket.on("disconnect", () => disconnects++);
  const data = randomBytes(2_000_000);
  let cut = false;
  const progress = [];
  const received = await files.sendFile({ name: "resume.bin", delayMs: 5 }, data, {
    onProgress: (p) => {
      progress.push(p.sent);
      if (!cut && p.sent > 600_000) {
        cut = true;
        files.socket.io.engine.close();
      }
    },
  });
  assert.equal(disconnects, 1);
  assert.equal(received.sha256, sha256(data));
  assert.equal(received.size, 2_000_000);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], "progress never goes back");
  files.close();
}

// The wire protocol with a plain socket.io client: the window and chunk size, the hash check,
// per-connection limits.
{
  const raw = await connect("/files");
  const start = (name, size, window) => ack(raw, "sendFile", { meta: { name, delayMs: 0 }, size, ...(window ? { window } : {}) });
  const s = await start("bad.bin", 100_000, 16);
  assert.equal(s.ok, true);
  assert.equal(s.data.chunkSize, 65536);
  assert.equal(s.data.window, 4, "the server's window caps the client's");
  const content = randomBytes(100_000);
  const first = await ack(raw, "eventwire:chunk", { id: s.data.id, offset: 0, data: content.subarray(0, 65536) });
  assert.deepEqual(first, { ok: true, data: { offset: 65536, done: false } });
  await ack(raw, "eventwire:chunk", { id: s.data.id, offset: 65536, data: content.subarray(65536) });
  const mismatch = await ack(raw, "eventwire:finish", { id: s.data.id, sha256: sha256(Buffer.from("something else")) });
  assert.equal(mismatch.fault.code, "integrity");
  // The transfer is gone.
  assert.equal((await ack(raw, "eventwire:finish", { id: s.data.id, sha256: sha256(content) })).fault.code, "unknown_transfer");

  // Two uploads at once per connection, 12 MB in all.
  const one = await start("one.bin", 7_000_000);
  assert.equal(one.ok, true);
  const two = await start("two.bin", 7_000_000);
  assert.equal(two.fault.code, "transfer_limit");
  assert.match(two.fault.message, /would total 14000000 bytes/);
  const three = await start("three.bin", 1000);
  assert.equal(three.ok, true);
  const four = await start("four.bin", 1000);
  assert.equal(four.fault.code, "transfer_limit");
  assert.match(four.fault.message, /already sends 2 uploads/);
  // Cancelling frees a slot.
  await ack(raw, "eventwire:cancel", { id: one.data.id });
  assert.equal((await start("five.bin", 1000)).ok, true);
  raw.close();
}
console.log("uploads: ok");
