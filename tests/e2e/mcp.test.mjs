// End-to-end: the example app's MCP page (www/mcp.html) in headless Chromium connects to an MCP server it
// has never seen (idp/mcp-server.mjs): the 401, its protected resource metadata, the embedded
// oidc-provider's metadata, dynamic registration, the sign-in and consent, the callback, and tools/list
// with the token. Real browser, real authorization server, the built package.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { launchChromium } from "../support/chromium.mjs";
import { startIdp, TEST_ACCOUNT } from "../../idp/server.mjs";
import { startApp } from "../../scripts/app-server.mjs";
import { startMcpServer } from "../../idp/mcp-server.mjs";

const SHOTS = path.resolve("test-results/e2e");
mkdirSync(SHOTS, { recursive: true });
let browser, closeBrowser, app, idp, mcp;
before(async () => {
  ({ context: browser, close: closeBrowser } = await launchChromium({ timeout: 15_000 }));
  app = await startApp();
  mcp = await startMcpServer({ issuer: () => idp.issuer, verify: (t) => idp.verifyAccessToken(t), allowOrigin: app.origin });
  idp = await startIdp({ appOrigin: app.origin, mcpResource: mcp.resource });
});
after(async () => {
  await closeBrowser?.();
  await Promise.all([app?.close(), mcp?.close(), idp?.close()]);
});

test("the MCP page: probe, discovery, registration, sign-in, callback, tools/list", async (t) => {
  const page = await browser.newPage();
  const lines = [];
  page.on("console", (m) => lines.push(m.text()));
  try {
    await page.goto(`${app.origin}/mcp.html?server=${encodeURIComponent(mcp.url)}`);
    await page.click("#mcp-connect");
    await page.waitForSelector("#login-form");
    await page.fill("#username", TEST_ACCOUNT.username);
    await page.fill("#password", TEST_ACCOUNT.password);
    await page.click("#login-submit");
    assert.match(await page.textContent("#consent-scopes"), /mcp:read/);
    await page.click("#consent-allow");
    await page.waitForSelector("#mcp-connected:not([hidden])");
    assert.equal(await page.textContent("#mcp-name"), "pkce-wasm-test-mcp");
    assert.equal(await page.textContent("#mcp-resource"), mcp.resource);
    assert.equal(await page.textContent("#mcp-issuer"), idp.issuer);
    assert.equal(await page.textContent("#mcp-registration"), "stored", "registered before the redirect, reused after it");
    assert.equal(await page.textContent("#mcp-tools"), "whoami");
    assert.equal(new URL(page.url()).search, "", "the callback parameters are gone from the address bar");
    assert.equal(idp.log.filter((e) => e.path === "/reg").length, 1);
    const [exchange] = idp.log.filter((e) => e.path === idp.routes.token);
    assert.deepEqual(exchange.resource, [mcp.resource]);
    assert.equal(exchange.auth, "none");
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    assert.ok(!keys.some((k) => k.startsWith("pkce-wasm:pending:")), "the pending authorization is consumed");
    assert.ok(keys.includes(`pkce-wasm:mcp:client:${idp.issuer}`), "the registration is kept per authorization server");
  } catch (e) {
    await page.screenshot({ path: path.join(SHOTS, "failed-mcp.png"), fullPage: true }).catch(() => {});
    console.error(lines.join("\n"));
    throw e;
  } finally {
    await page.close();
  }
});
