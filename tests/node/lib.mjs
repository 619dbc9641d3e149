// Helpers shared by the end-to-end clients. Every wait is bounded.
import { io } from "socket.io-client";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

export const url = process.argv[2];
if (!url) throw new Error("usage: node <script> <server url>");

export function connect(namespace, options = {}) {
  return connectTo(url, namespace, options);
}

// Connects to the server at `base` (the multi-node tests address each node).
export function connectTo(base, namespace, options = {}) {
  const socket = io(base + namespace, { forceNew: true, reconnection: false, ...options });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect to ${namespace} timed out`)), 5000);
    socket.once("connect", () => { clearTimeout(timer); resolve(socket); });
    socket.once("connect_error", (error) => { clearTimeout(timer); reject(error); });
  });
}

export function ack(socket, event, ...args) {
  return socket.timeout(5000).emitWithAck(event, ...args);
}

export function next(socket, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (...args) => { clearTimeout(timer); resolve(args); });
  });
}

export function silence(socket, event, ms = 300) {
  return new Promise((resolve, reject) => {
    const listener = (...args) => reject(new Error(`unexpected ${event}: ${JSON.stringify(args)}`));
    socket.on(event, listener);
    setTimeout(() => { socket.off(event, listener); resolve(); }, ms);
  });
}

// The SHA-256 of `bytes`, as hex.
export const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// Resolves when a typed client's first connection opens; rejects on its connect error.
export const opened = (client) => new Promise((resolve, reject) => {
  client.socket.once("connect", resolve);
  client.socket.once("connect_error", reject);
});

// The error `promise` rejects with; fails if it resolves.
export const rejection = async (promise, what) => {
  let value;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: expected a rejection, got ${JSON.stringify(value)}`);
};

// Resolves once `done()` holds (checked every 20 ms), or after `ms` whatever it says: the
// caller asserts what it expected, so a slow machine fails with the real difference.
export function settled(done, ms = 10000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => (done() || Date.now() - started >= ms ? resolve() : setTimeout(check, 20));
    check();
  });
}

export { assert };
