// Downloads through the generated client over WebSocket and long-polling: a several-MB file
// in chunks with progress and at most a window unacknowledged, byte-exact, streamed without
// buffering (`onChunk`), a file that went through an upload, cancel, every refusal before the
// first byte (guard, app error, invalid request, limits), a stream that lies about its size or
// fails; then a resume after a forced reconnect, a file that changes during a resume (the
// SHA-256 check fails), and the wire protocol with a plain socket.io client.
import { randomBytes } from "node:crypto";
import { connect, ack, assert, next, opened, rejection, sha256, url } from "./lib.mjs";
import { TimeoutError, connectFiles } from "./generated/files.js";

// The files server's generated content: xorshift32 from `seed | 1`, each state little endian.
function generated(seed, size) {
  const out = Buffer.alloc(Math.ceil(size / 4) * 4);
  let state = (seed | 1) >>> 0;
  for (let i = 0; i < out.length; i += 4) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    out.writeUInt32LE(state, i);
  }
  return out.subarray(0, size);
}

// Counts the chunks a client has received and not yet acknowledged, its acknowledgements
// held back `delayMs` each so that the server's window fills: at most the window are out.
function watchWindow(client, delayMs = 10) {
  const seen = { unacked: 0, max: 0, chunks: 0 };
  // `onAny` runs before the client's own listener, which acknowledges.
  client.socket.onAny((event) => {
    if (event !== "eventwire:download-chunk") return;
    seen.unacked++;
    seen.chunks++;
    seen.max = Math.max(seen.max, seen.unacked);
  });
  const emit = client.socket.emit.bind(client.socket);
  client.socket.emit = (event, ...args) => {
    if (event !== "eventwire:download-ack") return emit(event, ...args);
    setTimeout(() => {
      seen.unacked--;
      emit(event, ...args);
    }, delayMs);
    return client.socket;
  };
  seen.stop = () => {
    client.socket.emit = emit;
    client.socket.offAny();
  };
  return seen;
}

const file = (name, size, extra = {}) => ({ name, size, seed: 7, delayMs: 0, ...extra });

