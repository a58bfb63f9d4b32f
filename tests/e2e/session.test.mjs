// Managed sessions across tabs: the example app in session mode (`?session=shared`: IndexedDB), in two and three tabs of
// headless Chromium, against the embedded oidc-provider with refresh-token rotation (a refresh token used
// twice is refused). One refresh for concurrent callers in every tab, none refused; a tab closed while it
// holds the session lock does not wedge the others; a sign-out in one tab reaches the others.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { launchChromium } from "../support/chromium.mjs";
import { startIdp, TEST_ACCOUNT } from "../../idp/server.mjs";
import { startApp, appConfig } from "../../scripts/app-server.mjs";

const SHOTS = path.resolve("test-results/e2e");
mkdirSync(SHOTS, { recursive: true });
const STEP_TIMEOUT = 15_000;
// Access tokens live 60 s and are refreshed 55 s before they expire: fresh for the first 5 s only.
const TTL = 60, LEEWAY = 55, FRESH_MS = (TTL - LEEWAY) * 1000;
const QUERY = `?session=shared&leeway=${LEEWAY}`;

let browser, closeBrowser;
before(async () => {
  ({ context: browser, close: closeBrowser } = await launchChromium({ timeout: STEP_TIMEOUT, viewport: { width: 1200, height: 900 } }));
});
after(async () => {
  await closeBrowser?.();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const refreshes = (idp) => idp.log.filter((r) => r.path === idp.routes.token && r.grant_type === "refresh_token");

async function withTabs(t, count, fn) {
  const app = await startApp();
  const idp = await startIdp({ appOrigin: app.origin, accessTokenTtl: TTL });
  app.setConfig(appConfig(idp));
  const tabs = [];
  try {
    for (let i = 0; i < count; i++) tabs.push(await browser.newPage());
    await fn({ app, idp, tabs });
  } catch (e) {
    await Promise.all(tabs.map((p, i) => p.screenshot({ path: path.join(SHOTS, `failed-${t.name.replace(/\W+/g, "-")}-${i}.png`) }).catch(() => {})));
    throw e;
  } finally {
    await Promise.all(tabs.map((p) => p.close().catch(() => {})));
    await Promise.all([app.close(), idp.close()]);
  }
}

/** Signs in on `page`; returns when its session is shown. */
async function signIn(page, app) {
  await page.goto(`${app.origin}/${QUERY}`);
  await page.click("#signin");
  await page.waitForSelector("#login-form");
  await page.fill("#username", TEST_ACCOUNT.username);
  await page.fill("#password", TEST_ACCOUNT.password);
  await page.click("#login-submit");
  await page.click("#consent-allow");
  await page.waitForSelector("#signed-in:not([hidden])");
}

async function open(page, app) {
  await page.goto(`${app.origin}/${QUERY}`);
  await page.waitForSelector("#signed-in:not([hidden])");
}

test("three tabs ask for an access token at once: one refresh, none refused, every tab the same token", async (t) => {
  await withTabs(t, 3, async ({ app, idp, tabs }) => {
    await signIn(tabs[0], app);
    const t0 = Date.now(); // the token was issued before this
    await open(tabs[1], app);
    await open(tabs[2], app);
    assert.equal(refreshes(idp).length, 0, "the tabs share the fresh session: no refresh yet");
    await sleep(Math.max(0, FRESH_MS + 1000 - (Date.now() - t0)));
    const tokens = await Promise.all(tabs.map((p) => p.evaluate(() => window.demo.getAccessToken().catch((e) => `failed: ${e.code}`))));
    assert.ok(!tokens.some((x) => x.startsWith("failed")), JSON.stringify(tokens.map((x) => x.slice(0, 16))));
    assert.equal(new Set(tokens).size, 1, "every tab got the one refreshed token");
    assert.equal(refreshes(idp).length, 1, "exactly one refresh request");
    assert.deepEqual(refreshes(idp).map((r) => r.status), [200], "none refused (no refresh token presented twice)");
    // The app counts the refreshes of every tab.
    await tabs[2].click("#use-token");
    await tabs[2].waitForFunction(() => document.getElementById("refresh-count").textContent === "1");
    assert.equal(refreshes(idp).length, 1, "fresh now: no second refresh");
  });
});

test("a tab closed while it holds the session lock does not wedge the others; sign-out reaches every tab", async (t) => {
  await withTabs(t, 3, async ({ app, idp, tabs }) => {
    await signIn(tabs[0], app);
    const t0 = Date.now(); // the token was issued before this
    await open(tabs[1], app);
    await open(tabs[2], app);
    await sleep(Math.max(0, FRESH_MS + 1000 - (Date.now() - t0)));
    // Tab 1 takes the session lock and never lets go (as a tab stuck mid-refresh would), then closes.
    const name = "pkce-wasm:session:spa";
    await tabs[1].evaluate((n) => new Promise((held) => navigator.locks.request(n, () => (held(), new Promise(() => {})))), name);
    const waiting = tabs[2].evaluate(() => window.demo.getAccessToken());
    await sleep(300);
    assert.equal(refreshes(idp).length, 0, "tab 2 waits for the lock");
    await tabs[1].close();
    const token = await waiting;
    assert.ok(token.length > 10);
    assert.deepEqual(refreshes(idp).map((r) => r.status), [200]);
    // Sign out in tab 0: the refresh token is revoked, and tab 2 is signed out too.
    await tabs[0].click("#signout");
    await tabs[0].waitForSelector("#signed-out:not([hidden])");
    await tabs[2].waitForSelector("#signed-out:not([hidden])");
    assert.equal(idp.log.filter((r) => r.path === idp.routes.revocation).length, 1, "revoked on sign-out");
    const code = await tabs[2].evaluate(() => window.demo.getAccessToken().then(() => "ok", (e) => e.code));
    assert.equal(code, "no_session");
  });
});
