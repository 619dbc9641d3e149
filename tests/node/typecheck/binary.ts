// Binary fields: the client sends Uint8Array, ArrayBuffer or Buffer and receives Uint8Array;
// strings and number arrays are type errors.
import { FaultError, connectFiles } from "../generated/files.js";

const files = connectFiles("http://127.0.0.1");
const upload = { title: "t", thumbnail: null, attachments: [], raw: new Uint8Array(1) };
const stored = await files.upload({ ...upload, data: new Uint8Array([1, 2]) });
const data: Uint8Array = stored.data;
const thumbnail: Uint8Array | null = stored.thumbnail;
void data, thumbnail;
await files.upload({ ...upload, data: new ArrayBuffer(2), attachments: [{ name: "a", data: new ArrayBuffer(1) }] });
declare const buffer: Uint8Array & { readUInt8(offset: number): number };
await files.upload({ ...upload, data: buffer });
// @ts-expect-error a string is not binary data
await files.upload({ ...upload, data: "AQID" });
// @ts-expect-error nor is an array of numbers
await files.upload({ ...upload, data: [1, 2, 3] });
files.on.stored((payload) => {
  const bytes: Uint8Array = payload.data;
  // @ts-expect-error what arrives is a Uint8Array, never an ArrayBuffer
  const buffer: ArrayBuffer = payload.attachments[0]!.data;
  void bytes, buffer;
});

// Uploads: metadata typed, data a Blob, Uint8Array or ArrayBuffer, the answer typed.
declare const blob: { readonly size: number; arrayBuffer(): Promise<ArrayBuffer> };
declare const signal: { readonly aborted: boolean; addEventListener(type: "abort", l: () => void): void; removeEventListener(type: "abort", l: () => void): void };
const received = await files.sendFile({ name: "a.bin", delayMs: 0 }, blob, {
  window: 4,
  signal,
  onProgress: ({ sent, total }) => void (sent / total),
});
const sha: string = received.sha256;
void sha;
await files.sendFile({ name: "a.bin", delayMs: 0 }, new ArrayBuffer(1));
try {
  await files.sendFile({ name: "a.bin", delayMs: 0 }, new Uint8Array(1));
} catch (error) {
  if (files.isAppError("sendFile", error)) {
    const reason: string = error.error.reason;
    void reason;
  }
}
// @ts-expect-error the metadata is checked
await files.sendFile({ name: "a.bin" }, new Uint8Array(1));
// @ts-expect-error a string is not a file
await files.sendFile({ name: "a.bin", delayMs: 0 }, "text");

// Downloads: the request typed, the result typed by the options (in memory, or streamed
// without `data`), the app's error narrowed.
const request = { name: "a.bin", size: 1, seed: 1, delayMs: 0 };
const fetched = await files.fetchFile(request, {
  signal,
  window: 2,
  timeoutMs: 1000,
  onProgress: ({ received, total }) => void (received / total),
});
const fetchedBytes: Uint8Array = fetched.data;
const fetchedName: string | undefined = fetched.name;
const fetchedSize: number = fetched.size;
void fetchedBytes, fetchedName, fetchedSize;
const streamedInfo = await files.fetchFile(request, { onChunk: (chunk: Uint8Array, offset: number) => void (chunk.length + offset) });
const streamedSha: string = streamedInfo.sha256;
void streamedSha;
// @ts-expect-error a streamed download keeps no data
void streamedInfo.data;
try {
  await files.fetchFile(request);
} catch (error) {
  if (files.isAppError("fetchFile", error)) {
    const missingName: string = error.error.name;
    void missingName;
  }
  if (error instanceof FaultError && error.fault.code === "integrity") void error.fault.message;
}
// @ts-expect-error the request is checked
await files.fetchFile({ name: "a.bin" });
// @ts-expect-error a download's progress counts bytes received, not sent
await files.fetchFile(request, { onProgress: ({ sent }) => void sent });
// @ts-expect-error chunks are Uint8Array
await files.fetchFile(request, { onChunk: (chunk: string) => void chunk });
