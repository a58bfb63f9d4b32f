// The example Worker (examples/worker), bundled by Wrangler exactly as for deployment, running in workerd
// through Miniflare, against the real embedded authorization server. An HTTP client with a cookie jar
// plays the browser and submits the server's login and consent forms.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { generateKeyPairSync, createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { startIdp, CONFIDENTIAL, TEST_ACCOUNT, PRIVATE_KEY_JWT_CLIENT_ID } from "../../idp/server.mjs";
import { CookieJar, request, authorizeWithConsent } from "../support/consent.mjs";
import { initSync, OAuthClient, sealPending } from "../../pkg/index.js";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const workerDir = path.join(root, "examples/worker");
const ORIGIN = "http://127.0.0.1:8787";
const COOKIE_SECRET = "test-cookie-secret-with-more-than-32-bytes";
let idp, outDir;
const workers = [];

before(async () => {
  idp = await startIdp();
  mkdirSync(path.join(workerDir, "node_modules"), { recursive: true });
  rmSync(path.join(workerDir, "node_modules/pkce-wasm"), { force: true });
  symlinkSync(path.join(root, "pkg"), path.join(workerDir, "node_modules/pkce-wasm"), "dir");
  outDir = mkdtempSync(path.join(tmpdir(), "pkce-worker-"));
  execFileSync(path.join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outDir], {
    cwd: workerDir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
    stdio: "pipe",
    timeout: 60_000,
  });
});
after(async () => {
  await Promise.all(workers.map((mf) => mf.dispose()));
  await idp?.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function worker(bindings = {}, server = idp) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(outDir, "index.js"),
    modulesRoot: outDir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-01-01",
    bindings: {
      ISSUER: server.issuer,
      AUTHORIZATION_ENDPOINT: server.endpoints.authorization,
      TOKEN_ENDPOINT: server.endpoints.token,
      JWKS_URI: server.issuer + server.routes.jwks,
      USERINFO_ENDPOINT: server.endpoints.userinfo,
      REVOCATION_ENDPOINT: server.endpoints.revocation,
      END_SESSION_ENDPOINT: server.endpoints.endSession,
      CLIENT_ID: CONFIDENTIAL.clientId,
      CLIENT_SECRET: CONFIDENTIAL.clientSecret,
      COOKIE_SECRET,
      SCOPE: "openid profile email offline_access",
      ...bindings,
    },
  });
  await mf.ready;
  workers.push(mf);
  const dispatch = (url, init) => mf.dispatchFetch(url, init);
  return { mf, call: (jar, route, init) => request(jar, `${ORIGIN}${route}`, init, dispatch) };
}

const pendingCookie = (jar) => jar.get(ORIGIN, "pkce_pending");
const tokenRequests = () => idp.log.filter((r) => r.path === idp.routes.token).length;

/** /login, then the authorization server's forms; returns the callback URL (not yet loaded). */
async function login(w, jar, server = idp) {
  const res = await w.call(jar, "/login");
  assert.equal(res.status, 302);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("pkce_pending="));
  assert.match(setCookie, /; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=600$/);
  const location = res.headers.get("location");
  assert.ok(location.startsWith(server.endpoints.authorization + "?"));
  return authorizeWithConsent(location, TEST_ACCOUNT);
}

async function callback(w, jar, url) {
  const res = await w.call(jar, url.slice(ORIGIN.length));
  return { res, body: res.status === 302 ? null : await res.json() };
}

test("the full flow in workerd: /login, consent, /callback, /me, /logout", async () => {
  const w = await worker();
  const jar = new CookieJar();
  const before = tokenRequests();
  const cb = await login(w, jar);
  assert.ok(cb.startsWith(`${ORIGIN}/callback?`));
  const { res } = await callback(w, jar, cb);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "/me");
  const cookies = res.headers.getSetCookie();
  assert.ok(cookies.some((c) => c.startsWith("pkce_pending=;") && c.includes("Max-Age=0")), "the pending cookie is deleted");
  const session = cookies.find((c) => c.startsWith("pkce_session="));
  assert.match(session, /HttpOnly; Secure; SameSite=Lax/);
  assert.ok(!session.includes("eyJ"), "no token in clear in the cookie");
  assert.equal(tokenRequests() - before, 1);

  const me = await w.call(jar, "/me");
  assert.equal(me.status, 200);
  const body = await me.json();
  assert.equal(body.user.sub, "alice");
  assert.equal(body.user.name, "Alice Liddell");
  assert.equal(body.verified, true, "the ID token was verified in workerd (JWKS + WebCrypto)");
  assert.ok(body.expires_at > Date.now() / 1000);
  assert.equal(body.tokens, undefined, "tokens stay in the Worker");

  const revocations = () => idp.log.filter((r) => r.path === idp.routes.revocation);
  assert.equal((await w.call(jar, "/logout")).status, 405, "a GET (a cross-site link) does not sign out");
  assert.equal(revocations().length, 0);
  const out = await w.call(jar, "/logout", { method: "POST" });
  assert.equal(out.status, 302);
  assert.equal(out.headers.get("location"), `${idp.endpoints.endSession}?client_id=${CONFIDENTIAL.clientId}`);
  assert.equal(revocations().length, 1, "the refresh token was revoked");
  assert.equal(revocations()[0].auth, "basic");
  assert.equal((await w.call(jar, "/me")).status, 401);
});

