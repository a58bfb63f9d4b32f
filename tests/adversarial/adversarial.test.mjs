// The adversarial suite: every case of runner.mjs through the public JS API in Node and in headless
// Chromium, against the adversarial server; then the browser's storage cases; then a scan of every error
// message, console line and request URL for secrets. Each case checks the exact name and code, that no
// further request reached the server after a rejection, and that nothing was returned as success.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launchChromium } from "../support/chromium.mjs";
// PKCE_WASM_ENTRY=oauth/ runs the suite against `pkce-wasm/oauth` (pkg/oauth/).
const ENTRY = process.env.PKCE_WASM_ENTRY ?? "";
const api = await import(`../../pkg/${ENTRY}index.js`);
import { startAdversarialServer } from "./server.mjs";
import { CASES, CLIENT_SECRET, runCases } from "./runner.mjs";

api.initSync({ module: readFileSync(new URL(`../../pkg/${ENTRY}pkce_wasm_bg.wasm`, import.meta.url)) });
const SECRETS = ["CODE-secret-1", "AT-secret-1", "RT-secret-1", "RT-secret-2", CLIENT_SECRET];
let server, browser, closeBrowser;

before(async () => {
  server = await startAdversarialServer();
  ({ context: browser, close: closeBrowser } = await launchChromium());
});
after(async () => {
  await closeBrowser?.();
  await server?.close();
});

function check({ results }, runtime) {
  const byName = new Map(results.map((r) => [r.name, r]));
  for (const c of CASES) {
    const r = byName.get(c.name);
    const where = `${runtime}: ${c.name}`;
    assert.ok(r, `${where}: ran`);
    const e = c.expect;
    if (e.ok) {
      assert.equal(r.error, undefined, `${where}: ${JSON.stringify(r.error)}`);
      if (e.token_type) assert.equal(r.tokens.token_type, e.token_type, where);
      if (e.expires_in) assert.equal(r.tokens.expires_in, e.expires_in, where);
      if ("scope" in e) assert.equal(r.tokens.scope, e.scope, where);
      continue;
    }
    assert.equal(r.tokens, undefined, `${where}: nothing returned as success`);
    assert.ok(r.error?.isOAuthError, `${where}: a typed error, got ${JSON.stringify(r.error)}`);
    assert.equal(r.error.name, e.name, where);
    assert.equal(r.error.code, e.code, where);
    if (e.status !== undefined) assert.equal(r.error.status, e.status, `${where}: status`);
    if (e.code === "timeout") assert.equal(r.error.status, undefined, `${where}: no status on a timeout`);
    if (e.redirect) assert.ok([0, 302, 307].includes(r.error.status), `${where}: status ${r.error.status}`);
    if (e.error_description) assert.equal(r.error.error_description, e.error_description, where);
    if (e.error_uri) assert.equal(r.error.error_uri, e.error_uri, where);
    if (e.descriptionLength) assert.equal(r.error.error_description.length, e.descriptionLength, where);
    // The message is static: no server or callback text in it.
    assert.ok(!/[<>]|alert|access_denied|invalid_grant/.test(r.error.message), `${where}: message "${r.error.message}"`);
    const expectedRequests = c.flow === "callback" ? 0 : 1;
    assert.equal(r.requests.length, expectedRequests, `${where}: requests that reached the server`);
    assert.equal(r.sameHostAttacker, 0, `${where}: a redirect was followed`);
  }
  const refresh = (name) => byName.get(name);
  assert.equal(refresh("refresh: rotation").value, "RT-rotated-1");
  assert.equal(refresh("refresh: no new refresh token keeps the old one").value, "RT-secret-1");
  const reuse = refresh("refresh: invalid_grant on reuse");
  assert.deepEqual([reuse.error?.name, reuse.error?.code, reuse.error?.status, reuse.requests.length], ["TokenResponseError", "invalid_grant", 400, 2]);
  const type = refresh("refresh: a response that changes token_type");
  assert.deepEqual([type.error?.code, type.requests.length], ["invalid_response", 2]);
  const flight = refresh("refresh: concurrent calls share one request");
  assert.deepEqual([flight.value?.length, new Set(flight.value).size, flight.requests.length], [3, 1, 1]);
}

