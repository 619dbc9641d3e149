// The board page in headless Chromium, as two people of one workspace and one of another:
// a task created, moved or reassigned in one tab appears in, moves within, or leaves the
// other tab's filtered live list. Saves a screenshot to argv[3].
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // No network but loopback here: keep Chromium from reaching for Google's services.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const card = (page, column, title) => page.locator(`#col-${column} li.task`).filter({ hasText: title });
const visible = (locator) => locator.first().waitFor({ state: "visible", timeout: 5000 });
const gone = (locator) => locator.first().waitFor({ state: "detached", timeout: 5000 });

try {
  const pages = [];
  async function open(name, workspace) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    page.on("pageerror", (error) => { throw error; });
    pages.push(page);
    await page.goto(url);
    await page.fill("#name", name);
    await page.fill("#workspace", workspace);
    await page.click("#login button");
    await page.locator("#board").waitFor({ state: "visible", timeout: 5000 });
    await page.locator("#live").filter({ hasText: "live" }).waitFor({ timeout: 5000 });
    return page;
  }
  async function create(page, { title, assignee, priority = "3", status = "todo" }) {
    await page.fill("#new-title", title);
    await page.fill("#new-assignee", assignee);
    await page.selectOption("#new-priority", priority);
    await page.selectOption("#new-status", status);
    await page.click("#create button");
    // Created: the page clears the title once the server answered.
    await page.waitForFunction(() => document.getElementById("new-title").value === "", null, { timeout: 5000 });
  }

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

  await create(ann, { title: "Review the board example", assignee: "bob", priority: "3", status: "done" });
  await visible(card(ann, "done", "Review the board example"));
  await ann.screenshot({ path: screenshot });
  console.log("board browser: ok");
} catch (error) {
  for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    await page.screenshot({ path: screenshot.replace(/\.png$/, `-failure-${i}.png`) }).catch(() => {});
  }
  throw error;
} finally {
  await browser.close();
}
