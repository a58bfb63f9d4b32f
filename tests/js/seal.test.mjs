// Sealed pending authorizations and sessions (AES-256-GCM through WebCrypto), from the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, isOAuthError, sealPending, openPending, sealSession, openSession } from "../../pkg/index.js";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const SECRET = "a-cookie-secret-of-at-least-32-bytes!!";
const OTHER = "another-secret-of-at-least-32-bytes!!!";
const client = new OAuthClient({
  clientId: "c", authorizationEndpoint: "https://idp.example/a", tokenEndpoint: "https://idp.example/t",
  redirectUri: "https://app.example/cb", scope: "openid",
});

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(isOAuthError(e), "a typed OAuthClientError");
    assert.equal(e.name, "OAuthClientError");
    assert.equal(e.code, code);
    assert.ok(!e.message.includes(SECRET));
    return true;
  });
}

test("a pending authorization round-trips, opaque", async () => {
  const pending = client.startAuthorization();
  const sealed = await sealPending(pending, SECRET);
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]+$/);
  assert.ok(!sealed.includes(pending.codeVerifier) && !sealed.includes(pending.state));
  assert.deepEqual(await openPending(sealed, SECRET, { maxAgeSeconds: 600 }), pending);
  assert.notEqual(await sealPending(pending, SECRET), sealed, "a fresh IV every time");
});

test("tampered, truncated, foreign or garbage values are invalid_sealed_value", async () => {
  const sealed = await sealPending(client.startAuthorization(), SECRET);
  const body = sealed.slice(3);
  const flip = (i) => `v1.${body.slice(0, i)}${body[i] === "A" ? "B" : "A"}${body.slice(i + 1)}`;
  for (const bad of [flip(0), flip(20), flip(body.length - 2), sealed.slice(0, -4), sealed.slice(0, 20), "v1.", "v2." + body, "", "garbage", "v1.!!!", "v1." + "A".repeat(10000), 42, null]) {
    await rejectsWith(openPending(bad, SECRET), "invalid_sealed_value");
  }
  await rejectsWith(openPending(sealed, OTHER), "invalid_sealed_value");
  // A session can never be opened as a pending authorization, nor the reverse.
  await rejectsWith(openPending(await sealSession({ user: "x" }, SECRET), SECRET), "invalid_sealed_value");
  await rejectsWith(openSession(sealed, SECRET), "invalid_sealed_value");
});

test("expiry is inside the sealed value, and maxAgeSeconds narrows it", async () => {
  const pending = client.startAuthorization();
  const realNow = Date.now;
  try {
    const sealed = await sealPending(pending, SECRET, { ttlSeconds: 60 });
    Date.now = () => realNow() + 61_000;
    await rejectsWith(openPending(sealed, SECRET), "pending_expired");
    Date.now = () => realNow() + 31_000;
    await rejectsWith(openPending(sealed, SECRET, { maxAgeSeconds: 30 }), "pending_expired");
    assert.deepEqual(await openPending(sealed, SECRET, { maxAgeSeconds: 40 }), pending);
    Date.now = realNow;
    const session = await sealSession({ sub: "alice" }, SECRET, { ttlSeconds: 10 });
    Date.now = () => realNow() + 11_000;
    await rejectsWith(openSession(session, SECRET), "session_expired");
  } finally {
    Date.now = realNow;
  }
});

test("sessions round-trip; short secrets and bad options are invalid_config", async () => {
  const session = { tokens: { access_token: "at", expires_at: 1 }, user: { sub: "alice" } };
  assert.deepEqual(await openSession(await sealSession(session, SECRET), SECRET), session);
  await rejectsWith(sealSession(session, "short"), "invalid_config");
  await rejectsWith(openSession("v1.x", "short"), "invalid_config");
  await rejectsWith(sealPending(client.startAuthorization(), SECRET, { ttlSeconds: 0 }), "invalid_config");
  await rejectsWith(sealPending({ not: "pending" }, SECRET), "invalid_pending");
});
