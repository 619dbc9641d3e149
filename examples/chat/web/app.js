// The chat page: everything it sends and receives goes through the client generated from
// the Rust contract (/generated/chat.js), so names and payloads cannot drift.
import { AppError, FaultError, connectChat } from "/generated/chat.js";

const $ = (id) => document.getElementById(id);
const state = { chat: null, me: "", current: null, rooms: new Map() }; // room -> { members, messages, unread }
const typingTimers = new Map();

/** A message for a person from any rejection of the generated client. */
function describe(error) {
  if (error instanceof AppError) {
    const e = error.error;
    if (e.code === "roomFull") return `${e.room} is full (${e.capacity} members).`;
    if (e.code === "notInRoom") return `You are not in ${e.room}.`;
    return "The server could not do that; try again.";
  }
  if (error instanceof FaultError) {
    return error.fault.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ") || error.message;
  }
  return error.message;
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const user = $("name").value.trim();
  const chat = connectChat(location.origin, { auth: { user } });
  chat.socket.once("connect_error", (error) => {
    $("login-error").textContent = error.message;
    chat.close();
  });
  chat.socket.once("connect", () => start(chat, user));
});

function start(chat, user) {
  state.chat = chat;
  state.me = user;
  $("me").textContent = user;
  $("login").hidden = true;
  $("chat").hidden = false;
  $("room-name").focus();

  chat.on.message((message) => {
    const room = state.rooms.get(message.room);
    if (!room) return;
    room.messages.push({ kind: "message", ...message });
    if (message.room !== state.current) room.unread = true;
    clearTyping(message.room, message.user);
    render();
  });
  chat.on.fileShared((file) => {
    const room = state.rooms.get(file.room);
    if (!room) return;
    room.messages.push({ kind: "file", ...file });
    if (file.room !== state.current) room.unread = true;
    render();
  });
  chat.on.presence(({ room: name, user: who, kind }) => {
    const room = state.rooms.get(name);
    if (!room) return;
    if (kind === "joined") room.members = [...room.members, who].sort();
    else room.members.splice(room.members.indexOf(who), 1);
    room.messages.push({ kind: "notice", text: `${who} ${kind === "joined" ? "joined" : "left"}` });
    render();
  });
  chat.on.typing(({ room, user: who }) => {
    const key = `${room}\u0000${who}`;
    clearTimeout(typingTimers.get(key));
    typingTimers.set(key, setTimeout(() => clearTyping(room, who), 3000));
    renderTyping();
  });
  chat.socket.on("disconnect", () => {
    $("send-error").textContent = "Disconnected; reconnecting…";
  });
  chat.socket.on("connect", () => {
    $("send-error").textContent = "";
    // The server forgets a socket's rooms when it disconnects: join them again.
    for (const name of state.rooms.keys()) join(name);
  });
}

function clearTyping(room, who) {
  const key = `${room}\u0000${who}`;
  clearTimeout(typingTimers.get(key));
  typingTimers.delete(key);
  renderTyping();
}

async function join(name) {
  try {
    const joined = await state.chat.join({ room: name });
    // Files from before joining come without their data: listed by name and size.
    const messages = [
      ...joined.history.map((m) => ({ kind: "message", ...m })),
      ...joined.files.map((f) => ({ kind: "file", ...f, sentAt: f.at })),
    ].sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
    state.rooms.set(name, { members: joined.members, messages, unread: false });
    state.current = name;
    $("join-error").textContent = "";
    render();
    $("text").focus();
  } catch (error) {
    $("join-error").textContent = describe(error);
  }
}

$("join").addEventListener("submit", (event) => {
  event.preventDefault();
  join($("room-name").value.trim());
  $("room-name").value = "";
});

$("leave").addEventListener("click", async () => {
  const name = state.current;
  try {
    await state.chat.leave({ room: name });
  } catch (error) {
    $("send-error").textContent = describe(error);
  }
  state.rooms.delete(name);
  state.current = state.rooms.keys().next().value ?? null;
  render();
});

$("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value;
  try {
    await state.chat.send({ room: state.current, text });
    $("text").value = "";
    $("send-error").textContent = "";
  } catch (error) {
    $("send-error").textContent = describe(error);
  }
});

