// Sharing files through the generated client, over WebSocket and over long-polling: the
// other members get the bytes exactly; a file over 1 MiB is refused with `too_large` and
// reaches nobody, and goes as an upload instead; the history keeps each file's metadata, and
// an uploaded file's bytes, which a member who joins later downloads.
import { assert, url } from "../../../tests/node/lib.mjs";
import { FaultError, AppError, connectChat } from "../web/generated/chat.js";
import { randomBytes } from "node:crypto";

function connected(client) {
  return new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
}
function next(subscribe, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
    const stop = subscribe((payload) => { clearTimeout(timer); stop(); resolve(payload); });
  });
}
function silence(subscribe, ms = 500) {
  return new Promise((resolve, reject) => {
    const stop = subscribe((payload) => { stop(); reject(new Error(`unexpected event: ${payload.name}`)); });
    setTimeout(() => { stop(); resolve(); }, ms);
  });
}

for (const transports of [["websocket"], ["polling"]]) {
  const options = { socket: { forceNew: true, reconnection: false, transports } };
  const open = (user) => connected(connectChat(url, { ...options, auth: { user } }));
  const room = `files-${transports[0]}`;
  const [ada, bob] = await Promise.all([open("ada"), open("bob")]);
  await ada.join({ room });
  await bob.join({ room });

  // Byte-exact: random data, including the largest file a message carries.
  for (const size of [1, 300 * 1024 + 7, 1024 * 1024]) {
    const data = randomBytes(size);
    const received = next(bob.on.fileShared);
    const sent = await ada.shareFile({ room, name: `blob-${size}.bin`, mime: "application/octet-stream", data });
    const shared = await received;
    assert.equal(shared.user, "ada");
    assert.equal(shared.name, `blob-${size}.bin`);
    assert.equal(shared.at, sent.sentAt);
    assert.equal(shared.data.constructor, Uint8Array);
    assert.ok(Buffer.from(shared.data).equals(data), `the ${size}-byte file arrived changed`);
  }

  // Between 1 and 2 MiB: a `too_large` fault, and nobody receives anything.
  if (transports[0] === "websocket") {
    const quiet = silence(bob.on.fileShared);
    const refused = await ada
      .shareFile({ room, name: "big.bin", mime: "application/octet-stream", data: randomBytes(1536 * 1024) })
      .catch((error) => error);
    assert.ok(refused instanceof FaultError, String(refused));
    assert.equal(refused.fault.code, "invalid_payload");
    assert.deepEqual(refused.fault.issues.map((i) => i.code), ["too_large"]);
    await quiet;
    // The connection survived: the next file goes through.
    const received = next(bob.on.fileShared);
    await ada.shareFile({ room, name: "after.txt", mime: "text/plain", data: Buffer.from("still here") });
    assert.equal(Buffer.from((await received).data).toString(), "still here");
  }

  // The rules of the payload: a name of 1–255 characters, a joined room.
  const unnamed = await ada.shareFile({ room, name: "", mime: "text/plain", data: new Uint8Array(1) }).catch((e) => e);
  assert.deepEqual(unnamed.fault.issues.map((i) => [i.path.join("."), i.code]), [["name", "length"]]);
  const outside = await ada.shareFile({ room: "elsewhere", name: "a", mime: "text/plain", data: new Uint8Array(1) }).catch((e) => e);
  assert.ok(outside instanceof AppError);
  assert.deepEqual(outside.error, { code: "notInRoom", room: "elsewhere" });

  // Joining again: the history lists the files, without their data.
  const rejoined = await bob.join({ room });
  const names = rejoined.files.map((f) => f.name);
  assert.deepEqual(names.slice(0, 3), ["blob-1.bin", `blob-${300 * 1024 + 7}.bin`, `blob-${1024 * 1024}.bin`]);
  assert.deepEqual(rejoined.files.map((f) => f.size).slice(0, 3), [1, 300 * 1024 + 7, 1024 * 1024]);
  assert.ok(!names.includes("big.bin"));
  assert.equal(rejoined.files[0].user, "ada");

  // Larger files go as an upload: in chunks with progress, byte-exact for the others, listed
  // in the history like the small ones; only to a joined room, at most 16 MiB.
  const large = randomBytes(3 * 1024 * 1024 + 11);
  const arrived = next(bob.on.fileShared, 20_000);
  const progress = [];
  const uploaded = await ada.uploadFile({ room, name: "large.bin", mime: "application/octet-stream" }, large, {
    onProgress: ({ sent, total }) => progress.push(sent / total),
    timeoutMs: 20_000,
  });
  const shared = await arrived;
  assert.equal(shared.name, "large.bin");
  assert.equal(shared.at, uploaded.sentAt);
  assert.ok(Buffer.from(shared.data).equals(large), "the uploaded file arrived changed");
  assert.equal(progress[0], 0);
  assert.equal(progress.at(-1), 1);
  assert.ok(progress.length > 3, "progress along the way");
  assert.equal((await bob.join({ room })).files.find((f) => f.name === "large.bin").size, large.length);
  const elsewhere = await ada.uploadFile({ room: "elsewhere", name: "a.bin", mime: "text/plain" }, large).catch((e) => e);
  assert.equal(elsewhere.fault.code, "forbidden");
  const huge = await ada.uploadFile({ room, name: "huge.bin", mime: "text/plain" }, new Uint8Array(16 * 1024 * 1024 + 1)).catch((e) => e);
  assert.equal(huge.fault.code, "transfer_limit");

  // A member who joins later downloads the uploaded file from the history, with progress,
  // byte-exact; a file shared in one message is not kept, and only members may download.
  const carol = await open("carol");
  const history = (await carol.join({ room })).files;
  const record = history.find((f) => f.name === "large.bin");
  const downloaded = [];
  const file = await carol.downloadFile({ room, id: record.id }, {
    onProgress: ({ received, total }) => downloaded.push(received / total),
    timeoutMs: 20_000,
  });
  assert.ok(Buffer.from(file.data).equals(large), "the downloaded file arrived changed");
  assert.deepEqual([file.name, file.mime, file.size], ["large.bin", "application/octet-stream", large.length]);
  assert.equal(downloaded[0], 0);
  assert.equal(downloaded.at(-1), 1);
  assert.ok(downloaded.length > 3, "download progress along the way");
  const small = history.find((f) => f.size <= 1024 * 1024);
  const gone = await carol.downloadFile({ room, id: small.id }).catch((e) => e);
  assert.ok(carol.isAppError("downloadFile", gone), String(gone));
  assert.deepEqual(gone.error, { code: "gone", id: small.id });
  const outsider = await carol.downloadFile({ room: "elsewhere", id: record.id }).catch((e) => e);
  assert.equal(outsider.fault.code, "forbidden");
  carol.close();
  ada.close();
  bob.close();
}
console.log("files: ok");