function scanForSecrets({ results, attackerLog }, lines, runtime) {
  const verifiers = results.map((r) => r.verifier).filter((v) => typeof v === "string" && v.length >= 43);
  const secrets = [...SECRETS, ...verifiers];
  for (const r of results) {
    const text = JSON.stringify([r.error?.message, r.error?.name, r.error?.code]);
    for (const s of secrets) assert.ok(!text.includes(s), `${runtime}: ${r.name}: error text leaks a secret`);
    for (const q of r.requests) for (const s of secrets) assert.ok(!q.url.includes(s), `${runtime}: ${r.name}: a request URL carries a secret`);
    // No request names the page it came from (the page may be the callback URL, with its code).
    for (const q of r.requests) assert.equal(q.referer, null, `${runtime}: ${r.name}: a request carries a Referer`);
  }
  for (const line of lines) for (const s of secrets) assert.ok(!line.includes(s), `${runtime}: console output leaks a secret: ${line}`);
  assert.deepEqual(attackerLog, [], `${runtime}: the attacker host received requests`);
}

test("Node 22: every adversarial case through the public JS API", async () => {
  const lines = [];
  const saved = {};
  for (const m of ["log", "info", "warn", "error", "debug"]) {
    saved[m] = console[m];
    console[m] = (...args) => lines.push(args.map(String).join(" "));
  }
  let out;
  try {
    out = await runCases(api, server.url, "node");
  } finally {
    Object.assign(console, saved);
  }
  check(out, "node");
  scanForSecrets(out, lines, "node");
  console.log(`# node: ${out.results.length} adversarial cases`);
});

test("headless Chromium: every adversarial case through the public JS API", async () => {
  const page = await browser.newPage();
  const lines = [];
  page.on("console", (m) => lines.push(m.text()));
  page.on("pageerror", (e) => lines.push(String(e)));
  await page.goto(`${server.url}/blank.html`);
  const out = await page.evaluate(async ([url, entry]) => {
    const api = await import(`/pkg/${entry}index.js`);
    await api.default();
    const { runCases } = await import("/tests/adversarial/runner.mjs");
    return runCases(api, url, "browser");
  }, [server.url, ENTRY]);
  await page.close();
  check(out, "chromium");
  scanForSecrets(out, lines, "chromium");
  console.log(`# chromium: ${out.results.length} adversarial cases`);
});

/** In a page: a client on sessionStorage with a seeded pending authorization (as login() stores it). */
const SETUP = `
  const api = await import("/pkg/${ENTRY}index.js");
  await api.default();
  const client = new api.OAuthClient({ clientId: "adv", authorizationEndpoint: "https://idp.example/authorize",
    tokenEndpoint: location.origin + "/t/" + ID + "/ok", redirectUri: "https://app.example/cb", issuer: "https://idp.example" });
  const seed = () => { const p = client.startAuthorization(); sessionStorage.setItem("pkce-wasm:pending:adv:" + p.state, JSON.stringify(p)); return p; };
  const visit = (state) => history.replaceState(null, "", "/blank.html?code=CODE-secret-1&state=" + encodeURIComponent(state) + "&iss=https%3A%2F%2Fidp.example");
  const outcome = async () => { try { await client.handleCallback(); return "ok"; } catch (e) { return api.isOAuthError(e) ? e.code : "untyped:" + e; } };
`;
const inPage = (page, id, body) => page.evaluate(new Function("ID", `return (async () => { ${SETUP} ${body} })();`), id);

