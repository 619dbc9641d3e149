// The board page: everything it sends and receives goes through the client generated from
// the Rust contract (/generated/board.js). The columns show one live collection: the tasks
// the filter selects, kept current by the server's `tasks` feed; the title and the column
// limits are the workspace's `settings` prop, read live and written from the version held.
import { AppError, FaultError, connectBoard } from "/generated/board.js";

const $ = (id) => document.getElementById(id);
const COLUMNS = ["todo", "doing", "done"];
const state = { board: null, me: "", list: null, activity: null, filterTimer: null, resyncs: 0, settings: null, editingFrom: null };

/** A message for a person from any rejection of the generated client. */
function describe(error) {
  if (error instanceof AppError) {
    const e = error.error;
    if (e.code === "notFound") return `Task #${e.id} no longer exists.`;
    if (e.code === "otherWorkspace") return `You can only see workspace ${e.workspace}.`;
    if (e.code === "columnFull") return `The ${e.status} column is full (limit ${e.limit}).`;
    if (e.code === "conflict") return "Someone changed the settings meanwhile; the form now shows theirs.";
    if (e.code === "refused") return describe(new AppError(error.event, e.error));
    return "The server could not store that; try again.";
  }
  if (error instanceof FaultError) {
    return error.fault.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ") || error.message;
  }
  return error.message;
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("name").value.trim();
  const workspace = $("workspace").value.trim();
  const board = connectBoard(location.origin, { auth: { name, workspace } });
  board.socket.once("connect_error", (error) => {
    $("login-error").textContent = error.message;
    board.close();
  });
  board.socket.once("connect", () => start(board, name, workspace));
});

function start(board, name, workspace) {
  state.board = board;
  state.me = name;
  $("me").textContent = name;
  $("ws").textContent = workspace;
  $("new-assignee").value = name;
  $("login").hidden = true;
  $("board").hidden = false;
  // Live subscriptions survive a lost connection: when it is back, they resume from their
  // last offset, or resync (a fresh snapshot, when the server restarted meanwhile).
  board.socket.on("connect", render);
  board.socket.on("disconnect", () => { $("live").textContent = "offline, reconnecting…"; });
  watch();
  watchActivity();
  watchSettings();
}

/** The filter the form describes; empty fields constrain nothing. */
function filter() {
  const f = {};
  if ($("f-status").value) f.status = $("f-status").value;
  if ($("f-assignee").value.trim()) f.assignee = $("f-assignee").value.trim();
  if ($("f-project").value.trim()) f.project = $("f-project").value.trim();
  if ($("f-priority").value) f.minPriority = Number($("f-priority").value);
  if ($("f-search").value.trim()) f.search = $("f-search").value.trim();
  return f;
}

/** Replaces the live list with one for the current filter. */
async function watch() {
  const previous = state.list;
  state.list = null;
  if (previous) previous.close();
  try {
    const list = await state.board.tasks.subscribe(filter());
    if (state.list) { list.close(); return; } // a newer filter won the race
    state.list = list;
    $("filter-error").textContent = "";
    list.on(render);
    list.onResync(() => {
      state.resyncs += 1;
      render();
    });
    list.onEnd((end) => {
      $("live").textContent = `list ended: ${end.message}`;
    });
    render();
  } catch (error) {
    $("filter-error").textContent = describe(error);
  }
}

function render() {
  const list = state.list;
  if (!list) return;
  const tasks = [...list.items.values()].sort((a, b) => b.priority - a.priority || a.id - b.id);
  for (const column of COLUMNS) {
    $(`col-${column}`).replaceChildren(...tasks.filter((t) => t.status === column).map(card));
  }
  $("live").textContent = `live · ${list.items.size} task${list.items.size === 1 ? "" : "s"} · offset ${list.offset}`;
}

function card(task) {
  const li = document.createElement("li");
  li.className = "task";
  li.dataset.id = String(task.id);
  const title = document.createElement("div");
  title.className = "title";
  title.textContent = task.title;
  const meta = document.createElement("div");
  meta.className = "meta";
  const priority = document.createElement("span");
  priority.className = `priority p${task.priority}`;
  priority.textContent = `P${task.priority}`;
  const who = document.createElement("span");
  who.className = "assignee";
  who.textContent = `@${task.assignee}`;
  const project = document.createElement("span");
  project.textContent = `#${task.project}`;
  const by = document.createElement("span");
  by.textContent = `edited by ${task.updatedBy}`;
  meta.append(priority, who, project, by);
  const actions = document.createElement("div");
  actions.className = "actions";
  const at = COLUMNS.indexOf(task.status);
  const button = (label, cls, action, enabled = true) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `ghost ${cls}`;
    b.textContent = label;
    b.disabled = !enabled;
    b.addEventListener("click", action);
    return b;
  };
  actions.append(
    button("←", "move-left", () => move(task, COLUMNS[at - 1]), at > 0),
    button("→", "move-right", () => move(task, COLUMNS[at + 1]), at < COLUMNS.length - 1),
    button("edit", "edit", () => openEditor(task)),
    button("delete", "delete", () => act(state.board.delete({ id: task.id }))),
  );
  li.append(title, meta, actions);
  return li;
}

