import { connectTodoApi, FaultError } from "./generated/todo.js";

const todos = connectTodoApi("http://127.0.0.1:3000");
todos.on.added((todo) => console.log(`added #${todo.id}: ${todo.title}`));

const todo = await todos.add({ title: "write the README" });
console.log(todo.id, (await todos.list()).length);

try {
  await todos.add({ title: "" });
} catch (error) {
  if (error instanceof FaultError) console.log(error.fault.issues); // [{ path: ["title"], code: "length", ... }]
  else if (todos.isAppError("add", error)) console.log(error.error.max); // TodoError: { code: "listFull", max }
}
todos.close();