for (const transports of [["websocket"], ["polling"]]) {
  const files = connectFiles(url, { socket: { transports, forceNew: true, reconnection: false } });
  await opened(files);

  // 3,000,000 bytes: 46 chunks of at most 64 KiB, at most the window of 4 in flight.
  const expected = generated(7, 3_000_000);
  const progress = [];
  const seen = watchWindow(files);
  const got = await files.fetchFile(file("big.bin", 3_000_000), { onProgress: (p) => progress.push(p) });
  assert.equal(got.size, 3_000_000);
  assert.equal(got.name, "big.bin");
  assert.equal(got.sha256, sha256(expected));
  assert.ok(got.data instanceof Uint8Array);
  assert.ok(Buffer.from(got.data).equals(expected), "byte-exact");
  assert.equal(seen.chunks, Math.ceil(3_000_000 / 65536));
  assert.equal(seen.max, 4, "the server's window of 4 unacknowledged, and no more");
  seen.stop();
  assert.deepEqual(progress[0], { received: 0, total: 3_000_000 });
  assert.deepEqual(progress.at(-1), { received: 3_000_000, total: 3_000_000 });
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].received > progress[i - 1].received);

  // Streaming: each chunk handed over in order and not kept; a smaller window is kept.
  const slow = watchWindow(files);
  const parts = [];
  const streamed = await files.fetchFile(file("stream.bin", 500_000, { seed: 9, delayMs: 20 }), {
    window: 1,
    onChunk: (chunk, offset) => parts.push([offset, Buffer.from(chunk)]),
  });
  assert.equal(streamed.data, undefined);
  assert.equal(slow.max, 1);
  slow.stop();
  let offset = 0;
  for (const [at, chunk] of parts) {
    assert.equal(at, offset);
    offset += chunk.length;
  }
  assert.ok(Buffer.concat(parts.map(([, chunk]) => chunk)).equals(generated(9, 500_000)));
  assert.equal(streamed.sha256, sha256(generated(9, 500_000)));

  // A file that went through an upload comes back byte-exact, with its name and type; an
  // empty one too.
  const uploaded = randomBytes(1_500_000);
  await files.sendFile({ name: "shared.bin", delayMs: 0 }, uploaded);
  const back = await files.fetchFile(file("stored:shared.bin", 0));
  assert.ok(Buffer.from(back.data).equals(uploaded));
  assert.deepEqual([back.name, back.mime], ["shared.bin", "application/octet-stream"]);
  const empty = await files.fetchFile(file("empty.bin", 0));
  assert.deepEqual([empty.size, empty.data.length, empty.sha256], [0, 0, sha256(Buffer.alloc(0))]);

  // Cancel: the promise rejects with the signal's reason; the server drops the stream, so
  // both of this connection's two download slots are free again.
  const controller = new AbortController();
  const cancelled = files.fetchFile(file("cancel.bin", 2_000_000, { delayMs: 30 }), {
    signal: controller.signal,
    onProgress: ({ received }) => { if (received > 0) controller.abort(new Error("changed my mind")); },
  });
  assert.equal((await rejection(cancelled, "cancel")).message, "changed my mind");
  const [a, b] = await Promise.all([files.fetchFile(file("a.bin", 100_000)), files.fetchFile(file("b.bin", 100_000))]);
  assert.equal(a.size + b.size, 200_000);
  // A third at once is refused before its handler runs.
  const three = [files.fetchFile(file("c.bin", 300_000, { delayMs: 20 })), files.fetchFile(file("d.bin", 300_000, { delayMs: 20 }))];
  const limited = await rejection(files.fetchFile(file("e.bin", 10)), "limit");
  assert.equal(limited.fault.code, "transfer_limit");
  assert.match(limited.fault.message, /already receives 2 downloads/);
  await Promise.all(three);

  // A server that stops sending mid-file: the download gives up after `idleTimeoutMs`
  // without a chunk, and cancels, so both slots are free again at once.
  const stalled = await rejection(files.fetchFile(file("stalled.bin", 300_000, { delayMs: 1000 }), { idleTimeoutMs: 300 }), "stalled");
  assert.ok(stalled instanceof TimeoutError, String(stalled));
  assert.equal(stalled.timeoutMs, 300);
  const [c, d] = await Promise.all([files.fetchFile(file("c2.bin", 50_000)), files.fetchFile(file("d2.bin", 50_000))]);
  assert.equal(c.size + d.size, 100_000);

  // Refusals before the first byte: the guard, the app's typed error, an invalid request.
  const forbidden = await rejection(files.fetchFile(file("forbidden.bin", 10)), "forbidden");
  assert.equal(forbidden.fault.code, "forbidden");
  const missing = await rejection(files.fetchFile(file("missing.bin", 10)), "missing");
  assert.ok(files.isAppError("fetchFile", missing), String(missing));
  assert.deepEqual(missing.error, { name: "missing.bin" });
  const invalid = await rejection(files.fetchFile(file("", 10)), "invalid");
  assert.equal(invalid.fault.code, "invalid_payload");
  assert.deepEqual(invalid.fault.issues.map((i) => i.path), [["request", "name"]]);

  // A stream that lies about its size, or fails: typed faults, never a wrong file.
  const short = await rejection(files.fetchFile(file("short.bin", 200_000)), "short");
  assert.equal(short.fault.code, "integrity");
  assert.match(short.fault.message, /ended after 200000 of its 201000 bytes/);
  const long = await rejection(files.fetchFile(file("long.bin", 200_000)), "long");
  assert.equal(long.fault.code, "integrity");
  assert.match(long.fault.message, /more than the 199000 bytes declared/);
  const broken = await rejection(files.fetchFile(file("broken.bin", 200_000)), "broken");
  assert.equal(broken.fault.code, "internal");
  files.close();
}

