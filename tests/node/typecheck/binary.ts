// Binary fields: the client sends Uint8Array, ArrayBuffer or Buffer and receives Uint8Array;
// strings and number arrays are type errors.
import { connectFiles } from "../generated/files.js";

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
