// Connection state recovery through the generated client, with socket.io-client's own
// automatic reconnection: the missed events arrive through the typed listeners, in order, and
// `onRecovery` tells the app whether each connection restored its session.
import { assert, url } from "./lib.mjs";
import { connectLab } from "./generated/lab.js";

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const greeting = (client) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no eventwire:recovery within 5 s")), 5000);
    const stop = client.onRecovery((recovered) => {
      clearTimeout(timer);
      stop();
      resolve(recovered);
    });
  });
const reconnecting = { forceNew: true, reconnectionDelay: 300, reconnectionDelayMax: 300, randomizationFactor: 0 };

const a = connectLab(url, { socket: reconnecting });
const recoveries = [];
a.onRecovery((recovered) => recoveries.push(recovered));
assert.equal(await greeting(a), false);
assert.equal(a.socket.recovered, false);
const got = [];
a.on.shouted((shout) => got.push(shout.text));
await a.join({ room: "g" });

const b = connectLab(url, { socket: { forceNew: true, reconnection: false } });
await greeting(b);
assert.equal(await b.shout({ room: "g", except: [], text: "one" }), true);
await wait(100);
assert.deepEqual(got, ["one"]);

// The transport dies; socket.io-client reconnects by itself 300 ms later.
const back = greeting(a);
a.socket.io.engine.close();
await b.shout({ room: "g", except: [], text: "two" });
await b.shout({ room: "g", except: [], text: "three" });
assert.equal(await back, true);
assert.equal(a.socket.recovered, true);
await wait(100);
assert.deepEqual(got, ["one", "two", "three"]);
// Its room came back with it.
await b.shout({ room: "g", except: [], text: "four" });
await wait(100);
assert.deepEqual(got, ["one", "two", "three", "four"]);

// Every connection of `a` was reported once: the first fresh, the second recovered.
assert.deepEqual(recoveries, [false, true]);

a.close();
b.close();
console.log("recovery through the generated client: the missed shouts arrived in order");
