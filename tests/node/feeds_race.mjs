// No race between snapshot and changes: hammer clients create, move and delete tasks as
// fast as they can while subscribers subscribe (with various filters) at staggered times.
// When the hammering is over, every subscriber's live collection must equal the board's
// state under its filter (`list`, answered on the subscriber's own socket, so every change
// published before it has arrived first).
import { assert, url } from "./lib.mjs";
import { connectBoard } from "./generated/board.js";

function connected(client) {
  return new Promise((resolve, reject) => {
    client.socket.once("connect", () => resolve(client));
    client.socket.once("connect_error", reject);
  });
}
const member = (name) =>
  connected(connectBoard(url, { auth: { workspace: 50, name }, socket: { forceNew: true, reconnection: false } }));

const STATUSES = ["todo", "doing", "done"];
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const FILTERS = [
  {},
  { status: "doing" },
  { statuses: ["todo", "done"] },
  { minPriority: 3 },
  { assignee: "a", status: "todo" },
  { search: "X" },
  { priorityBetween: [2, 4], statuses: ["doing"] },
];

const HAMMERS = 4;
const SUBSCRIBERS = 14;
const DURATION_MS = 1500;

const hammers = await Promise.all(Array.from({ length: HAMMERS }, (_, i) => member(`h${i}`)));
const subscribers = await Promise.all(Array.from({ length: SUBSCRIBERS }, (_, i) => member(`s${i}`)));

let operations = 0;
const start = Date.now();
async function hammer(client) {
  while (Date.now() - start < DURATION_MS) {
    const id = 1 + Math.floor(Math.random() * 200);
    const roll = Math.random();
    const call =
      roll < 0.4
        ? client.create({ id, status: pick(STATUSES), assignee: pick(["a", "b"]), priority: 1 + Math.floor(Math.random() * 5), title: pick(["x", "fix X", "y"]) })
        : roll < 0.8
          ? client.move({ id, status: pick(STATUSES) })
          : client.delete({ id });
    await call.catch(() => {}); // NotFound / Exists are part of the game
    operations++;
  }
}

const lives = [];
async function subscribeLater(client, index) {
  // Spread over the hammering, the last ones just before it stops: changes published while
  // their snapshots load are not healed by later ones.
  await new Promise((r) => setTimeout(r, ((index + 1) * (DURATION_MS - 30)) / SUBSCRIBERS));
  const filter = FILTERS[index % FILTERS.length];
  lives.push({ client, filter, live: await client.tasks.subscribe(filter) });
}

await Promise.all([...hammers.map(hammer), ...subscribers.map(subscribeLater)]);
assert.equal(lives.length, SUBSCRIBERS);

for (const { client, filter, live } of lives) {
  const truth = await client.list(filter);
  assert.equal(live.ended, null, `ended: ${JSON.stringify(live.ended)}`);
  const held = [...live.items.values()].sort((a, b) => a.id - b.id);
  assert.deepEqual(held, truth, `filter ${JSON.stringify(filter)}: the live collection differs from the board`);
}
console.log(`feeds race: ${operations} operations, ${SUBSCRIBERS} subscribers agree with the board`);
for (const client of [...hammers, ...subscribers]) client.close();
