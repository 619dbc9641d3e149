// What the board's Chromium tests share: the browser, signing in, creating a task and finding
// its card.
import { chromium } from "playwright-core";

/** Headless Chromium; no network but loopback here, so it is kept from Google's services. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A new tab of the board at `url`, signed in as `name` of `workspace`, once its list is live. */
export async function open(browser, url, name, workspace = "acme") {
  const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
  page.on("pageerror", (error) => { throw error; });
  await page.goto(url);
  await page.fill("#name", name);
  await page.fill("#workspace", workspace);
  await page.click("#login button");
  await page.locator("#board").waitFor({ state: "visible", timeout: 5000 });
  await page.locator("#live").filter({ hasText: "live" }).waitFor({ timeout: 5000 });
  return page;
}

/** Creates a task through the page's form and waits for the server's answer. */
export async function create(page, { title, assignee, priority = "3", status = "todo" }) {
  await page.fill("#new-title", title);
  await page.fill("#new-assignee", assignee);
  await page.selectOption("#new-priority", priority);
  await page.selectOption("#new-status", status);
  await page.click("#create button");
  // Created: the page clears the title once the server answered.
  await page.waitForFunction(() => document.getElementById("new-title").value === "", null, { timeout: 5000 });
}

/** The card of the task `title` in `column` (todo, doing, done). */
export const card = (page, column, title) => page.locator(`#col-${column} li.task`).filter({ hasText: title });
export const visible = (locator, timeout = 5000) => locator.first().waitFor({ state: "visible", timeout });
export const gone = (locator) => locator.first().waitFor({ state: "detached", timeout: 5000 });

/** Saves a screenshot of every open tab next to `screenshot`, for a failed run. */
export async function screenshotAll(browser, screenshot) {
  for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    await page.screenshot({ path: screenshot.replace(/\.png$/, `-failure-${i}.png`) }).catch(() => {});
  }
}
