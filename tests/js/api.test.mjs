// The public JS API of the built package (pkg/), in Node, against a real HTTP token endpoint on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
// PKCE_WASM_ENTRY=oauth/ runs the suite against `pkce-wasm/oauth` (pkg/oauth/).
const ENTRY = process.env.PKCE_WASM_ENTRY ?? "";
const { initSync, OAuthClient, createPkce, isOAuthError } = await import(`../../pkg/${ENTRY}index.js`);
import { startTokenServer } from "../support/token-server.mjs";

initSync({ module: readFileSync(new URL(`../../pkg/${ENTRY}pkce_wasm_bg.wasm`, import.meta.url)) });

let server;
before(async () => { server = await startTokenServer(); });
after(async () => { await server.close(); });

const ISSUER = "https://idp.example";
const base = {
  clientId: "spa",
  authorizationEndpoint: "https://idp.example/authorize?tenant=t1",
  tokenEndpoint: "https://idp.example/oauth/token",
  redirectUri: "https://app.example/callback",
  scope: "openid profile offline_access",
  issuer: ISSUER,
  storage: "memory",
};
let ids = 0;
/** A client whose token endpoint is `behaviour` on the test server, under a fresh test id. */
function clientFor(behaviour, extra = {}) {
  const id = `js${++ids}`;
  const client = new OAuthClient({ ...base, tokenEndpoint: `${server.url}/t/${id}/${behaviour}`, ...extra });
  return { id, client, log: () => server.log(id) };
}
const callbackFor = (pending, extra = "") =>
  `https://app.example/callback?code=CODE-secret-1&state=${pending.state}&iss=${encodeURIComponent(ISSUER)}${extra}`;

async function rejects(promise, { name, code, status }) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Error, "an Error object");
    assert.ok(isOAuthError(e), "isOAuthError");
    assert.equal(e.name, name);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    return e;
  }
  assert.fail(`expected ${name} ${code}`);
}
const throws = (fn, expected) => rejects((async () => fn())(), expected);

test("createPkce: RFC 7636 Appendix B vector, fresh pairs, invalid verifiers", async () => {
  const v = createPkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  assert.deepEqual(v, {
    codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    codeChallengeMethod: "S256",
  });
  const a = createPkce(), b = createPkce();
  assert.match(a.codeVerifier, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a.codeVerifier, b.codeVerifier);
  for (const bad of ["short", "a".repeat(129), "a".repeat(42) + "+", "a".repeat(42) + "é"]) {
    await throws(() => createPkce(bad), { name: "OAuthClientError", code: "invalid_verifier", status: undefined });
  }
});

test("a host without WebCrypto's getRandomValues: random_unavailable, never a weak secret", () => {
  // A fresh process whose global `crypto` is gone before the package loads.
  const script = `
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
    const { initSync, OAuthClient, createPkce } = await import(${JSON.stringify(new URL(`../../pkg/${ENTRY}index.js`, import.meta.url).href)});
    initSync({ module: (await import("node:fs")).readFileSync(new URL(${JSON.stringify(`../../pkg/${ENTRY}pkce_wasm_bg.wasm`)}, ${JSON.stringify(import.meta.url)})) });
    const code = (f) => { try { f(); return "none"; } catch (e) { return e.code; } };
    const client = new OAuthClient(${JSON.stringify(base)});
    console.log(JSON.stringify([code(() => client.startAuthorization()), code(() => createPkce()),
      createPkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").codeChallenge]));`;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 }));
  assert.deepEqual(out, ["random_unavailable", "random_unavailable", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"], "a given verifier needs none");
});

