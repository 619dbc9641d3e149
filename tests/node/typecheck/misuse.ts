// The typed socket and client accept exactly the contract: every `@ts-expect-error` below
// must be an error, or tsc fails ("unused directive"), so the types cannot be `any`.
import { io } from "socket.io-client";
import { AppError, FaultError, TimeoutError, connectLab, connectSecure, type LabSocket } from "../generated/lab.js";

const socket: LabSocket = io("http://127.0.0.1/lab");

socket.emit("echo", { text: "a", repeatCount: 1 }, (response) => {
  if (response.ok) {
    const text: string = response.data.text;
    void text;
  } else {
    const code: string = response.fault.code;
    void code;
  }
});
const divided = await socket.timeout(1000).emitWithAck("divide", { a: 1, b: 2 });
if (!divided.ok && "error" in divided) {
  const code: "divisionByZero" | "overflow" = divided.error.code;
  void code;
}
socket.on("shouted", (shout) => void shout.text.toUpperCase());
socket.on("question", (question, reply) => reply({ text: question.text }));

// @ts-expect-error: an event the contract does not declare
socket.emit("nope", {});
// @ts-expect-error: a payload of the wrong type
socket.emit("echo", { text: 1, repeatCount: 1 });
// @ts-expect-error: a payload missing a field
socket.emit("divide", { a: 1 });
// @ts-expect-error: listening to a client-to-server event
socket.on("echo", () => {});
// @ts-expect-error: the answer to a server question must be an Answer
socket.on("question", (_question, reply) => reply({ txt: "x" }));

const lab = connectLab("http://127.0.0.1");
const echoed = await lab.echo({ text: "a", repeatCount: 1 }, { timeoutMs: 100 });
const upper: string = echoed.text.toUpperCase();
void upper;
lab.note({ text: "a", repeatCount: 1 });
const stop = lab.on.shouted((shout) => void shout.room);
stop();
lab.on.question(async (question) => ({ text: question.text }));
try {
  await lab.divide({ a: 1, b: 0 });
} catch (error) {
  if (error instanceof AppError || error instanceof FaultError || error instanceof TimeoutError) {
    void error.event;
  }
}

// @ts-expect-error: a wrong payload through the client
lab.echo({ text: "a" });
// @ts-expect-error: a fire-and-forget event returns nothing to await on
const nothing: Promise<unknown> = lab.note({ text: "a", repeatCount: 1 });
// @ts-expect-error: the client has no method for server events
lab.shouted({ room: "r", except: [], text: "t" });
// @ts-expect-error: a listener's answer must be an Answer
lab.on.question(() => 5);
void nothing;

// Handshake auth is typed and required for a contract that declares it.
const secure = connectSecure("http://127.0.0.1", { auth: { token: "letmein-ada" } });
const name: string = await secure.whoami();
void name;
// @ts-expect-error: the contract declares auth, so it is required
connectSecure("http://127.0.0.1");
// @ts-expect-error: auth of the wrong shape
connectSecure("http://127.0.0.1", { auth: { password: "x" } });

// App errors are typed per call: `instanceof AppError` leaves `error` unknown, and the
// client's `isAppError(event, e)` narrows it to that event's error type.
try {
  await lab.divide({ a: 1, b: 0 });
} catch (error) {
  if (error instanceof AppError) {
    // @ts-expect-error: without narrowing, the app error is `unknown`, not `any`
    const wrong: number = error.error;
    void wrong;
  }
  if (lab.isAppError("divide", error)) {
    const code: "divisionByZero" | "overflow" = error.error.code;
    void code;
    // @ts-expect-error: the narrowed error is a MathError, not a number
    const wrong: number = error.error;
    void wrong;
  }
  // @ts-expect-error: `echo` has no app error
  lab.isAppError("echo", error);
}