test("headless Chromium: storage that throws, garbage entries, replays, two tabs", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/blank.html`);
  // A storage that throws (disabled, quota, private mode): login() fails before navigating.
  const throwing = await inPage(page, "st-throw", `
    const proto = Object.getPrototypeOf(sessionStorage);
    const saved = proto.setItem;
    proto.setItem = () => { throw new DOMException("full", "QuotaExceededError"); };
    try { await client.login(); return "navigated"; } catch (e) { return e.code; } finally { proto.setItem = saved; }`);
  assert.equal(throwing, "storage_unavailable");
  assert.equal(new URL(page.url()).pathname, "/blank.html", "no navigation without a stored pending authorization");

  // A garbage entry under the callback's state; then the same callback again (a replay after a failure).
  const garbage = await inPage(page, "st-garbage", `
    sessionStorage.setItem("pkce-wasm:pending:adv:S1", "{garbage");
    visit("S1");
    const first = await outcome();
    visit("S1");
    return [first, await outcome(), location.search];`);
  assert.deepEqual(garbage, ["invalid_pending", "no_pending_authorization", ""]);
  assert.equal(server.log("st-garbage").length, 0);

  // A replay after success.
  const replay = await inPage(page, "st-replay", `
    const p = seed();
    visit(p.state);
    const first = await outcome();
    visit(p.state);
    return [first, await outcome()];`);
  assert.deepEqual(replay, ["ok", "no_pending_authorization"]);
  assert.equal(server.log("st-replay").length, 1);

  // Two tabs: each validates only its own pending authorization.
  const tabB = await browser.newPage();
  await tabB.goto(`${server.url}/blank.html`);
  const stateA = await inPage(page, "st-tabs", `return seed().state;`);
  const stateB = await inPage(tabB, "st-tabs", `return seed().state;`);
  const crossed = await inPage(tabB, "st-tabs", `visit(${JSON.stringify(stateA)}); return outcome();`);
  assert.equal(crossed, "state_mismatch", "tab B refuses tab A's callback");
  const own = await inPage(page, "st-tabs", `visit(${JSON.stringify(stateA)}); return outcome();`);
  assert.equal(own, "ok", "tab A still completes its own");
  // A forged or crossed callback consumes nothing: tab B's own sign-in still completes.
  const kept = await inPage(tabB, "st-tabs", `visit(${JSON.stringify(stateB)}); return outcome();`);
  assert.equal(kept, "ok", "tab B's pending authorization survived the crossed callback");
  assert.equal(server.log("st-tabs").length, 2);
  await Promise.all([page.close(), tabB.close()]);
});

test("headless Chromium: the address bar keeps other parameters; stale entries go; a bad state touches nothing", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/blank.html`);
  const out = await inPage(page, "st-bar", `
    const p = seed();
    history.replaceState(null, "", "/blank.html?keep=a%20b&code=CODE-secret-1&state=" + encodeURIComponent(p.state) +
      "&iss=https%3A%2F%2Fidp.example&session_state=s#frag");
    const first = await outcome();
    const bar = location.search + location.hash;
    // An expired entry and an unreadable one are removed on the way; a forged state finds nothing.
    sessionStorage.setItem("pkce-wasm:pending:adv:stale", JSON.stringify({ ...p, createdAt: 1 }));
    sessionStorage.setItem("pkce-wasm:pending:adv:junk", "{not json");
    sessionStorage.setItem("other-app", "kept");
    visit("forged");
    const forged = await outcome();
    const left = Object.keys(sessionStorage).sort();
    // No state, or a repeated one: rejected before storage is read (a throwing storage proves it).
    const proto = Object.getPrototypeOf(sessionStorage);
    const saved = proto.getItem;
    proto.getItem = () => { throw new Error("storage read"); };
    try {
      history.replaceState(null, "", "/blank.html?code=CODE-secret-1");
      const missing = await outcome();
      history.replaceState(null, "", "/blank.html?code=CODE-secret-1&state=a&state=b");
      return [first, bar, forged, left, missing, await outcome()];
    } finally { proto.getItem = saved; }`);
  // The other parameters stay as written (`%20`, not re-serialised as `+`).
  assert.deepEqual(out, ["ok", "?keep=a%20b#frag", "no_pending_authorization", ["other-app"], "missing_state",
    "duplicate_parameter"]);
  assert.equal(server.log("st-bar").length, 1);
  await page.close();
});

test("headless Chromium: concurrent createDpopKey calls for one name keep one key (no tab replaces another's)", { skip: ENTRY === "oauth/" && "no DPoP in pkce-wasm/oauth" }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/blank.html`);
  const out = await page.evaluate(async (entry) => {
    const api = await import(`/pkg/${entry}index.js`);
    await api.default();
    const pairs = await Promise.all([1, 2, 3].map(() => api.createDpopKey("race")));
    const later = await api.createDpopKey("race");
    return [...pairs, later].map((p) => p.publicJwk.x);
  }, ENTRY);
  await page.close();
  assert.equal(new Set(out).size, 1, "every call returns the one stored key");
});
