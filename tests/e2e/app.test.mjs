// End-to-end: the example app in headless Chromium (Debian's, driven by playwright-core) against the real
// embedded authorization server (oidc-provider) and the real built package. No mocks in between.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { launchChromium } from "../support/chromium.mjs";
import { startIdp, TEST_ACCOUNT, CONFIDENTIAL, PROFILES } from "../../idp/server.mjs";
import { startApp, appConfig } from "../../scripts/app-server.mjs";
import { initSync, OAuthClient } from "../../pkg/index.js";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const SHOTS = path.resolve("test-results/e2e");
mkdirSync(SHOTS, { recursive: true });
const STEP_TIMEOUT = 15_000;

let browser, closeBrowser;
before(async () => {
  ({ context: browser, close: closeBrowser } = await launchChromium({ timeout: STEP_TIMEOUT, viewport: { width: 1200, height: 900 } }));
});
after(async () => {
  await closeBrowser?.();
});

/**
 * An authorization server (with `profile`) and the app pointed at it, torn down afterwards. `app` picks
 * another app (`startApp`'s `www` and `pkg`), e.g. the Rust single-page app.
 */
async function withStack(t, { app: appOptions, ...opts }, fn) {
  const app = await startApp(appOptions);
  const idp = await startIdp({ appOrigin: app.origin, ...opts });
  app.setConfig(appConfig(idp));
  const page = await browser.newPage();
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(m.text()));
  try {
    await fn({ app, idp, page, consoleLines });
  } catch (e) {
    await page.screenshot({ path: path.join(SHOTS, `failed-${t.name.replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await page.close();
    await Promise.all([app.close(), idp.close()]);
  }
}

const tokenRequests = (idp, grant) => idp.log.filter((r) => r.path === idp.routes.token && (!grant || r.grant_type === grant));

/** From the app: Sign in, the server's login page, then its consent page (Allow or Deny). */
async function signIn(page, app, { consent = "allow" } = {}) {
  await page.goto(`${app.origin}/`);
  await page.click("#signin");
  await page.waitForSelector("#login-form");
  assert.match(await page.textContent("#test-account"), /alice/);
  await page.fill("#username", TEST_ACCOUNT.username);
  await page.fill("#password", TEST_ACCOUNT.password);
  await page.click("#login-submit");
  await page.click(consent === "allow" ? "#consent-allow" : "#consent-deny");
}

const storageKeys = (page) => page.evaluate(() => Object.keys(sessionStorage));
/** Keys that hold sign-in state (the app's cached discovery metadata is public and stays). */
const isState = (k) => k.startsWith("pkce-wasm") && k !== "pkce-wasm-demo:metadata";

test("sign in, see tokens, refresh rotates the refresh token, sign out", async (t) => {
  await withStack(t, {}, async ({ app, idp, page, consoleLines }) => {
    const t0 = Date.now();
    await signIn(page, app);
    await page.waitForSelector("#signed-in:not([hidden])");
    assert.equal(new URL(page.url()).pathname, "/", "the callback URL is cleaned up");
    assert.equal(await page.textContent("#user-name"), "Alice Liddell");
    assert.match(await page.textContent("#claims"), /"sub": "alice"/);
    assert.equal(await page.textContent("#claims-status"), "verified", "an OpenID Connect client by discovery");
    assert.match(await page.textContent("#scope"), /openid/);
    assert.match(await page.textContent("#scope"), /offline_access/);
    assert.match(await page.textContent("#expires-in"), /^(9|10):\d\d$/);
    const codeExchanges = tokenRequests(idp, "authorization_code");
    assert.equal(codeExchanges.length, 1);
    assert.deepEqual(codeExchanges[0], { path: idp.routes.token, grant_type: "authorization_code", client_id: "spa", auth: "none", has_verifier: true, status: 200 });
    assert.ok(!(await storageKeys(page)).some((k) => k.startsWith("pkce-wasm:pending:")), "the pending authorization is consumed");
    await page.screenshot({ path: path.join(SHOTS, "signed-in.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, "signed-in-phone.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no horizontal scrolling on a phone-sized viewport");
    await page.setViewportSize({ width: 1200, height: 900 });
    console.log(`# e2e sign-in took ${Date.now() - t0} ms`);

    const before = await page.textContent("#rt-fingerprint");
    await page.click("#refresh");
    await page.waitForFunction(() => document.getElementById("refresh-count").textContent === "1");
    const afterFirst = await page.textContent("#rt-fingerprint");
    assert.notEqual(afterFirst, before, "the refresh token rotated");
    await page.click("#refresh");
    await page.waitForFunction(() => document.getElementById("refresh-count").textContent === "2");
    assert.notEqual(await page.textContent("#rt-fingerprint"), afterFirst);
    assert.equal(tokenRequests(idp, "refresh_token").length, 2);

    // Sign out: the refresh token is revoked, then the provider's own sign-out page returns to the app.
    await page.click("#signout");
    await page.click("#logout-yes");
    await page.waitForSelector("#signed-out:not([hidden])");
    assert.equal(idp.log.filter((r) => r.path === idp.routes.revocation).length, 1, "revoked on sign-out");
    assert.deepEqual((await storageKeys(page)).filter(isState), []);
    for (const line of consoleLines) assert.ok(!/AT-|code=|refresh_token|access_token/.test(line), `console leaks: ${line}`);
  });
});

