// The chat page in headless Chromium, as two people: join, chat both ways, see presence and
// typing, reload and see history, share an image and a file too large for one message (an
// upload with a progress bar), which a third person who joins later downloads from the
// history (with a progress bar too). Saves a screenshot to argv[3].
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // No network but loopback here: keep Chromium from reaching for Google's services.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const expectText = async (locator, text) => {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 5000 });
};

try {
  const ada = await browser.newPage({ viewport: { width: 1000, height: 680 } });
  const bob = await browser.newPage({ viewport: { width: 1000, height: 680 } });
  for (const page of [ada, bob]) page.on("pageerror", (error) => { throw error; });

  async function login(page, name) {
    await page.goto(url);
    await page.fill("#name", name);
    await page.click("#login button");
    await page.locator("#chat").waitFor({ state: "visible", timeout: 5000 });
  }
  async function join(page, room) {
    await page.fill("#room-name", room);
    await page.click("#join button");
    await page.locator("#room").waitFor({ state: "visible", timeout: 5000 });
  }
  async function send(page, text) {
    await page.fill("#text", text);
    await page.click("#send button");
  }

  // A name that breaks the handshake rules is refused with the server's message.
  const stranger = await browser.newPage();
  await stranger.goto(url);
  // The input's maxlength stops people typing more; the server enforces it regardless.
  await stranger.evaluate(() => document.getElementById("name").removeAttribute("maxlength"));
  await stranger.fill("#name", "y".repeat(30));
  await stranger.click("#login button");
  await expectText(stranger.locator("#login-error"), "must be between 1 and 24 characters long");
  await stranger.close();

  await login(ada, "ada");
  await login(bob, "bob");

  // A bad room name is explained, not ignored.
  await ada.fill("#room-name", "Bad Room");
  await ada.click("#join button");
  await expectText(ada.locator("#join-error"), "room: must match the pattern");

  await join(ada, "lobby");
  await ada.locator("#join-error").filter({ hasText: /^$/ }).waitFor({ timeout: 5000 });
  await join(bob, "lobby");
  await expectText(ada.locator("#messages li.notice"), "bob joined");
  await expectText(ada.locator("#members"), "2 here: ada, bob");

  // Typing notices reach the other member.
  await ada.type("#text", "hel");
  await expectText(bob.locator("#typing"), "ada is typing");

  await send(ada, "hello from ada");
  await expectText(bob.locator("#messages li"), "hello from ada");
  await send(bob, "hi ada, bob here");
  await expectText(ada.locator("#messages li"), "hi ada, bob here");
  await expectText(ada.locator("#messages li.mine"), "hello from ada");

  // Reload: the history comes back on joining.
  await bob.reload();
  await login(bob, "bob");
  await join(bob, "lobby");
  await expectText(bob.locator("#messages li"), "hello from ada");
  await expectText(bob.locator("#messages li"), "hi ada, bob here");
  await expectText(ada.locator("#messages li.notice"), "bob left");

  await send(bob, "back again");
  await expectText(ada.locator("#messages li"), "back again");

  // An image shared in one tab shows inline in the other, decoded from the bytes that arrived.
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==",
    "base64",
  );
  await bob.setInputFiles("#file", { name: "dot.png", mimeType: "image/png", buffer: png });
  const image = ada.locator("#messages li.file img[alt='dot.png']");
  await image.waitFor({ timeout: 5000 });
  await ada.waitForFunction(() => document.querySelector("#messages li.file img")?.naturalWidth === 2, null, { timeout: 5000 });
  await bob.locator("#messages li.file.mine img").waitFor({ timeout: 5000 });

  // A file over the 1 MiB message limit goes as an upload, with a progress bar in the page
  // (every value it took is recorded), and arrives in the other tab byte for byte.
  await bob.evaluate(() => {
    const value = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value");
    window.progressValues = [];
    Object.defineProperty(HTMLProgressElement.prototype, "value", {
      get() { return value.get.call(this); },
      set(v) { window.progressValues.push(v); value.set.call(this, v); },
    });
  });
  const large = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
  await bob.setInputFiles("#file", { name: "large.bin", mimeType: "application/octet-stream", buffer: large });
  await expectText(ada.locator("#messages li.file a"), `large.bin (${large.length} bytes)`);
  await expectText(bob.locator("#messages li.file.mine a"), `large.bin (${large.length} bytes)`);
  const values = await bob.evaluate(() => window.progressValues);
  assert.equal(values[0], 0);
  assert.equal(values.at(-1), 1);
  assert.ok(values.length > 3, `progress along the way: ${values}`);
  assert.equal(await bob.locator("#upload").isHidden(), true);
  const bytes = await ada.evaluate(async () => {
    const link = [...document.querySelectorAll("#messages li.file a")].find((a) => a.download === "large.bin");
    const data = new Uint8Array(await (await fetch(link.href)).arrayBuffer());
    return [data.length, data.every((b) => b === 7)];
  });
  assert.deepEqual(bytes, [large.length, true]);

  // Someone who joins later sees the large file in the history without its bytes, and
  // downloads it from the page with a progress bar (every value recorded), byte for byte.
  const carol = await browser.newPage({ viewport: { width: 1000, height: 680 } });
  carol.on("pageerror", (error) => { throw error; });
  await login(carol, "carol");
  await join(carol, "lobby");
  await expectText(carol.locator("#messages li.file"), `shared large.bin (${large.length} bytes)`);
  await carol.evaluate(() => {
    const value = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value");
    window.progressValues = [];
    Object.defineProperty(HTMLProgressElement.prototype, "value", {
      get() { return value.get.call(this); },
      set(v) { window.progressValues.push(v); value.set.call(this, v); },
    });
  });
  await carol.locator("#messages li.file", { hasText: "large.bin" }).locator("button").click();
  await expectText(carol.locator("#messages li.file a"), `large.bin (${large.length} bytes)`);
  const downloadValues = (await carol.evaluate(() => window.progressValues)).filter((v) => v > 0);
  assert.equal(downloadValues.at(-1), 1);
  assert.ok(downloadValues.length > 3, `download progress along the way: ${downloadValues}`);
  const downloaded = await carol.evaluate(async () => {
    const link = [...document.querySelectorAll("#messages li.file a")].find((a) => a.download === "large.bin");
    const data = new Uint8Array(await (await fetch(link.href)).arrayBuffer());
    return [data.length, data.every((b) => b === 7)];
  });
  assert.deepEqual(downloaded, [large.length, true]);
  await ada.screenshot({ path: screenshot });
  console.log("browser: ok");
} catch (error) {
  // What each page showed when it failed, next to the screenshot.
  for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    await page.screenshot({ path: screenshot.replace(/\.png$/, `-failure-${i}.png`) }).catch(() => {});
  }
  throw error;
} finally {
  await browser.close();
}
