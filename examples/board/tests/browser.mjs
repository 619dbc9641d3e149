// The board page in headless Chromium, as two people of one workspace and one of another:
// a task created, moved or reassigned in one tab appears in, moves within, or leaves the
// other tab's filtered live list; the workspace's settings (a prop) written in one tab show in
// the other, a full column refuses a move, and a save from a stale version gets a conflict.
// Saves a screenshot to argv[3].
import { card, create, gone, launch, open as openAt, screenshotAll, visible } from "./page.mjs";

const [url, screenshot] = process.argv.slice(2);
const browser = await launch();
const open = (name, workspace) => openAt(browser, url, name, workspace);

try {
  const ann = await open("ann", "acme");
  const bob = await open("bob", "acme");
  const eve = await open("eve", "globex");

  // Bob watches only his own tasks.
  await bob.fill("#f-assignee", "bob");
  await bob.locator("#live").filter({ hasText: "live · 0 tasks" }).waitFor({ timeout: 5000 });

  await create(ann, { title: "Fix the login page", assignee: "bob", priority: "4" });
  await create(ann, { title: "Write the release notes", assignee: "ann", priority: "2" });
  await visible(card(bob, "todo", "Fix the login page"));
  await visible(card(ann, "todo", "Write the release notes"));
  // Not bob's, so not in his list; and nothing at all in another workspace.
  if (await card(bob, "todo", "Write the release notes").count() !== 0) throw new Error("bob sees ann's task");
  if (await eve.locator("li.task").count() !== 0) throw new Error("another workspace sees acme's tasks");

  // Moved in ann's tab: it moves in bob's.
  await card(ann, "todo", "Fix the login page").locator("button.move-right").click();
  await visible(card(bob, "doing", "Fix the login page"));
  await gone(card(bob, "todo", "Fix the login page"));

  // Reassigned to ann: it leaves bob's filtered list.
  await card(ann, "doing", "Fix the login page").locator("button.edit").click();
  await ann.fill("#edit-assignee", "ann");
  await ann.click("#edit-save");
  await gone(card(bob, "doing", "Fix the login page"));
  await bob.locator("#live").filter({ hasText: "live · 0 tasks" }).waitFor({ timeout: 5000 });

  // Bob widens his filter: the snapshot (from SQLite) has both tasks again.
  await bob.fill("#f-assignee", "");
  await visible(card(bob, "doing", "Fix the login page"));
  await visible(card(bob, "todo", "Write the release notes"));

  // A bad filter is explained: the server's validation of the typed filter.
  await bob.evaluate(() => document.getElementById("f-search").removeAttribute("maxlength"));
  await bob.fill("#f-search", "x".repeat(61));
  await bob.locator("#filter-error").filter({ hasText: "search" }).waitFor({ timeout: 5000 });
  await bob.fill("#f-search", "");

  // The activity feed (notify mode) told bob what changed; the page fetched the details.
  await bob.locator("#activity li").filter({ hasText: "Fix the login page" }).first().waitFor({ timeout: 5000 });

  // Deleted in bob's tab: gone from ann's.
  await create(ann, { title: "Order more coffee", assignee: "bob", priority: "5", status: "doing" });
  await visible(card(bob, "doing", "Order more coffee"));
  await card(bob, "doing", "Order more coffee").locator("button.delete").click();
  await gone(card(ann, "doing", "Order more coffee"));

  // Settings are the workspace's prop: ann's save shows in bob's tab, not in eve's.
  await ann.fill("#s-title", "Sprint 12");
  await ann.fill("#s-doing", "1");
  await ann.click("#settings button");
  await bob.locator("#title").filter({ hasText: "Sprint 12" }).waitFor({ timeout: 5000 });
  await bob.locator("#limit-doing").filter({ hasText: /^1$/ }).waitFor({ timeout: 5000 });
  if ((await eve.locator("#title").textContent()) === "Sprint 12") throw new Error("another workspace got acme's settings");

  // Doing holds "Fix the login page" and its limit is now 1: moving another task there is refused.
  await card(ann, "todo", "Write the release notes").locator("button.move-right").click();
  await ann.locator("#create-error").filter({ hasText: "doing column is full (limit 1)" }).waitFor({ timeout: 5000 });
  await visible(card(bob, "todo", "Write the release notes"));

  // Bob starts editing from version 1; ann saves first; bob's save is a conflict, and his form
  // then shows ann's settings.
  await bob.fill("#s-title", "Bob's sprint");
  await ann.fill("#s-doing", "2");
  await ann.click("#settings button");
  await bob.locator("#limit-doing").filter({ hasText: /^2$/ }).waitFor({ timeout: 5000 });
  await bob.click("#settings button");
  await bob.locator("#settings-error").filter({ hasText: "changed the settings meanwhile" }).waitFor({ timeout: 5000 });
  await bob.waitForFunction(() => document.getElementById("s-title").value === "Sprint 12", null, { timeout: 5000 });
  await bob.locator("#title").filter({ hasText: "Sprint 12" }).waitFor({ timeout: 5000 });

  // A limit out of range is the server's validation, explained.
  await ann.evaluate(() => document.getElementById("s-done").removeAttribute("max"));
  await ann.fill("#s-done", "51");
  await ann.click("#settings button");
  await ann.locator("#settings-error").filter({ hasText: "limits.done" }).waitFor({ timeout: 5000 });
  await ann.fill("#s-done", "50");
  await ann.click("#settings button");
  await ann.waitForFunction(() => document.getElementById("settings-error").textContent === "", null, { timeout: 5000 });

  await create(ann, { title: "Review the board example", assignee: "bob", priority: "3", status: "done" });
  await visible(card(ann, "done", "Review the board example"));
  await ann.screenshot({ path: screenshot });
  console.log("board browser: ok");
} catch (error) {
  await screenshotAll(browser, screenshot);
  throw error;
} finally {
  await browser.close();
}
