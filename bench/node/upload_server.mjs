// The Node peer of the upload measurement: socket.io 4.8 answering each `chunk` with its
// byte count, with a 2 MB message limit (maxHttpBufferSize). Prints `port <n>` once
// listening, `rss_kib <n>` (its peak resident memory) when stdin closes, then exits.
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 2 * 1024 * 1024, transports: ["websocket"] });
let peak = process.memoryUsage().rss;
setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20).unref();
io.on("connection", (socket) => {
  socket.on("chunk", (payload, ack) => {
    const ok = payload && Number.isInteger(payload.seq) && Buffer.isBuffer(payload.data);
    ack(ok ? payload.data.length : { ok: false });
  });
});
http.listen(0, "127.0.0.1", () => console.log(`port ${http.address().port}`));
process.stdin.on("end", () => {
  console.log(`rss_kib ${Math.round(Math.max(peak, process.memoryUsage().rss) / 1024)}`);
  process.exit(0);
});
process.stdin.resume();