// A file of at most 1 MiB goes to the room in one message; a larger one (up to 16 MiB) as an
// upload, in chunks, with a progress bar and a cancel button. Either shows here at once.
const ONE_MESSAGE = 1024 * 1024;
async function send(room, file, mime) {
  if (file.size <= ONE_MESSAGE) {
    const data = new Uint8Array(await file.arrayBuffer());
    return [await state.chat.shareFile({ room, name: file.name, mime, data }), data];
  }
  const cancel = new AbortController();
  $("upload").hidden = false;
  $("upload-name").textContent = file.name;
  $("upload-progress").value = 0;
  $("upload-cancel").onclick = () => cancel.abort(new Error(`${file.name}: cancelled`));
  try {
    const sent = await state.chat.uploadFile({ room, name: file.name, mime }, file, {
      signal: cancel.signal,
      onProgress: ({ sent, total }) => { $("upload-progress").value = sent / total; },
    });
    return [sent, new Uint8Array(await file.arrayBuffer())];
  } finally {
    $("upload").hidden = true;
  }
}

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  $("file").value = "";
  if (!file || !state.current) return;
  const room = state.current;
  const mime = file.type || "application/octet-stream";
  try {
    const [sent, data] = await send(room, file, mime);
    state.rooms.get(room)?.messages.push({ kind: "file", room, user: state.me, name: file.name, mime, data, at: sent.sentAt });
    $("send-error").textContent = "";
    render();
  } catch (error) {
    $("send-error").textContent = describe(error);
  }
});

// Object URLs of shared files, made once per file.
const fileUrls = new WeakMap();
function fileUrl(file) {
  if (!fileUrls.has(file)) fileUrls.set(file, URL.createObjectURL(new Blob([file.data], { type: file.mime })));
  return fileUrls.get(file);
}

function fileItem(file) {
  const item = document.createElement("li");
  item.className = `file ${file.user === state.me ? "mine" : ""}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = file.user;
  item.append(who);
  if (!file.data) {
    item.append(document.createTextNode(`shared ${file.name} (${file.size} bytes) `));
    // Files over the one-message limit went through an upload: the server keeps their
    // bytes, downloaded in chunks with a progress bar.
    if (file.size > 1024 * 1024) item.append(...downloadControls(file));
  } else if (file.mime.startsWith("image/")) {
    const image = document.createElement("img");
    image.src = fileUrl(file);
    image.alt = file.name;
    item.append(image);
  } else {
    const link = document.createElement("a");
    link.href = fileUrl(file);
    link.download = file.name;
    link.textContent = `${file.name} (${file.data.byteLength} bytes)`;
    item.append(link);
  }
  return item;
}

// A history file's download button and progress bar; the progress lives on the file, so a
// render during the download keeps it.
function downloadControls(file) {
  const button = document.createElement("button");
  button.textContent = file.failed ?? "Download";
  button.disabled = file.progress !== undefined;
  const bar = document.createElement("progress");
  bar.className = "download-progress";
  bar.max = 1;
  bar.value = file.progress ?? 0;
  bar.hidden = file.progress === undefined;
  button.addEventListener("click", async () => {
    file.progress = 0;
    render();
    try {
      const downloaded = await state.chat.downloadFile({ room: file.room, id: file.id }, {
        timeoutMs: 30_000,
        onProgress: ({ received, total }) => {
          file.progress = total ? received / total : 1;
          for (const shown of document.querySelectorAll(".download-progress")) {
            if (shown.dataset.file === file.id) shown.value = file.progress;
          }
        },
      });
      file.data = downloaded.data;
    } catch (error) {
      file.failed = state.chat.isAppError("downloadFile", error) ? "Not kept on the server" : "Retry";
    }
    delete file.progress;
    render();
  });
  bar.dataset.file = file.id;
  return [button, bar];
}

let lastTyping = 0;
$("text").addEventListener("input", () => {
  if (Date.now() - lastTyping > 1500 && state.current) {
    lastTyping = Date.now();
    state.chat.typing({ room: state.current });
  }
});

function render() {
  const list = $("rooms");
  list.replaceChildren(
    ...[...state.rooms.entries()].map(([name, room]) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.textContent = `# ${name}`;
      button.className = `${name === state.current ? "current" : ""} ${room.unread ? "unread" : ""}`;
      button.addEventListener("click", () => {
        state.current = name;
        room.unread = false;
        render();
      });
      item.append(button);
      return item;
    }),
  );
  const room = state.rooms.get(state.current);
  $("room").hidden = !room;
  if (!room) return;
  room.unread = false;
  $("room-title").textContent = `# ${state.current}`;
  $("members").textContent = `${room.members.length} here: ${room.members.join(", ")}`;
  const messages = $("messages");
  messages.replaceChildren(
    ...room.messages.map((m) => {
      const item = document.createElement("li");
      if (m.kind === "file") return fileItem(m);
      if (m.kind === "notice") {
        item.className = "notice";
        item.textContent = m.text;
        return item;
      }
      item.className = m.user === state.me ? "mine" : "";
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = m.user;
      const time = document.createElement("time");
      time.dateTime = m.sentAt;
      time.textContent = new Date(m.sentAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      item.append(who, document.createTextNode(m.text), time);
      return item;
    }),
  );
  messages.scrollTop = messages.scrollHeight;
  renderTyping();
}

function renderTyping() {
  const names = [...typingTimers.keys()]
    .map((key) => key.split("\u0000"))
    .filter(([room]) => room === state.current)
    .map(([, who]) => who);
  $("typing").textContent = names.length ? `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…` : "";
}