test("constructor rejects bad configuration with invalid_config", async () => {
  const bad = [
    null,
    {},
    { ...base, clientId: "" },
    { ...base, authorizationEndpoint: "http://idp.example/authorize" },
    { ...base, tokenEndpoint: "/oauth/token" },
    { ...base, redirectUri: "https://app.example/callback#x" },
    { ...base, redirectUri: "javascript:alert(1)" },
    { ...base, issuer: undefined, requireIss: true },
    { ...base, extraAuthorizationParams: { state: "x" } },
    { ...base, extraAuthorizationParams: { code_challenge_method: "plain" } },
    { ...base, extraAuthorizationParams: { resource: [1] } },
    { ...base, extraTokenParams: { client_id: "other" } },
    { ...base, tokenEndpointAuthMethod: "client_secret_basic" },
    { ...base, tokenEndpointAuthMethod: "private_key_jwt", clientSecret: "s" },
    { ...base, tokenEndpointAuthMethod: "none", clientSecret: "s" },
    { ...base, storage: "cookie" },
    { ...base, timeoutMs: -1 },
    { ...base, timeoutMs: 0 },
    // Non-finite numbers stay wrong (JSON would have made them null, that is absent: the default).
    { ...base, timeoutMs: NaN },
    { ...base, pendingTtlSeconds: Infinity },
    { ...base, clockToleranceSeconds: -Infinity },
    { ...base, scope: NaN }, // not the scope "NaN"
    { ...base, extraAuthorizationParams: { audience: Infinity } },
    { ...base, scope: 5 },
  ];
  for (const config of bad) {
    await throws(() => new OAuthClient(config), { name: "OAuthClientError", code: "invalid_config", status: undefined });
  }
  // Values JSON cannot carry are a typed error too, wherever they are passed.
  for (const options of [{ extraParams: { x: 1n } }, { scope: 2n }]) {
    await throws(() => new OAuthClient(base).startAuthorization(options), { name: "OAuthClientError", code: "invalid_config", status: undefined });
  }
  // Loopback http is allowed; the default storage does not touch anything at construction (Node has none).
  // A pending authorization whose maxAge is not a number is refused, not read as "no max_age".
  const c = new OAuthClient(base);
  const p = c.startAuthorization({ extraParams: { max_age: "60" } });
  await throws(() => c.validateCallback(`${base.redirectUri}?code=c&state=${p.state}`, { ...p, maxAge: NaN }), { name: "OAuthClientError", code: "invalid_pending", status: undefined });
  const ok = new OAuthClient({ ...base, storage: undefined, tokenEndpoint: "http://127.0.0.1:1/t", redirectUri: "http://localhost:3000/cb" });
  assert.equal(ok.clientId, "spa");
  assert.equal(ok.issuer, ISSUER);
  assert.equal(ok.dpopJkt, undefined, "no DPoP key, no thumbprint");
});

test("startAuthorization builds the URL and a JSON-serialisable pending authorization", () => {
  const { client } = clientFor("ok", { extraAuthorizationParams: { audience: "api://x y", resource: ["https://a", "https://b"] } });
  const before = Math.floor(Date.now() / 1000);
  const p = client.startAuthorization({ prompt: "consent", loginHint: "a@b.example" });
  assert.deepEqual(Object.keys(p).sort(), ["codeVerifier", "createdAt", "issuer", "nonce", "redirectUri", "state", "url"]);
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  const u = new URL(p.url);
  assert.equal(u.origin + u.pathname, "https://idp.example/authorize");
  const q = u.searchParams;
  assert.equal(q.get("tenant"), "t1");
  assert.equal(q.get("response_type"), "code");
  assert.equal(q.get("client_id"), "spa");
  assert.equal(q.get("redirect_uri"), base.redirectUri);
  assert.equal(q.get("scope"), base.scope);
  assert.equal(q.get("state"), p.state);
  assert.equal(q.get("code_challenge"), createPkce(p.codeVerifier).codeChallenge);
  assert.equal(q.get("code_challenge_method"), "S256");
  assert.equal(q.get("nonce"), p.nonce);
  assert.equal(q.get("audience"), "api://x y");
  assert.deepEqual(q.getAll("resource"), ["https://a", "https://b"]);
  assert.equal(q.get("prompt"), "consent");
  assert.equal(q.get("login_hint"), "a@b.example");
  assert.ok(!p.url.includes(p.codeVerifier));
  // Same encoding as URLSearchParams.
  assert.equal(u.search.slice(1), new URLSearchParams([...q]).toString());
  assert.ok(p.createdAt >= before && Number.isInteger(p.createdAt));
  const noOidc = client.startAuthorization({ scope: "read" });
  assert.equal(noOidc.nonce, undefined);
  assert.equal(new URL(noOidc.url).searchParams.get("nonce"), null);
  assert.throws(() => client.startAuthorization({ extraParams: { nonce: "x" } }), { code: "invalid_config" });
});

