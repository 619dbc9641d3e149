// The Node peer: socket.io 4.8 doing the same work as the Rust servers (see
// bench/src/servers/mod.rs). WebSocket only, no compression (socket.io's default), and the
// HTTP request of each handshake dropped, as socket.io's "Memory usage" guide advises.
// Prints `port <n>` once listening on 127.0.0.1; exits when stdin closes.
import { createServer } from "node:http";
import { Server } from "socket.io";

// Characters (Unicode scalar values), as Rust's `str::chars().count()` counts them.
function chars(text) {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc00 || unit > 0xdfff) count++;
  }
  return count;
}
const within = (text, min, max) =>
  typeof text === "string" && chars(text) >= min && chars(text) <= max;
const isU32 = (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

const validMessage = (m) =>
  isObject(m) && within(m.room, 1, 32) && within(m.text, 1, 2000) && isU32(m.sent_at);
const validItem = (item) =>
  isObject(item) &&
  within(item.sku, 1, 64) &&
  isU32(item.quantity) &&
  item.quantity >= 1 &&
  item.quantity <= 1000 &&
  (item.note === undefined || item.note === null || typeof item.note === "string");
const validOrder = (o) =>
  isObject(o) &&
  within(o.customer, 1, 64) &&
  Array.isArray(o.items) &&
  o.items.length >= 1 &&
  o.items.length <= 100 &&
  o.items.every(validItem);
const validRoom = (r) => isObject(r) && within(r.room, 1, 32);
const validNews = (n) =>
  isObject(n) && within(n.room, 1, 32) && isU32(n.n) && within(n.text, 0, 2000);

const fault = { ok: false, fault: "invalid_payload" };

const httpServer = createServer();
const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
io.engine.on("connection", (rawSocket) => {
  rawSocket.request = null;
});

io.on("connection", (socket) => {
  socket.on("echo", (message, ack) => {
    if (typeof ack !== "function") return;
    ack(validMessage(message) ? { ok: true, data: message } : fault);
  });
  socket.on("order", (order, ack) => {
    if (typeof ack !== "function") return;
    if (!validOrder(order)) return ack(fault);
    const quantity = order.items.reduce((sum, item) => sum + item.quantity, 0);
    ack({ ok: true, data: { lines: order.items.length, quantity } });
  });
  socket.on("join", (room, ack) => {
    if (typeof ack !== "function") return;
    if (!validRoom(room)) return ack(fault);
    socket.join(room.room);
    ack({ ok: true, data: null });
  });
  socket.on("publish", (news, ack) => {
    const answer = typeof ack === "function" ? ack : () => {};
    if (!validNews(news)) return answer(fault);
    socket.to(news.room).emit("news", news);
    answer({ ok: true, data: null });
  });
});

httpServer.listen(0, "127.0.0.1", () => {
  process.stdout.write(`port ${httpServer.address().port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
