// Managed sessions (getAccessToken, events, stores, sign-out) of the built package in Node, against the
// real HTTP token endpoint on 127.0.0.1. The cross-tab behaviour (Web Locks, BroadcastChannel) runs in
// headless Chromium against oidc-provider: tests/e2e/session.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
const ENTRY = process.env.PKCE_WASM_ENTRY ?? "";
const { initSync, OAuthClient } = await import(`../../pkg/${ENTRY}index.js`);
import { startTokenServer } from "../support/token-server.mjs";

initSync({ module: readFileSync(new URL(`../../pkg/${ENTRY}pkce_wasm_bg.wasm`, import.meta.url)) });

let server;
before(async () => { server = await startTokenServer(); });
after(async () => { await server.close(); });

const ISSUER = "https://idp.example";
let ids = 0;
function clientFor(behaviour, session = {}) {
  const id = `session${++ids}`;
  const client = new OAuthClient({
    clientId: `spa-${id}`, // a session per client id: tests do not share one
    authorizationEndpoint: "https://idp.example/authorize",
    tokenEndpoint: `${server.url}/t/${id}/${behaviour}`,
    redirectUri: "https://app.example/callback",
    issuer: ISSUER,
    session,
  });
  const events = [];
  for (const type of ["signedin", "refreshed", "refreshfailed", "signedout"]) client.addEventListener(type, () => events.push(type));
  return { client, events, log: () => server.log(id) };
}

async function signIn(client) {
  const pending = client.startAuthorization();
  return client.handleCallback(`https://app.example/callback?code=C&state=${pending.state}&iss=${encodeURIComponent(ISSUER)}`, pending);
}

async function code(promise) {
  try {
    await promise;
  } catch (e) {
    return e.code;
  }
  assert.fail("expected a rejection");
}

test("a session: kept by the callback, refreshed once for concurrent callers, then fresh", async () => {
  const { client, events, log } = clientFor("session");
  assert.equal(await code(client.getAccessToken()), "no_session");
  assert.equal((await signIn(client)).access_token, "AT-1");
  assert.deepEqual(events, ["signedin"]);
  // AT-1 expires in 1 s, inside the 30 s leeway: stale. Three callers, one refresh.
  const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken(), client.getAccessToken()]);
  assert.deepEqual(tokens, ["AT-2", "AT-2", "AT-2"]);
  const refreshes = (await log()).filter((r) => r.body.includes("grant_type=refresh_token"));
  assert.equal(refreshes.length, 1);
  assert.match(refreshes[0].body, /refresh_token=RT-1/);
  assert.deepEqual(events, ["signedin", "refreshed"]);
  assert.equal(await client.getAccessToken(), "AT-2", "fresh now: no request");
  assert.equal((await log()).length, 2);
  assert.equal((await client.getSession()).refresh_token, "RT-2", "the rotated refresh token was kept");
  await client.logout();
  assert.deepEqual(events, ["signedin", "refreshed", "signedout"]);
  assert.equal(await code(client.getAccessToken()), "no_session");
});

test("a refused grant ends the session; an endpoint that is down keeps it", async () => {
  const store = new Map();
  const custom = { get: async (k) => store.get(k), set: async (k, v) => void store.set(k, v), remove: async (k) => void store.delete(k) };
  const { client, events } = clientFor("session", { storage: custom });
  await signIn(client);
  assert.equal(store.size, 1, "the caller's store holds the session");
  const [key, value] = [...store][0];
  // The same stale session twice: the second presents RT-1 again, which the server refuses.
  assert.equal(await client.getAccessToken(), "AT-2");
  store.set(key, value);
  assert.equal(await code(client.getAccessToken()), "invalid_grant");
  assert.equal(store.size, 0, "the session ended");
  assert.deepEqual(events, ["signedin", "refreshed", "refreshfailed", "signedout"]);

  const down = clientFor("down", { storage: custom });
  store.set(down.client.clientId && `pkce-wasm:session:${down.client.clientId}`, value.replace(/spa-session\d+/, down.client.clientId));
  assert.equal(await code(down.client.getAccessToken()), "invalid_response");
  assert.equal(store.size, 1, "kept for a later try");
  assert.deepEqual(down.events, ["refreshfailed"]);
});

test("a tampered or foreign stored session is invalid_session and removed; a throwing store is storage_unavailable", async () => {
  const store = new Map();
  const custom = { get: (k) => store.get(k), set: (k, v) => void store.set(k, v), remove: (k) => void store.delete(k) };
  const { client } = clientFor("session", { storage: custom });
  const key = `pkce-wasm:session:${client.clientId}`;
  for (const bad of ["{", '{"v":1,"client":"other","tokens":{"access_token":"x","token_type":"bearer"}}', '{"v":9}']) {
    store.set(key, bad);
    assert.equal(await code(client.getAccessToken()), "invalid_session", bad);
    assert.equal(store.has(key), false);
  }
  const broken = clientFor("session", { storage: { get() { throw new Error("quota"); }, set() {}, remove() {} } });
  assert.equal(await code(broken.client.getAccessToken()), "storage_unavailable");
  // Without a session in the config there is none to ask for.
  const plain = new OAuthClient({ clientId: "c", authorizationEndpoint: ISSUER + "/a", tokenEndpoint: ISSUER + "/t", redirectUri: "https://app.example/cb" });
  assert.equal(await code(plain.getAccessToken()), "invalid_config");
  assert.throws(() => new OAuthClient({ clientId: "c", authorizationEndpoint: ISSUER + "/a", tokenEndpoint: ISSUER + "/t", redirectUri: "https://app.example/cb", session: { storage: "cookies" } }), { code: "invalid_config" });
});
