// Uploads `megabytes` MB to a server in 1 MB chunks, each awaited with emitWithAck (the
// pattern socket.io documents for files), and prints `mb_per_s <n>`. The server answers each
// chunk with its byte count. Usage: node upload.mjs <url> <megabytes>
import { io } from "socket.io-client";

const [url, megabytes = "100"] = process.argv.slice(2);
const socket = io(url, { transports: ["websocket"], reconnection: false });
await new Promise((resolve, reject) => {
  socket.once("connect", resolve);
  socket.once("connect_error", reject);
});
const chunk = Buffer.alloc(1024 * 1024, 0xab);
const started = performance.now();
let total = 0;
for (let seq = 0; seq < Number(megabytes); seq++) {
  const answer = await socket.timeout(10_000).emitWithAck("chunk", { seq, data: chunk });
  const received = answer?.ok === true ? answer.data : answer;
  if (received !== chunk.length) throw new Error(`chunk ${seq}: unexpected answer ${JSON.stringify(answer)}`);
  total += chunk.length;
}
const seconds = (performance.now() - started) / 1000;
console.log(`mb_per_s ${(total / 1e6 / seconds).toFixed(1)}`);
socket.close();