test("deny consent: access_denied, no token request, nothing stored", async (t) => {
  await withStack(t, {}, async ({ app, idp, page }) => {
    await signIn(page, app, { consent: "deny" });
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "access_denied");
    assert.equal(await page.textContent("#error-description"), "The user denied the request");
    assert.equal(new URL(page.url()).search, "", "code, state and iss stripped");
    assert.equal(tokenRequests(idp).length, 0);
    assert.deepEqual((await storageKeys(page)).filter(isState), []);
    await page.screenshot({ path: path.join(SHOTS, "error-access-denied.png"), fullPage: true });
    await page.click("#retry");
    await page.waitForSelector("#login-form, #consent-allow");
  });
});

test("a tampered state: state_mismatch and no token request", async (t) => {
  await withStack(t, {}, async ({ app, idp, page }) => {
    // The callback arrives with its state replaced (as from an attacker's link).
    app.setCallbackRewrite((url) => {
      if (url.searchParams.get("state") === "forged") return undefined;
      url.searchParams.set("state", "forged");
      return url.pathname + url.search;
    });
    await signIn(page, app);
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "state_mismatch");
    assert.equal(tokenRequests(idp).length, 0);
    // A forged link consumes nothing: the sign-in under way stays pending (it expires with the TTL).
    assert.equal((await storageKeys(page)).filter((k) => k.startsWith("pkce-wasm:pending:")).length, 1, "the pending authorization survives");
  });
});

test("reloading the callback URL after success: no_pending_authorization, no second request", async (t) => {
  await withStack(t, {}, async ({ app, idp, page }) => {
    let callbackUrl;
    page.on("request", (r) => { if (r.url().startsWith(`${app.origin}/callback?`)) callbackUrl = r.url(); });
    await signIn(page, app);
    await page.waitForSelector("#signed-in:not([hidden])");
    assert.ok(callbackUrl?.includes("code="));
    await page.goto(callbackUrl);
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "no_pending_authorization");
    assert.equal(tokenRequests(idp, "authorization_code").length, 1);
  });
});

test("an iss mismatch in the callback: issuer_mismatch, no token request", async (t) => {
  await withStack(t, { issuerOverride: "http://127.0.0.1:1/evil" }, async ({ app, idp, page }) => {
    await signIn(page, app);
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "issuer_mismatch");
    assert.equal(tokenRequests(idp).length, 0);
  });
});

for (const profile of Object.keys(PROFILES)) {
  test(`provider profile ${profile}: sign-in completes on its endpoint layout`, async (t) => {
    await withStack(t, { profile }, async ({ app, idp, page }) => {
      let authorizeUrl;
      page.on("request", (r) => { if (r.url().startsWith(idp.endpoints.authorization + "?")) authorizeUrl = new URL(r.url()); });
      await signIn(page, app);
      await page.waitForSelector("#signed-in:not([hidden])");
      assert.match(await page.textContent("#profile"), new RegExp(`^${profile}:`));
      assert.equal(authorizeUrl.pathname, idp.routes.authorization);
      assert.equal(tokenRequests(idp, "authorization_code").length, 1);
      if (profile === "par") {
        // RFC 9126: pushed first (from the page, with PKCE), the browser URL has client_id and request_uri only.
        assert.deepEqual([...authorizeUrl.searchParams.keys()].sort(), ["client_id", "request_uri"]);
        assert.equal(idp.log.filter((e) => e.path === "/request" && e.status === 201).length, 1);
      }
      if (profile === "auth0") {
        assert.equal(authorizeUrl.searchParams.get("audience"), "https://api.example.test");
        assert.equal(tokenRequests(idp, "authorization_code")[0].echoed_audience, "https://api.example.test", "the audience is echoed");
      }
    });
  });
}

