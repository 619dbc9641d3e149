// Every invalid payload gets a structured `invalid_payload` fault naming the event and,
// for each problem, its JSON path (wire names) and a message.
import { connect, ack, next, assert } from "./lib.mjs";

const lab = await connect("/lab", { transports: ["websocket"] });

async function fault(event, ...args) {
  const response = await ack(lab, event, ...args);
  assert.equal(response.ok, false, JSON.stringify(response));
  assert.equal(response.fault.code, "invalid_payload");
  assert.equal(response.fault.event, event);
  return response.fault.issues.map(({ path, code, message }) => ({ path: path.join("."), code, message }));
}

// Wrong type, missing field, missing payload, too many arguments.
assert.deepEqual(await fault("echo", { text: 5, repeatCount: 1 }), [
  { path: "text", code: "type", message: "invalid type: integer `5`, expected a string" },
]);
assert.deepEqual(await fault("echo", { text: "a" }), [
  { path: "repeatCount", code: "type", message: "missing field `repeatCount`" },
]);
assert.deepEqual(await fault("echo"), [{ path: "", code: "arguments", message: "a payload is required" }]);
assert.deepEqual(await fault("echo", { text: "a", repeatCount: 1 }, 2), [
  { path: "", code: "arguments", message: "expected one payload argument, got 2" },
]);

// Constraints: length and range, both reported at once.
assert.deepEqual(await fault("echo", { text: "", repeatCount: 9 }), [
  { path: "text", code: "length", message: "must be between 1 and 10 characters long" },
  { path: "repeatCount", code: "range", message: "must be between 1 and 3" },
]);

// Every other constraint kind, on one payload.
const good = {
  email: "a@example.com", homePage: "https://example.com", handle: "ok-1", mention: "@bob",
  tags: ["x"], nickname: "bo", address: { streetName: "Main" }, user: "bob",
};
assert.deepEqual(await ack(lab, "saveProfile", good), { ok: true, data: null });
assert.deepEqual(
  await fault("saveProfile", {
    email: "nope", homePage: "not a url", handle: "Bad Handle", mention: "bob",
    tags: [], address: { streetName: "" }, user: "admin",
  }),
  [
    { path: "email", code: "email", message: "must be an email address" },
    { path: "homePage", code: "url", message: "must be a URL" },
    { path: "handle", code: "pattern", message: "must match the pattern ^[a-z0-9-]+$" },
    { path: "mention", code: "contains", message: 'must contain "@"' },
    { path: "tags", code: "length", message: "must be at least 1 item long" },
    { path: "nickname", code: "required", message: "is required" },
    { path: "address.streetName", code: "length", message: "must be between 1 and 40 characters long" },
    { path: "user", code: "reserved", message: "`admin` is reserved" },
  ],
);

// Extra fields follow the type's declared policy.
assert.deepEqual(await fault("strict", { value: 1, extra: true }), [
  { path: "extra", code: "type", message: "unknown field `extra`, expected `value`" },
]);
assert.deepEqual(await ack(lab, "lenient", { value: 1, extra: true }), { ok: true, data: 1 });

// Without an ack, the fault arrives as the `eventwire:fault` event.
const faultEvent = next(lab, "eventwire:fault");
lab.emit("note", { text: "", repeatCount: 1 });
const [noted] = await faultEvent;
assert.equal(noted.code, "invalid_payload");
assert.equal(noted.event, "note");
assert.deepEqual(noted.issues.map((i) => i.path.join(".")), ["text"]);

// Deep nesting is refused, not crashed on. 200 levels pass serde_json's limit (128) while
// staying within what socket.io-client's own encoder can recurse through; 100,000 levels
// are covered by the decoder's unit test.
let deep = 1;
for (let i = 0; i < 200; i++) deep = [deep];
assert.deepEqual(await fault("echo", { text: deep, repeatCount: 1 }), [
  { path: "text", code: "type", message: "invalid type: sequence, expected a string" },
]);
assert.equal((await ack(lab, "echo", { text: "alive", repeatCount: 1 })).data.text, "alive");

lab.close();
console.log("validation: ok");