/** Runs a call; its failure is shown, its success arrives through the feed. */
async function act(call) {
  try {
    await call;
    $("create-error").textContent = "";
  } catch (error) {
    $("create-error").textContent = describe(error);
  }
}

const move = (task, status) => act(state.board.move({ id: task.id, status }));

$("create").addEventListener("submit", async (event) => {
  event.preventDefault();
  const title = $("new-title").value.trim();
  await act(state.board.create({
    title,
    project: $("new-project").value.trim(),
    assignee: $("new-assignee").value.trim(),
    priority: Number($("new-priority").value),
    status: $("new-status").value,
  }));
  // Cleared once created, unless another title was typed while the answer was on its way.
  if (!$("create-error").textContent && $("new-title").value.trim() === title) $("new-title").value = "";
});

for (const id of ["f-status", "f-priority"]) $(id).addEventListener("change", watch);
for (const id of ["f-assignee", "f-project", "f-search"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(state.filterTimer);
    state.filterTimer = setTimeout(watch, 250);
  });
}

let editing = null;
function openEditor(task) {
  editing = task;
  $("edit-title").value = task.title;
  $("edit-project").value = task.project;
  $("edit-assignee").value = task.assignee;
  $("edit-priority").value = String(task.priority);
  $("edit-error").textContent = "";
  $("edit").showModal();
}

$("edit-save").addEventListener("click", async (event) => {
  event.preventDefault();
  try {
    await state.board.edit({
      id: editing.id,
      title: $("edit-title").value.trim(),
      project: $("edit-project").value.trim(),
      assignee: $("edit-assignee").value.trim(),
      priority: Number($("edit-priority").value),
    });
    $("edit").close();
  } catch (error) {
    $("edit-error").textContent = describe(error);
  }
});

/** The workspace's settings: a prop, read as a one-item live collection. */
async function watchSettings() {
  try {
    state.settings = await state.board.settings.subscribe();
    state.settings.on(renderSettings);
    state.settings.onResync(renderSettings);
    renderSettings();
  } catch (error) {
    $("settings-error").textContent = describe(error);
  }
}

/** The settings as the server last sent them: `{ scope, version, value }`. */
const settings = () => (state.settings ? [...state.settings.items.values()][0] : undefined);

function renderSettings() {
  const current = settings();
  if (!current) return;
  const { title, limits } = current.value;
  $("title").textContent = title;
  for (const column of COLUMNS) $(`limit-${column}`).textContent = String(limits[column]);
  // The form follows the live value until someone starts editing it.
  if (state.editingFrom === null) fillSettings(current.value);
}

function fillSettings({ title, limits }) {
  $("s-title").value = title;
  for (const column of COLUMNS) $(`s-${column}`).value = String(limits[column]);
}

// Editing starts from the version shown then: a save names it, so a write someone else made
// meanwhile is not silently overwritten (the server answers `conflict`).
$("settings").addEventListener("input", () => {
  if (state.editingFrom === null) state.editingFrom = settings()?.version ?? 0;
});

$("settings").addEventListener("submit", async (event) => {
  event.preventDefault();
  const version = state.editingFrom ?? settings()?.version ?? 0;
  const limit = (column) => Number($(`s-${column}`).value);
  try {
    await state.board.writeSettings({
      version,
      value: { title: $("s-title").value.trim(), limits: { todo: limit("todo"), doing: limit("doing"), done: limit("done") } },
    });
    $("settings-error").textContent = "";
  } catch (error) {
    $("settings-error").textContent = describe(error);
    if (!(error instanceof AppError && error.error.code === "conflict")) return;
  }
  state.editingFrom = null;
  renderSettings();
});

/** The activity feed is in notify mode: it says which task changed, and the page asks for
 * the task itself through its own call, which the server authorizes like any other. */
async function watchActivity() {
  if (state.activity) state.activity.close();
  state.activity = null;
  try {
    const activity = await state.board.activity.subscribe();
    state.activity = activity;
    activity.on(async (notice) => {
      const li = document.createElement("li");
      const action = document.createElement("span");
      action.className = "action";
      action.textContent = notice.action === "removed" ? "deleted" : notice.action === "added" ? "created" : "changed";
      li.append(action, ` #${notice.key}`);
      $("activity").prepend(li);
      while ($("activity").children.length > 20) $("activity").lastChild.remove();
      if (notice.action !== "removed") {
        try {
          const task = await state.board.task({ id: notice.key });
          li.append(`: ${task.title} (${task.status}, by ${task.updatedBy})`);
        } catch {
          li.append(" (gone)");
        }
      }
    });
  } catch (error) {
    $("live").textContent = describe(error);
  }
}