test("the confidential client from Node (low-level API): client_secret_basic and client_secret_post", async (t) => {
  for (const profile of ["default", "wso2"]) {
    await withStack(t, { profile }, async ({ idp, page }) => {
      for (const method of ["client_secret_basic", "client_secret_post"]) {
        const client = new OAuthClient({
          clientId: CONFIDENTIAL.clientId,
          clientSecret: CONFIDENTIAL.clientSecret,
          tokenEndpointAuthMethod: method,
          authorizationEndpoint: idp.endpoints.authorization,
          tokenEndpoint: idp.endpoints.token,
          redirectUri: "http://127.0.0.1:8999/callback", // native client: any loopback port matches; nothing listens
          issuer: idp.issuer,
          requireIss: true,
          scope: "openid offline_access",
          storage: "memory",
        });
        const pending = client.startAuthorization({ prompt: "consent" });
        // Scripted consent in the browser; the redirect back is captured, not loaded.
        let callback;
        const isRedirect = (url) => url.host === "127.0.0.1:8999";
        await page.route(isRedirect, (route) => { callback = route.request().url(); return route.abort(); });
        await page.goto(pending.url);
        if (await page.locator("#login-form").count()) {
          await page.fill("#username", TEST_ACCOUNT.username);
          await page.fill("#password", TEST_ACCOUNT.password);
          await page.click("#login-submit");
        }
        await page.click("#consent-allow");
        for (let i = 0; i < 100 && !callback; i++) await new Promise((r) => setTimeout(r, 100));
        await page.unroute(isRedirect);
        assert.ok(callback, "the authorization server redirected back");
        const expectOk = idp.confidentialAuth.includes(method);
        try {
          const tokens = await client.handleCallback(callback, pending);
          assert.ok(expectOk, `${profile} must refuse ${method}`);
          assert.ok(tokens.access_token && tokens.refresh_token);
          const fresh = await client.refresh(tokens.refresh_token);
          assert.notEqual(fresh.refresh_token, tokens.refresh_token);
        } catch (e) {
          if (expectOk) throw e;
          assert.equal(e.name, "TokenResponseError");
          assert.equal(e.code, "invalid_client");
          assert.equal(e.status, 401);
        }
        const last = tokenRequests(idp, "authorization_code").at(-1);
        assert.equal(last.auth, method === "client_secret_basic" ? "basic" : "post");
      }
    });
  }
});

// The Rust single-page app (examples/rust-spa/, built by scripts/rust-spa.sh): the crate's Rust API
// (`OAuthClient::login`, `handle_redirect_callback`, `refresh`) in the page, nothing of the npm package.
const RUST_SPA = { www: "examples/rust-spa", pkg: "target/rust-spa" };

test("the Rust single-page app: sign in, the address bar, refresh rotation, a reloaded callback", async (t) => {
  await withStack(t, { app: RUST_SPA }, async ({ app, idp, page, consoleLines }) => {
    let callbackUrl;
    page.on("request", (r) => { if (r.url().startsWith(`${app.origin}/callback?`)) callbackUrl = r.url(); });
    await signIn(page, app);
    await page.waitForSelector("#signed-in:not([hidden])");
    const url = new URL(page.url());
    assert.equal(url.pathname, "/callback");
    assert.equal(url.search, "", "code, state and iss stripped from the address bar");
    assert.match(callbackUrl, /[?&]code=.*&iss=/, "the provider sent a code and its iss");
    assert.equal(await page.textContent("#token-type"), "bearer");
    assert.match(await page.textContent("#scope"), /offline_access/);
    const codeExchanges = tokenRequests(idp, "authorization_code");
    assert.equal(codeExchanges.length, 1);
    assert.deepEqual(codeExchanges[0], { path: idp.routes.token, grant_type: "authorization_code", client_id: "spa", auth: "none", has_verifier: true, status: 200 });
    assert.deepEqual((await storageKeys(page)).filter(isState), [], "the pending authorization is consumed");
    await page.screenshot({ path: path.join(SHOTS, "rust-spa-signed-in.png"), fullPage: true });

    // The managed session the callback kept: a fresh access token, no request.
    await page.click("#access-token");
    await page.waitForFunction(() => /^[0-9a-f]{8}$/.test(document.getElementById("access-token-fingerprint").textContent));
    assert.equal(tokenRequests(idp, "refresh_token").length, 0);

    const before = await page.textContent("#refresh-fingerprint");
    assert.match(before, /^[0-9a-f]{8}$/);
    await page.click("#refresh");
    await page.waitForFunction(() => document.getElementById("refreshes").textContent === "1");
    assert.notEqual(await page.textContent("#refresh-fingerprint"), before, "the refresh token rotated");
    assert.equal(tokenRequests(idp, "refresh_token").length, 1);

    await page.goto(callbackUrl);
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "no_pending_authorization");
    assert.equal(new URL(page.url()).search, "");
    assert.equal(tokenRequests(idp, "authorization_code").length, 1, "a replay sends nothing");
    for (const line of consoleLines) assert.ok(!/code=|refresh_token|access_token/.test(line), `console leaks: ${line}`);
  });
});