test("handleCallback(url, pending): validates, then exchanges the code with PKCE", async () => {
  const { client, log } = clientFor("ok");
  const p = client.startAuthorization();
  const tokens = await client.handleCallback(callbackFor(p), p);
  assert.deepEqual(Object.keys(tokens).sort(), ["access_token", "expires_at", "expires_in", "id_token", "refresh_token", "scope", "token_type"]);
  assert.equal(tokens.access_token, "AT-secret-1");
  assert.equal(tokens.token_type, "bearer");
  assert.equal(tokens.expires_in, 3600);
  assert.ok(Math.abs(tokens.expires_at - (Math.floor(Date.now() / 1000) + 3600)) <= 2);
  const [req] = log();
  assert.equal(log().length, 1);
  assert.equal(req.method, "POST");
  assert.match(req.headers["content-type"], /^application\/x-www-form-urlencoded/);
  assert.equal(req.headers.accept, "application/json");
  assert.equal(req.headers.authorization, undefined);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(req.body)), {
    grant_type: "authorization_code",
    code: "CODE-secret-1",
    redirect_uri: base.redirectUri,
    code_verifier: p.codeVerifier,
    client_id: "spa",
  });
});

test("rejected callbacks send nothing to the token endpoint", async () => {
  const { client, log } = clientFor("ok", { requireIss: true });
  const p = client.startAuthorization();
  const cases = [
    [`https://app.example/callback?code=c&state=${p.state}&state=${p.state}&iss=${ISSUER}`, "OAuthClientError", "duplicate_parameter"],
    [`https://app.example/callback?code=c&iss=${ISSUER}`, "OAuthClientError", "missing_state"],
    [`https://app.example/callback?code=c&state=forged&iss=${ISSUER}`, "OAuthClientError", "state_mismatch"],
    [`https://app.example/callback?code=c&state=${p.state}`, "OAuthClientError", "missing_issuer"],
    [`https://app.example/callback?code=c&state=${p.state}&iss=https%3A%2F%2Fevil.example`, "OAuthClientError", "issuer_mismatch"],
    [`https://app.example/callback?state=${p.state}&iss=${ISSUER}`, "OAuthClientError", "missing_code"],
    [`https://app.example/callback?error=access_denied&error_description=%3Cimg%20src%3Dx%3E&state=${p.state}&iss=${ISSUER}`, "AuthorizationResponseError", "access_denied"],
    // An `error` that is not an RFC 6749 error code is not reported as the server's.
    [`https://app.example/callback?error=%3Cscript%3E%22x&state=${p.state}&iss=${ISSUER}`, "OAuthClientError", "invalid_response"],
  ];
  for (const [url, name, code] of cases) {
    const e = await rejects(client.handleCallback(url, p), { name, code, status: undefined });
    if (name === "AuthorizationResponseError") {
      assert.equal(e.error, "access_denied");
      assert.equal(e.error_description, "<img src=x>");
      assert.ok(!e.message.includes("<img"));
    }
    assert.throws(() => client.validateCallback(url, p), { code });
  }
  const expired = { ...p, createdAt: p.createdAt - 601 };
  await rejects(client.handleCallback(callbackFor(expired), expired), { name: "OAuthClientError", code: "pending_expired", status: undefined });
  await rejects(client.handleCallback(callbackFor(p), { ...p, codeVerifier: "x" }), { name: "OAuthClientError", code: "invalid_pending", status: undefined });
  await rejects(client.handleCallback(callbackFor(p), "garbage"), { name: "OAuthClientError", code: "invalid_pending", status: undefined });
  assert.equal(log().length, 0, "no token request after a rejected callback");
  // Without a pending argument the client looks in its storage (memory here): nothing there.
  await rejects(client.handleCallback(callbackFor(p)), { name: "OAuthClientError", code: "no_pending_authorization", status: undefined });
  assert.equal(log().length, 0);
});

