// Uploads `megabytes` MB through eventwire's upload stream with the generated client
// (`client.stream(meta, data)`: the server's chunk size and window, SHA-256 computed here and
// checked by the server) and prints `mb_per_s <n>`, the time counted from the call to the
// answer, hashing included. Usage: node upload_stream.mjs <url> <megabytes> <generated client .js>
const [url, megabytes = "100", client] = process.argv.slice(2);
const { connectUpload } = await import(client);

const upload = connectUpload(url, { socket: { transports: ["websocket"], reconnection: false }, timeoutMs: 60_000 });
await new Promise((resolve, reject) => {
  upload.socket.once("connect", resolve);
  upload.socket.once("connect_error", reject);
});
const data = new Uint8Array(Number(megabytes) * 1024 * 1024).fill(0xab);
const started = performance.now();
const size = await upload.stream({ name: "bench.bin" }, data);
const seconds = (performance.now() - started) / 1000;
if (size !== data.length) throw new Error(`the server received ${size} of ${data.length} bytes`);
console.log(`mb_per_s ${(data.length / 1e6 / seconds).toFixed(1)}`);
upload.close();
