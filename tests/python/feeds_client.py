"""A plain python-socketio client of the test board, written from docs/protocol.md alone:
it subscribes to a feed with a filter, keeps the collection current from the changes,
gets a refused filter's fault, and reads and writes a prop (a stale write is a conflict).
Usage: python feeds_client.py <server url>."""

import sys
import threading
import time

import socketio

URL = sys.argv[1]
NS = "/board"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


sio = socketio.Client(reconnection=False)
changes = []
ends = []
arrived = threading.Condition()


@sio.on("eventwire:change", namespace=NS)
def on_change(change):
    with arrived:
        changes.append(change)
        arrived.notify_all()


@sio.on("eventwire:end", namespace=NS)
def on_end(end):
    with arrived:
        ends.append(end)
        arrived.notify_all()


def wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    with arrived:
        while not predicate():
            left = deadline - time.monotonic()
            check(left > 0, "timed out waiting; changes so far: %r" % changes)
            arrived.wait(left)


def call(event, data):
    return sio.call(event, data, namespace=NS, timeout=5)


sio.connect(URL, namespaces=[NS], auth={"workspace": 30, "name": "py"}, transports=["websocket"], wait_timeout=5)

# Subscribe with a filter: the acknowledgement is the snapshot.
answer = call("eventwire:subscribe", {"feed": "tasks", "filter": {"status": "doing", "minPriority": 2}})
check(answer["ok"] is True, "subscribed: %r" % answer)
snapshot = answer["data"]
sub = snapshot["id"]
check(isinstance(snapshot["offset"], str) and isinstance(snapshot["epoch"], str), "offset and epoch are strings")
items = dict(zip(snapshot["keys"], snapshot["items"]))
check(items == {}, "an empty board")


held = {"offset": int(snapshot["offset"])}


def apply(change):
    """Keeps the collection current: set on added/updated, delete on removed; a change at or
    before the offset held is a repeat and is skipped."""
    if int(change["offset"]) <= held["offset"]:
        return
    held["offset"] = int(change["offset"])
    if change["action"] == "removed":
        items.pop(change["key"], None)
    else:
        items[change["key"]] = change["item"]


# Changes: into the filter, a non-matching one, out of the filter.
task = {"id": 1, "status": "doing", "assignee": "py", "priority": 3, "title": "Port it"}
check(call("create", task)["ok"] is True, "created")
check(call("create", dict(task, id=2, priority=1))["ok"] is True, "created a low priority task")
check(call("create", dict(task, id=3, title="Test it"))["ok"] is True, "created")
check(call("move", {"id": 1, "status": "done"})["ok"] is True, "moved")
wait_for(lambda: len([c for c in changes if c["id"] == sub]) >= 3)
mine = [c for c in changes if c["id"] == sub]
for change in mine:
    apply(change)
check([(c["action"], c["key"]) for c in mine] == [("added", 1), ("added", 3), ("removed", 1)], "changes: %r" % mine)
check(sorted(items) == [3] and items[3]["title"] == "Test it", "the collection: %r" % items)
offsets = [int(c["offset"]) for c in mine]
check(offsets == sorted(offsets) and offsets[0] > int(snapshot["offset"]), "offsets increase: %r" % offsets)

# A refused filter: the fault, with the path of the offending field.
refused = call("eventwire:subscribe", {"feed": "tasks", "filter": {"minPriority": 9}})
check(refused["ok"] is False and refused["fault"]["code"] == "invalid_payload", "refused: %r" % refused)
check(refused["fault"]["issues"][0]["path"] == ["filter", "minPriority"], "the issue's path")
check(refused["fault"]["event"] == "eventwire:subscribe", "the fault names the event")
other = call("eventwire:subscribe", {"feed": "tasks", "filter": {"workspace": 31}})
check(other["fault"]["code"] == "forbidden", "another workspace is forbidden: %r" % other)
unknown = call("eventwire:subscribe", {"feed": "nope"})
check(unknown["fault"]["code"] == "unknown_feed", "an unknown feed: %r" % unknown)

# Revocation ends the subscription with a typed reason; unsubscribe answers null.
check(call("revoke", None)["data"] == 1, "one subscription revoked")
wait_for(lambda: len(ends) == 1)
check(ends[0]["id"] == sub and ends[0]["reason"] == "revoked", "ended: %r" % ends)
check(call("eventwire:unsubscribe", {"id": sub}) == {"ok": True, "data": None}, "unsubscribe is idempotent")

# A prop: a one-item feed keyed by scope, written with the version read.
motto = call("eventwire:subscribe", {"feed": "motto", "filter": {}})
check(motto["ok"] is True, "subscribed to the prop: %r" % motto)
held = motto["data"]["items"][0]
check(motto["data"]["keys"] == [held["scope"]] and held["version"] == 0, "the initial value: %r" % held)
written = call("writeMotto", {"version": held["version"], "value": {"text": "From Python"}})
check(written["ok"] is True and written["data"]["version"] == 1, "written: %r" % written)
wait_for(lambda: any(c["id"] == motto["data"]["id"] for c in changes))
pushed = [c for c in changes if c["id"] == motto["data"]["id"]]
check(pushed[0]["action"] == "updated" and pushed[0]["item"] == written["data"], "the write was pushed: %r" % pushed)
stale = call("writeMotto", {"version": 0, "value": {"text": "Too late"}})
check(stale == {"ok": False, "error": {"code": "conflict", "current": written["data"]}}, "a stale write: %r" % stale)
scoped = call("writeMotto", {"version": 1, "scope": "31", "value": {"text": "Elsewhere"}})
check(scoped["fault"]["code"] == "invalid_payload", "a write naming a scope: %r" % scoped)

sio.disconnect()
print("python feeds client: ok")