test("validateCallback + exchangeCode, the two halves", async () => {
  const { client, log } = clientFor("ok");
  const p = client.startAuthorization();
  const v = client.validateCallback(callbackFor(p), p);
  assert.deepEqual(v, { code: "CODE-secret-1", state: p.state, iss: ISSUER });
  const tokens = await client.exchangeCode(v.code, p);
  assert.equal(tokens.refresh_token, "RT-secret-1");
  assert.equal(log().length, 1);
  // The pending authorization is checked as the callback's validation checks it: nothing is sent for one
  // past its time to live, or made for another issuer or redirect URI.
  for (const [pending, code] of [
    [{ ...p, createdAt: 1 }, "pending_expired"],
    [{ ...p, issuer: "https://other.example" }, "issuer_mismatch"],
    [{ ...p, redirectUri: "https://evil.example/cb" }, "invalid_pending"],
  ]) {
    await rejects(client.exchangeCode(v.code, pending), { name: "OAuthClientError", code, status: undefined });
  }
  assert.equal(log().length, 1, "nothing sent");
});

test("token endpoint failures are typed, with the status", async () => {
  const cases = [
    ["rfc-error", "TokenResponseError", "invalid_grant", 400],
    ["unauthorized", "TokenResponseError", "invalid_client", 401],
    ["html500", "OAuthClientError", "invalid_response", 500],
    ["redirect302", "OAuthClientError", "invalid_response", 302],
    ["redirect307", "OAuthClientError", "invalid_response", 307],
    ["huge", "OAuthClientError", "invalid_response", 200],
    ["huge-chunked", "OAuthClientError", "invalid_response", 200],
    ["wrong-content-type", "OAuthClientError", "invalid_response", 200],
    ["error-in-200", "OAuthClientError", "invalid_response", 200],
  ];
  for (const [behaviour, name, code, status] of cases) {
    const { id, client, log } = clientFor(behaviour);
    const p = client.startAuthorization();
    const e = await rejects(client.handleCallback(callbackFor(p), p), { name, code, status });
    if (behaviour === "rfc-error") {
      assert.equal(e.error, "invalid_grant");
      assert.equal(e.error_description, "<b>expired</b> code");
      assert.equal(e.error_uri, undefined);
    }
    assert.equal(log().length, 1, `${behaviour}: exactly one request`);
    assert.equal(server.log(`${id}-attacker`).length, 0, `${behaviour}: a redirect is never followed`);
  }
});

test("timeouts cover the headers and the body; network errors are typed", async () => {
  for (const behaviour of ["slow", "trickle"]) {
    const { client } = clientFor(behaviour, { timeoutMs: 400 });
    const p = client.startAuthorization();
    const t0 = Date.now();
    await rejects(client.handleCallback(callbackFor(p), p), { name: "OAuthClientError", code: "timeout", status: undefined });
    assert.ok(Date.now() - t0 < 2500, `${behaviour}: gave up in time`);
  }
  const client = new OAuthClient({ ...base, tokenEndpoint: "http://127.0.0.1:9/unreachable" });
  const p = client.startAuthorization();
  const e = await rejects(client.handleCallback(callbackFor(p), p), { name: "OAuthClientError", code: "network_error", status: undefined });
  assert.ok(e.cause instanceof Error, "the host's fetch failure is the cause");
  assert.ok(!Object.keys(e).includes("cause"), "cause is not enumerable, as with new Error(message, { cause })");
  assert.ok(!String(e.cause?.message).includes("CODE-secret-1"));
});

