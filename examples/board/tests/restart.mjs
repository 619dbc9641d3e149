// Two tabs of one workspace while the board server is killed and restarted (driven by
// restart.rs): prints "restart", waits for "restarted" on stdin, then checks that both tabs
// came back (resumed or resynced) to the list a fresh load shows, and stay live.
// argv: <url> <screenshot path>
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const card = (page, column, title) => page.locator(`#col-${column} li.task`).filter({ hasText: title });
const visible = (locator, timeout = 5000) => locator.first().waitFor({ state: "visible", timeout });
// What a tab shows: every card's column and title, in order.
const shown = (page) =>
  page.$$eval("li.task", (cards) => cards.map((c) => `${c.closest("[id^=col-]").id} ${c.querySelector(".title").textContent}`));

try {
  async function open(name) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    page.on("pageerror", (error) => { throw error; });
    await page.goto(url);
    await page.fill("#name", name);
    await page.fill("#workspace", "acme");
    await page.click("#login button");
    await page.locator("#live").filter({ hasText: "live" }).waitFor({ timeout: 5000 });
    return page;
  }
  async function create(page, { title, assignee, priority = "3", status = "todo" }) {
    await page.fill("#new-title", title);
    await page.fill("#new-assignee", assignee);
    await page.selectOption("#new-priority", priority);
    await page.selectOption("#new-status", status);
    await page.click("#create button");
  }

  const ann = await open("ann");
  const bob = await open("bob");
  await create(ann, { title: "Before the restart", assignee: "bob" });
  await create(bob, { title: "Also before", assignee: "ann", status: "doing" });
  await visible(card(bob, "todo", "Before the restart"));
  await visible(card(ann, "doing", "Also before"));

  const input = createInterface({ input: process.stdin });
  const lines = input[Symbol.asyncIterator]();
  process.stdout.write("restart\n");
  const answer = (await lines.next()).value;
  // Reading stdin would keep the program alive.
  input.close();
  process.stdin.destroy();
  if (answer !== "restarted") throw new Error("the server did not restart");

  // A third person writes to the restarted server, likely before the tabs are back: they
  // must learn of it either way (live, or in their resync's snapshot).
  const carl = await open("carl");
  await create(carl, { title: "Written after the restart", assignee: "carl", status: "done" });
  await visible(card(ann, "done", "Written after the restart"), 20000);
  await visible(card(bob, "done", "Written after the restart"), 20000);

  // And they are live again.
  await create(bob, { title: "Live again", assignee: "bob" });
  await visible(card(ann, "todo", "Live again"));

  const fresh = await open("dora");
  await visible(card(fresh, "todo", "Live again"));
  const expected = await shown(fresh);
  for (const [name, page] of [["ann", ann], ["bob", bob]]) {
    const got = await shown(page);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`${name}'s tab shows ${JSON.stringify(got)}, a fresh load ${JSON.stringify(expected)}`);
    }
    if (!(await page.locator("#live").textContent()).startsWith("live")) throw new Error(`${name}'s list is not live`);
  }
  if (expected.length !== 4) throw new Error(`expected 4 tasks, a fresh load shows ${JSON.stringify(expected)}`);
  await ann.screenshot({ path: screenshot });
  console.log("board restart: ok");
} catch (error) {
  for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    await page.screenshot({ path: screenshot.replace(/\.png$/, `-failure-${i}.png`) }).catch(() => {});
  }
  throw error;
} finally {
  await browser.close();
}
