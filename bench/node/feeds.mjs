// W6's Node peer: socket.io 4.8 holding the same subscriptions as eventwire's feed (the
// same `eventwire:subscribe` frames and acks) and, per change, filtering every
// subscription in JavaScript and emitting `eventwire:change` to the matching sockets, as
// an app without an index would. See bench/src/feeds/mod.rs.
// Prints `port <n>` once listening on 127.0.0.1; exits when stdin closes.
import { createServer } from "node:http";
import { Server } from "socket.io";

const STATUSES = new Set(["todo", "doing", "review", "done"]);
const FILTER_FIELDS = new Set(["project", "status", "minPriority"]);
const isU32 = (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isSet = (v) => v !== undefined && v !== null;

const validFilter = (f) =>
  isObject(f) &&
  Object.keys(f).every((key) => FILTER_FIELDS.has(key)) &&
  (!isSet(f.project) || isU32(f.project)) &&
  (!isSet(f.status) || STATUSES.has(f.status)) &&
  (!isSet(f.minPriority) || (Number.isInteger(f.minPriority) && f.minPriority >= 0 && f.minPriority <= 255));
const validTask = (t) =>
  isObject(t) &&
  isU32(t.id) &&
  isU32(t.project) &&
  STATUSES.has(t.status) &&
  Number.isInteger(t.priority) &&
  typeof t.title === "string";

// The same constraints as the Rust filter: eq, eq, gte; unset ones do not constrain.
const matches = (f, t) =>
  (!isSet(f.project) || f.project === t.project) &&
  (!isSet(f.status) || f.status === t.status) &&
  (!isSet(f.minPriority) || t.priority >= f.minPriority);

const fault = { ok: false, fault: { code: "invalid_payload", event: "eventwire:subscribe" } };
const subscriptions = new Map(); // id -> { socket, filter }
let nextId = 0;
let offset = 0;

const httpServer = createServer();
const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
io.engine.on("connection", (rawSocket) => {
  rawSocket.request = null;
});

io.on("connection", (socket) => {
  const mine = [];
  socket.on("eventwire:subscribe", (request, ack) => {
    if (typeof ack !== "function") return;
    if (!isObject(request) || request.feed !== "tasks" || !validFilter(request.filter)) {
      return ack(fault);
    }
    if (mine.length >= 100) {
      return ack({ ok: false, fault: { code: "subscription_limit", event: "eventwire:subscribe" } });
    }
    const id = String(++nextId);
    subscriptions.set(id, { socket, filter: request.filter });
    mine.push(id);
    ack({ ok: true, data: { id, epoch: "node", offset: String(offset), keys: [], items: [] } });
  });
  socket.on("change", (task) => {
    if (!validTask(task)) return;
    const frameOffset = String(++offset);
    for (const [id, { socket: subscriber, filter }] of subscriptions) {
      if (matches(filter, task)) {
        subscriber.emit("eventwire:change", {
          id,
          offset: frameOffset,
          action: "added",
          key: task.id,
          item: task,
        });
      }
    }
  });
  socket.on("disconnect", () => {
    for (const id of mine) subscriptions.delete(id);
  });
});

httpServer.listen(0, "127.0.0.1", () => {
  process.stdout.write(`port ${httpServer.address().port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