test("refresh: rotation, no rotation, narrower scope, single flight", async () => {
  const rotating = clientFor("rotate");
  const t1 = await rotating.client.refresh("RT-old", { scope: "openid" });
  assert.equal(t1.refresh_token, "RT-rotated-1");
  const body = Object.fromEntries(new URLSearchParams(rotating.log()[0].body));
  assert.deepEqual(body, { grant_type: "refresh_token", refresh_token: "RT-old", scope: "openid", client_id: "spa" });

  const keeping = clientFor("keep");
  const t2 = await keeping.client.refresh("RT-kept");
  assert.equal(t2.refresh_token, "RT-kept", "no new refresh token: the old one is kept");

  const flight = clientFor("rotate");
  const [a, b] = await Promise.all([flight.client.refresh("RT-same"), flight.client.refresh("RT-same")]);
  assert.deepEqual(a, b);
  assert.equal(flight.log().length, 1, "one refresh token is presented once");
  await flight.client.refresh("RT-same");
  assert.equal(flight.log().length, 2, "a later call sends again");

  // A configured token-request `scope` goes on every refresh, and a narrower one replaces it (each
  // parameter once).
  const scoped = clientFor("rotate", { extraTokenParams: { scope: "openid profile" } });
  await scoped.client.refresh("RT-a");
  await scoped.client.refresh("RT-b", { scope: "openid" });
  const scopes = scoped.log().map((r) => new URLSearchParams(r.body).getAll("scope"));
  assert.deepEqual(scopes, [["openid profile"], ["openid"]]);

  const failing = clientFor("rfc-error");
  await rejects(failing.client.refresh("RT-x"), { name: "TokenResponseError", code: "invalid_grant", status: 400 });
  await rejects(failing.client.refresh(""), { name: "OAuthClientError", code: "invalid_config", status: undefined });
});

test("refresh without an ID token keeps the session's; scope \"\" is accepted; a bad error code is invalid_response", async () => {
  const keeping = clientFor("keep");
  const session = { access_token: "AT-0", token_type: "bearer", refresh_token: "RT-0", id_token: "h.p.s" };
  const fresh = await keeping.client.refresh(session);
  assert.equal(fresh.access_token, "AT-secret-1");
  assert.equal(fresh.id_token, "h.p.s", "the session's ID token is kept");
  assert.equal(fresh.refresh_token, "RT-0");

  const p = clientFor("scope-empty");
  const pending = p.client.startAuthorization();
  const tokens = await p.client.handleCallback(callbackFor(pending), pending);
  assert.equal(tokens.scope, "", "no scope granted");

  for (const behaviour of ["error-empty", "error-not-rfc"]) {
    await rejects(clientFor(behaviour).client.refresh("RT-1"), { name: "OAuthClientError", code: "invalid_response", status: 400 });
  }
});

test("confidential clients: client_secret_basic and client_secret_post", async () => {
  const basic = clientFor("ok", { clientId: "conf id", clientSecret: "s3cr:et/+" });
  let p = basic.client.startAuthorization();
  await basic.client.handleCallback(callbackFor(p), p);
  let req = basic.log()[0];
  const expected = Buffer.from(`${encodeURIComponent("conf id").replace(/%20/g, "+")}:${"s3cr%3Aet%2F%2B"}`).toString("base64");
  assert.equal(req.headers.authorization, `Basic ${expected}`);
  let body = new URLSearchParams(req.body);
  assert.equal(body.get("client_id"), null);
  assert.equal(body.get("client_secret"), null);

  const post = clientFor("ok", { clientId: "conf", clientSecret: "s3cret", tokenEndpointAuthMethod: "client_secret_post", extraTokenParams: { audience: "api" } });
  p = post.client.startAuthorization();
  await post.client.handleCallback(callbackFor(p), p);
  req = post.log()[0];
  assert.equal(req.headers.authorization, undefined);
  body = new URLSearchParams(req.body);
  assert.equal(body.get("client_id"), "conf");
  assert.equal(body.get("client_secret"), "s3cret");
  assert.equal(body.get("audience"), "api");
});