// Resume: the connection is cut in the middle of a download; socket.io-client reconnects and
// the download continues from the last byte received.
{
  const files = connectFiles(url, { socket: { transports: ["websocket"], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100 } });
  await opened(files);
  let disconnects = 0;
  files.socket.on("disconnect", () => disconnects++);
  const starts = [];
  const emit = files.socket.emit.bind(files.socket);
  files.socket.emit = (event, ...args) => {
    if (event === "fetchFile") starts.push(args[0].offset ?? 0);
    return emit(event, ...args);
  };
  let cut = false;
  const progress = [];
  const got = await files.fetchFile(file("resume.bin", 2_000_000, { seed: 11, delayMs: 5 }), {
    onProgress: ({ received }) => {
      progress.push(received);
      if (!cut && received > 600_000) {
        cut = true;
        files.socket.io.engine.close();
      }
    },
  });
  assert.equal(disconnects, 1);
  assert.ok(Buffer.from(got.data).equals(generated(11, 2_000_000)), "byte-exact after the resume");
  assert.equal(starts.length, 2);
  assert.equal(starts[0], 0);
  assert.ok(starts[1] > 600_000, `the second request resumes at ${starts[1]}`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], "progress never goes back");

  // A file that changes between the request and its resume: the bytes held and the bytes
  // sent after do not make the file the server hashed, and the check says so.
  cut = false;
  const changed = await rejection(files.fetchFile(file("changing.bin", 1_000_000, { delayMs: 5 }), {
    onProgress: ({ received }) => {
      if (!cut && received > 300_000) {
        cut = true;
        files.socket.io.engine.close();
      }
    },
  }), "changing");
  assert.equal(changed.fault.code, "integrity");
  assert.match(changed.fault.message, /does not match the SHA-256/);
  files.close();
}

// The wire protocol with a plain socket.io client: the start's answer, chunks as binary
// attachments with at most the window unacknowledged, the end with the SHA-256, and faults for
// acknowledgements of an unknown transfer or of bytes not sent.
{
  const raw = await connect("/files");
  const faults = [];
  raw.on("eventwire:fault", (fault) => faults.push(fault));
  const chunks = [];
  raw.on("eventwire:download-chunk", (chunk) => chunks.push(chunk));
  const started = await ack(raw, "fetchFile", { request: file("raw.bin", 300_000), window: 16 });
  assert.equal(started.ok, true);
  assert.deepEqual({ ...started.data, id: "" }, { id: "", size: 300_000, name: "raw.bin", chunkSize: 65536, window: 4 });
  const id = started.data.id;
  // Nothing acknowledged: the server sends the window and waits.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(chunks.length, 4);
  assert.ok(chunks.every((c) => Buffer.isBuffer(c.data) && c.data.length === 65536));
  assert.deepEqual(chunks.map((c) => c.offset), [0, 65536, 131072, 196608]);
  // An acknowledgement for a transfer this connection does not receive.
  raw.emit("eventwire:download-ack", { id: "nope", offset: 1 });
  const [unknown] = await next(raw, "eventwire:fault");
  assert.equal(unknown.code, "unknown_transfer");
  const end = next(raw, "eventwire:download-end");
  raw.emit("eventwire:download-ack", { id, offset: 4 * 65536 });
  const [done] = await end;
  const all = Buffer.concat(chunks.map((c) => c.data));
  assert.ok(all.equals(generated(7, 300_000)));
  assert.deepEqual(done, { id, sha256: sha256(all) });
  raw.emit("eventwire:download-ack", { id, offset: 300_000 });

  // Bytes never sent: an `invalid_chunk` fault, and the transfer ends with it.
  const second = await ack(raw, "fetchFile", { request: file("raw2.bin", 300_000) });
  const ended = next(raw, "eventwire:download-end");
  const answer = await ack(raw, "eventwire:download-ack", { id: second.data.id, offset: 299_999 });
  assert.equal(answer.fault.code, "invalid_chunk");
  assert.match(answer.fault.message, /past the 262144 sent/);
  const [brokenEnd] = await ended;
  assert.equal(brokenEnd.fault.code, "invalid_chunk");
  // Its id is now unknown.
  assert.equal((await ack(raw, "eventwire:download-ack", { id: second.data.id, offset: 1 })).fault.code, "unknown_transfer");
  // A resume offset past the file: the file changed.
  const past = await ack(raw, "fetchFile", { request: file("raw3.bin", 100), offset: 101 });
  assert.equal(past.fault.code, "integrity");
  raw.close();
}
console.log("downloads: ok");
