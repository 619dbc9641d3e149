// Two tabs of one workspace while the board server is killed and restarted (driven by
// restart.rs): prints "restart", waits for "restarted" on stdin, then checks that both tabs
// came back (resumed or resynced) to the list a fresh load shows, and stay live; the
// workspace's settings outlive the restart and stay live too.
// argv: <url> <screenshot path>
import { createInterface } from "node:readline";
import { card, create, launch, open as openAt, screenshotAll, visible } from "./page.mjs";

const [url, screenshot] = process.argv.slice(2);
const browser = await launch();
const open = (name) => openAt(browser, url, name);
// What a tab shows: every card's column and title, in order.
const shown = (page) =>
  page.$$eval("li.task", (cards) => cards.map((c) => `${c.closest("[id^=col-]").id} ${c.querySelector(".title").textContent}`));

try {
  const ann = await open("ann");
  const bob = await open("bob");
  await create(ann, { title: "Before the restart", assignee: "bob" });
  await create(bob, { title: "Also before", assignee: "ann", status: "doing" });
  await visible(card(bob, "todo", "Before the restart"));
  await visible(card(ann, "doing", "Also before"));
  // The workspace's settings (a prop SQLite keeps) are renamed before the restart.
  await ann.fill("#s-title", "Kept across restarts");
  await ann.click("#settings button");
  await bob.locator("#title").filter({ hasText: "Kept across restarts" }).waitFor({ timeout: 5000 });

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

  // Carl renames the board on the restarted server: the tabs' settings resumed or resynced too.
  await carl.locator("#title").filter({ hasText: "Kept across restarts" }).waitFor({ timeout: 5000 });
  await carl.fill("#s-title", "Renamed after the restart");
  await carl.click("#settings button");
  for (const page of [ann, bob]) {
    await page.locator("#title").filter({ hasText: "Renamed after the restart" }).waitFor({ timeout: 20000 });
  }

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
  await screenshotAll(browser, screenshot);
  throw error;
} finally {
  await browser.close();
}