test("a tampered pending cookie: 400 invalid_sealed_value, no token request", async () => {
  const w = await worker();
  const jar = new CookieJar();
  const cb = await login(w, jar);
  const sealed = pendingCookie(jar);
  jar.set(ORIGIN, "pkce_pending", sealed.slice(0, 20) + (sealed[20] === "A" ? "B" : "A") + sealed.slice(21));
  const before = tokenRequests();
  const { res, body } = await callback(w, jar, cb);
  assert.equal(res.status, 400);
  assert.equal(body.code, "invalid_sealed_value");
  assert.equal(tokenRequests(), before);
});

test("an expired pending cookie: 400 pending_expired, no token request", async () => {
  const w = await worker();
  const jar = new CookieJar();
  const cb = await login(w, jar);
  // The same pending authorization, sealed with the Worker's secret eleven minutes ago.
  const client = new OAuthClient({ clientId: "x", authorizationEndpoint: idp.endpoints.authorization, tokenEndpoint: idp.endpoints.token, redirectUri: `${ORIGIN}/callback` });
  const realNow = Date.now;
  Date.now = () => realNow() - 660_000;
  let old;
  try {
    old = await sealPending(client.startAuthorization(), COOKIE_SECRET);
  } finally {
    Date.now = realNow;
  }
  jar.set(ORIGIN, "pkce_pending", old);
  const before = tokenRequests();
  const { res, body } = await callback(w, jar, cb);
  assert.equal(res.status, 400);
  assert.equal(body.code, "pending_expired");
  assert.equal(tokenRequests(), before);
});

test("a cookie from another flow: 400 state_mismatch, no token request", async () => {
  const w = await worker();
  const jarA = new CookieJar();
  const jarB = new CookieJar();
  await login(w, jarA);
  const cbB = await login(w, jarB);
  jarB.set(ORIGIN, "pkce_pending", pendingCookie(jarA));
  const before = tokenRequests();
  const { res, body } = await callback(w, jarB, cbB);
  assert.equal(res.status, 400);
  assert.equal(body.code, "state_mismatch");
  assert.equal(tokenRequests(), before);
});

test("a replayed callback: 400 no_pending_authorization, no second token request", async () => {
  const w = await worker();
  const jar = new CookieJar();
  const cb = await login(w, jar);
  assert.equal((await callback(w, jar, cb)).res.status, 302);
  const before = tokenRequests();
  const { res, body } = await callback(w, jar, cb);
  assert.equal(res.status, 400);
  assert.equal(body.code, "no_pending_authorization");
  assert.equal(tokenRequests(), before);
});

test("a failing token endpoint (wrong client secret): 502 invalid_client, one token request", async () => {
  const w = await worker({ CLIENT_SECRET: "wrong-secret" });
  const jar = new CookieJar();
  const cb = await login(w, jar);
  const before = tokenRequests();
  const { res, body } = await callback(w, jar, cb);
  assert.equal(res.status, 502);
  assert.equal(body.code, "invalid_client");
  assert.equal(tokenRequests() - before, 1);
  assert.equal(pendingCookie(jar), undefined, "the pending cookie is consumed anyway");
  assert.equal((await w.call(jar, "/me")).status, 401);
});

test("the Worker with private_key_jwt and DPoP (nonces required): a signed assertion, bound tokens, userinfo with the bound token", async () => {
  const privateJwk = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const clientJwk = privateJwk();
  const dpopJwk = privateJwk();
  const { d, ...clientPublic } = clientJwk;
  const strict = await startIdp({ clientJwks: { keys: [{ ...clientPublic, kid: "worker-1", alg: "ES256", use: "sig" }] }, dpop: { nonce: true } });
  try {
    const w = await worker({ CLIENT_ID: PRIVATE_KEY_JWT_CLIENT_ID, CLIENT_SECRET: "", CLIENT_PRIVATE_JWK: JSON.stringify(clientJwk), CLIENT_KEY_ID: "worker-1",
      DPOP_PRIVATE_JWK: JSON.stringify(dpopJwk) }, strict);
    const jar = new CookieJar();
    const authorize = new URL((await w.call(jar, "/login")).headers.get("location"));
    const { d: _, ...dpopPublic } = dpopJwk;
    const { crv, kty, x, y } = dpopPublic;
    const jkt = createHash("sha256").update(JSON.stringify({ crv, kty, x, y })).digest("base64url");
    assert.equal(authorize.searchParams.get("dpop_jkt"), jkt, "the authorization code is bound to the Worker's key");
    const cb = await authorizeWithConsent(authorize.href, TEST_ACCOUNT);
    const { res } = await callback(w, jar, cb);
    assert.equal(res.status, 302, res.status === 302 ? "" : JSON.stringify(await res.json()));
    const exchanges = strict.log.filter((r) => r.path === strict.routes.token);
    assert.deepEqual(exchanges.map((r) => [r.auth, r.status]), [["private_key_jwt", 400], ["private_key_jwt", 200]], "use_dpop_nonce, one retry");
    const claims = JSON.parse(Buffer.from(exchanges[1].assertion.split(".")[1], "base64url"));
    assert.deepEqual([claims.iss, claims.sub, claims.aud], [PRIVATE_KEY_JWT_CLIENT_ID, PRIVATE_KEY_JWT_CLIENT_ID, strict.issuer]);
    assert.ok(claims.exp - claims.iat <= 300);
    const me = await (await w.call(jar, "/me")).json();
    assert.equal(me.token_type, "DPoP");
    assert.equal(me.user.sub, "alice");
    // The bound token at the userinfo endpoint: `Authorization: DPoP` with a proof (a Bearer use is refused).
    const info = await w.call(jar, "/userinfo");
    assert.equal(info.status, 200);
    assert.equal((await info.json()).sub, "alice");
  } finally {
    await strict.close();
  }
});