test("the Rust single-page app: denied consent and a tampered state send nothing", async (t) => {
  await withStack(t, { app: RUST_SPA }, async ({ app, idp, page }) => {
    await signIn(page, app, { consent: "deny" });
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "access_denied");
    assert.equal(await page.textContent("#error-description"), "The user denied the request");
    assert.equal(new URL(page.url()).search, "");

    app.setCallbackRewrite((url) => {
      if (url.searchParams.get("state") === "forged") return undefined;
      url.searchParams.set("state", "forged");
      return url.pathname + url.search;
    });
    await page.click("#retry");
    await page.click("#signin");
    await page.waitForSelector("#login-form, #consent-allow");
    if (await page.locator("#login-form").count()) {
      await page.fill("#username", TEST_ACCOUNT.username);
      await page.fill("#password", TEST_ACCOUNT.password);
      await page.click("#login-submit");
    }
    await page.click("#consent-allow");
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), "state_mismatch");
    assert.equal(tokenRequests(idp).length, 0, "no token request after a rejected callback");
    assert.equal((await storageKeys(page)).filter(isState).length, 1, "a forged callback consumes nothing");
  });
});

test("DPoP (nonces required): the example app's tokens are bound to a key kept in IndexedDB, a reload still refreshes, userinfo takes the bound token", async (t) => {
  await withStack(t, { dpop: { nonce: true } }, async ({ app, idp, page }) => {
    await page.goto(`${app.origin}/?dpop=1`);
    await page.click("#signin");
    await page.waitForSelector("#login-form");
    await page.fill("#username", TEST_ACCOUNT.username);
    await page.fill("#password", TEST_ACCOUNT.password);
    await page.click("#login-submit");
    await page.click("#consent-allow");
    await page.waitForSelector("#signed-in:not([hidden])");
    assert.equal(await page.textContent("#token-type"), "DPoP");
    const jkt = await page.textContent("#dpop-jkt");
    assert.match(jkt, /^[A-Za-z0-9_-]{43}$/, "the bound key's thumbprint");
    const [exchange] = tokenRequests(idp, "authorization_code");
    assert.ok(exchange.dpop, "a proof on the code exchange");
    // A reload: the key comes back from IndexedDB (non-extractable), so the bound refresh token still works.
    await page.reload();
    await page.waitForSelector("#signed-in:not([hidden])");
    await page.click("#refresh");
    await page.waitForFunction(() => document.getElementById("refresh-count").textContent === "1");
    // Nonces are required: the reloaded page has no nonce yet, so `use_dpop_nonce` and one retry.
    assert.deepEqual(tokenRequests(idp, "refresh_token").map((r) => r.status), [400, 200]);
    assert.equal(await page.textContent("#token-type"), "DPoP");
    assert.equal(await page.textContent("#dpop-jkt"), jkt, "the same key after the reload");
    // Userinfo with the bound token, from the browser: `Authorization: DPoP` with a proof.
    await page.click("#userinfo-button");
    await page.waitForSelector("#userinfo:not([hidden])");
    assert.equal(JSON.parse(await page.textContent("#userinfo")).sub, TEST_ACCOUNT.username);
  });
});
