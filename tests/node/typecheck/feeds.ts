// The typed client's feeds accept exactly the contract's filters and give typed live
// collections: every `@ts-expect-error` below must be an error.
import { connectBoard, type BoardSocket, type EndReason, type SharedOfMotto, type Task } from "../generated/board.js";
import { io } from "socket.io-client";

const board = connectBoard("http://127.0.0.1", { auth: { workspace: 1, name: "ann" } });

const tasks = await board.tasks.subscribe({ status: "doing", minPriority: 3, statuses: ["todo"], priorityBetween: [1, 5], search: "x" });
const first: Task | undefined = tasks.items.get(1);
void first;
tasks.on((change) => {
  if (change.action === "removed") {
    const key: number = change.key;
    void key;
    // @ts-expect-error: a removal carries no item
    void change.item;
  } else {
    const title: string = change.item.title;
    void title;
  }
});
tasks.onEnd((reason: EndReason) => {
  if (reason.reason === "overflow") void board.tasks.subscribe({ status: "doing" });
});
await tasks.close();

const activity = await board.activity.subscribe();
const has: boolean = activity.keys.has(3);
void has;
activity.on((notice) => {
  const action: "added" | "updated" | "removed" = notice.action;
  void action;
  // @ts-expect-error: notify changes carry no item
  void notice.item;
});
// @ts-expect-error: a notify feed keeps keys, not items
void activity.items;

// @ts-expect-error: a filter field the filter does not declare
void board.tasks.subscribe({ colour: "red" });
// @ts-expect-error: a status that does not exist
void board.tasks.subscribe({ status: "blocked" });
// @ts-expect-error: `between` takes two bounds
void board.tasks.subscribe({ priorityBetween: [1] });
// @ts-expect-error: the activity feed's filter has no status
void board.activity.subscribe({ status: "doing" });
// @ts-expect-error: keys are numbers
void tasks.items.get("1");
// @ts-expect-error: the contract has no such feed
void board.comments;

// A prop is a one-item feed keyed by scope, written with the version it was read at.
const motto = await board.motto.subscribe();
const held: SharedOfMotto | undefined = [...motto.items.values()][0];
const written: SharedOfMotto = await board.writeMotto({ version: held?.version ?? 0, value: { text: "Go" } });
const words: string = written.value.text;
void words;
try {
  await board.writeMotto({ version: 0, value: { text: "Stale" } });
} catch (e) {
  if (board.isAppError("writeMotto", e)) {
    if (e.error.code === "conflict") {
      const current: number = e.error.current.version;
      void current;
    } else {
      // A prop without `error = E` has no app error: only a conflict can come back.
      const none: never = e.error.error;
      void none;
    }
  }
}
// @ts-expect-error: a write names the version it read
void board.writeMotto({ value: { text: "Go" } });
// @ts-expect-error: the value has the prop's type
void board.writeMotto({ version: 1, value: { words: "Go" } });
// @ts-expect-error: the server picks the scope; the client cannot name one
void board.motto.subscribe({ scope: "11" });
// @ts-expect-error: scopes are strings
void motto.items.get(10);

// The plain typed socket knows the feed events too.
const socket: BoardSocket = io("http://127.0.0.1/board");
socket.emit("eventwire:subscribe", { feed: "tasks", filter: { status: "done" } }, (response) => void response.ok);
// @ts-expect-error: the filter of another feed
socket.emit("eventwire:subscribe", { feed: "activity", filter: { status: "done" } }, () => {});
socket.on("eventwire:change", (change) => void change.key);
socket.on("eventwire:end", (end) => void end.reason);