test("browser-only methods fail with typed errors outside a browser", async () => {
  const { client } = clientFor("ok", { storage: "session" });
  await rejects(client.login(), { name: "OAuthClientError", code: "unsupported_environment", status: undefined });
  await rejects(client.handleCallback(), { name: "OAuthClientError", code: "unsupported_environment", status: undefined });
  const p = client.startAuthorization();
  await rejects(client.handleCallback(callbackFor(p)), { name: "OAuthClientError", code: "storage_unavailable", status: undefined });
});

test("login: a navigation the page refuses leaves nothing stored", async () => {
  // The one browser failure a real page cannot be made to show on demand (a sandboxed frame or a policy
  // refusing the navigation): a stand-in window whose location.assign throws, around the real core.
  const stored = new Map();
  const sessionStorage = {
    getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, String(v)), removeItem: (k) => stored.delete(k),
    key: (i) => [...stored.keys()][i] ?? null, get length() { return stored.size; },
  };
  const assigned = [];
  let refuse = true;
  const location = {
    href: "https://app.example/",
    assign(url) {
      if (refuse) throw new DOMException("navigation blocked", "SecurityError");
      assigned.push(url);
    },
  };
  globalThis.window = { location, history: { state: null, replaceState() {} }, sessionStorage };
  try {
    const { client } = clientFor("ok", { storage: "session" });
    await rejects(client.login(), { name: "OAuthClientError", code: "unsupported_environment", status: undefined });
    assert.equal(stored.size, 0, "the pending authorization is removed again");
    refuse = false;
    await client.login({ loginHint: "alice" });
    assert.equal(assigned.length, 1);
    assert.equal(stored.size, 1, "a navigation that happens keeps its pending authorization");
    const [[key, value]] = stored;
    const state = new URL(assigned[0]).searchParams.get("state");
    assert.equal(key, `pkce-wasm:pending:spa:${state}`);
    assert.equal(JSON.parse(value).url, assigned[0]);
  } finally {
    delete globalThis.window;
  }
});

test("no secret appears in any error message, name or code", async () => {
  const secrets = ["CODE-secret-1", "AT-secret-1", "RT-secret-1", "s3cret"];
  const seen = [];
  for (const behaviour of ["rfc-error", "html500", "redirect302", "huge", "wrong-content-type"]) {
    const { client } = clientFor(behaviour, { clientSecret: "s3cret" });
    const p = client.startAuthorization();
    try { await client.handleCallback(callbackFor(p), p); } catch (e) { seen.push(e, p.codeVerifier); }
    try { await client.refresh("RT-secret-1"); } catch (e) { seen.push(e); }
  }
  const verifiers = seen.filter((x) => typeof x === "string");
  for (const e of seen.filter((x) => x instanceof Error)) {
    const text = `${e.message} ${e.name} ${e.code} ${String(e)} ${e.stack}`;
    for (const s of [...secrets, ...verifiers]) assert.ok(!text.includes(s), `error text leaks ${s}`);
    assert.ok(!text.includes("app.example/callback"), "no callback URL in errors");
  }
  assert.ok(seen.length >= 10);
});

test("isOAuthError is false for other values", () => {
  for (const v of [null, undefined, "x", {}, new Error("x"), Object.assign(new Error("x"), { code: "x" })]) {
    assert.equal(isOAuthError(v), false);
  }
});
