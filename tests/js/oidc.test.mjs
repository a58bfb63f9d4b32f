// OpenID Connect against a hostile provider (tests/support/hostile-oidc.mjs): every ID token, discovery and
// userinfo failure gets its exact code, and the client makes no request it should not (no JWKS fetch for
// bad claims, no request to a URL named by the token, nothing after a failure).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, isOAuthError } from "../../pkg/index.js";
import { startHostileOidc } from "../support/hostile-oidc.mjs";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });

let h;
before(async () => { h = await startHostileOidc(); });
after(async () => { await h.close(); });

const REDIRECT = "http://127.0.0.1:9/cb";
const discover = (kase, extra = {}) => OAuthClient.discover(h.issuer(kase), { clientId: "spa", redirectUri: REDIRECT, scope: "openid profile", storage: "memory", ...extra });

async function signIn(client, kase, options) {
  const pending = client.startAuthorization(options);
  const cb = `${REDIRECT}?code=${pending.nonce}&state=${pending.state}&iss=${encodeURIComponent(h.issuer(kase))}`;
  return client.handleCallback(cb, pending);
}

const paths = (kase) => h.log(kase).map((r) => r.path);
const code = (expected) => (e) => {
  assert.ok(isOAuthError(e), String(e));
  assert.equal(e.code, expected);
  assert.doesNotMatch(e.message, /AT-|RT-|eyJ/, "no token in the message");
  return true;
};

test("discovery takes the endpoints, sets requireIss from the document, and exposes cacheable metadata", async () => {
  const client = await discover("ok");
  const m = client.metadata;
  assert.equal(m.issuer, h.issuer("ok"));
  assert.equal(m.tokenEndpoint, `${h.issuer("ok")}/token`);
  assert.equal(m.jwksUri, `${h.issuer("ok")}/jwks`);
  assert.equal(m.requireIss, true);
  // The metadata rebuilds the same client without a request.
  const again = new OAuthClient({ ...JSON.parse(JSON.stringify(m)), clientId: "spa", redirectUri: REDIRECT, storage: "memory" });
  assert.deepEqual(again.metadata, m);
  assert.deepEqual(paths("ok"), ["/.well-known/openid-configuration"]);
  // requireIss: a callback without iss is refused before any token request.
  const pending = client.startAuthorization();
  await assert.rejects(client.handleCallback(`${REDIRECT}?code=x&state=${pending.state}`, pending), code("missing_issuer"));
  assert.equal((await discover("no-iss-param")).metadata.requireIss, false);
});

test("discovery falls back to RFC 8414 and refuses a wrong issuer, no S256, or a plain-http endpoint", async () => {
  const client = await discover("rfc8414");
  assert.equal(client.metadata.tokenEndpoint, `${h.issuer("rfc8414")}/token`);
  assert.deepEqual(paths("rfc8414"), ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]);
  await assert.rejects(discover("discovery-wrong-issuer"), code("issuer_mismatch"));
  await assert.rejects(discover("discovery-no-s256"), code("pkce_unsupported"));
  await assert.rejects(discover("discovery-http-endpoint"), code("invalid_response"));
  await assert.rejects(OAuthClient.discover("http://example.com", { clientId: "spa", redirectUri: REDIRECT }), code("invalid_config"));
  await assert.rejects(OAuthClient.discover(h.issuer("ok"), { redirectUri: REDIRECT }), code("invalid_config"));
});

test("verified ID tokens with RS256, PS256, ES256 and EdDSA keys expose their claims", async () => {
  for (const kase of ["ok", "ps256", "es256", "eddsa", "no-kid"]) {
    const client = await discover(kase);
    const tokens = await signIn(client, kase);
    assert.equal(tokens.claims?.sub, "alice", kase);
    assert.equal(tokens.claims.name, "Alice");
    assert.equal(tokens.claims.iss, h.issuer(kase));
    assert.deepEqual(paths(kase).slice(-3), ["/.well-known/openid-configuration", "/token", "/jwks"], kase);
  }
});

// Claims are checked before the signature: none of these costs a JWKS request.
const CLAIM_FAILURES = {
  "alg-none": "unsupported_algorithm",
  "hs256-public-key": "unsupported_algorithm",
  "wrong-iss": "issuer_mismatch",
  "wrong-aud": "audience_mismatch",
  "extra-aud": "audience_mismatch",
  "wrong-azp": "audience_mismatch",
  "wrong-nonce": "nonce_mismatch",
  "missing-nonce": "nonce_mismatch",
  "expired": "id_token_expired",
  "iat-future": "id_token_issued_in_future",
  "missing-sub": "invalid_id_token",
  "jku": "invalid_id_token",
  "embedded-jwk": "invalid_id_token",
  "crit": "invalid_id_token",
  "not-a-jws": "invalid_id_token",
  "missing-id-token": "missing_id_token",
};

for (const [kase, expected] of Object.entries(CLAIM_FAILURES)) {
  test(`ID token: ${kase} -> ${expected}, with no further request`, async () => {
    const client = await discover(kase);
    const e = await signIn(client, kase).then(() => assert.fail("accepted"), (e) => e);
    assert.equal(e.code, expected);
    assert.equal(e.status, 200, "the status of the token response the check failed on");
    assert.deepEqual(paths(kase), ["/.well-known/openid-configuration", "/token"]);
  });
}

test("a forged signature and a weak key fail after one JWKS request", async () => {
  for (const [kase, expected] of [["forged-signature", "id_token_signature"], ["weak-key", "key_not_found"]]) {
    const client = await discover(kase);
    await assert.rejects(signIn(client, kase), code(expected));
    assert.deepEqual(paths(kase), ["/.well-known/openid-configuration", "/token", "/jwks"], kase);
  }
  assert.deepEqual(h.log("attacker"), [], "the jku URL was never requested");
});

test("an unknown kid refetches the JWKS once: key rotation works, a kid still unknown is key_not_found", async () => {
  const rotation = await discover("rotation");
  await signIn(rotation, "rotation");
  const tokens = await signIn(rotation, "rotation");
  assert.equal(tokens.claims.sub, "alice");
  assert.deepEqual(paths("rotation"), ["/.well-known/openid-configuration", "/token", "/jwks", "/token", "/jwks"]);

  const unknown = await discover("unknown-kid");
  await signIn(unknown, "unknown-kid");
  await assert.rejects(signIn(unknown, "unknown-kid"), code("key_not_found"));
  assert.deepEqual(paths("unknown-kid"), ["/.well-known/openid-configuration", "/token", "/jwks", "/token", "/jwks"]);
});

test("max_age: an old auth_time is auth_time_too_old", async () => {
  const client = await discover("auth-time-old");
  await assert.rejects(signIn(client, "auth-time-old", { extraParams: { max_age: "60" } }), code("auth_time_too_old"));
  const ok = await discover("ok");
  const pending = ok.startAuthorization({ extraParams: { max_age: "600" } });
  assert.equal(pending.maxAge, 600);
  assert.throws(() => ok.startAuthorization({ extraParams: { max_age: "soon" } }), code("invalid_config"));
});

test("refresh: a new ID token must keep the subject and the issuer", async () => {
  for (const [kase, expected] of [["refresh-other-sub", "subject_mismatch"], ["refresh-other-iss", "issuer_mismatch"]]) {
    const client = await discover(kase);
    const tokens = await signIn(client, kase);
    await assert.rejects(client.refresh(tokens), code(expected), kase);
    // A bare refresh token leaves nothing to check the new ID token against: it is not returned.
    const bare = await client.refresh(tokens.refresh_token);
    assert.ok(bare.access_token, kase);
    assert.equal(bare.id_token, undefined, kase);
    assert.equal(bare.claims, undefined, kase);
  }
  const client = await discover("ok");
  const tokens = await signIn(client, "ok");
  const fresh = await client.refresh(tokens);
  assert.equal(fresh.claims.sub, "alice");
});

test("refresh without an ID token keeps the session's ID token and claims; userinfo still works", async () => {
  const client = await discover("refresh-no-id-token");
  const tokens = await signIn(client, "refresh-no-id-token");
  const jwks = () => paths("refresh-no-id-token").filter((p) => p === "/jwks").length;
  const before = jwks();
  const fresh = await client.refresh(tokens);
  assert.notEqual(fresh.access_token, tokens.access_token);
  assert.equal(fresh.id_token, tokens.id_token);
  assert.deepEqual(fresh.claims, tokens.claims);
  assert.equal(jwks(), before, "a kept ID token is not verified again");
  assert.equal((await client.userinfo(fresh)).sub, "alice");
});

test("userinfo: the response's sub must equal the ID token's; revoke and logoutUrl use the discovered endpoints", async () => {
  const other = await discover("userinfo-other-sub");
  await assert.rejects(other.userinfo(await signIn(other, "userinfo-other-sub")), code("subject_mismatch"));

  const client = await discover("ok");
  const tokens = await signIn(client, "ok");
  assert.deepEqual(await client.userinfo(tokens), { sub: "alice", name: "Alice" });
  await assert.rejects(client.userinfo(tokens.access_token), code("invalid_config"), "a bare access token needs a subject");
  assert.equal((await client.userinfo(tokens.access_token, { subject: "alice" })).sub, "alice");
  const userinfo = h.log("ok").filter((r) => r.path === "/userinfo").at(-1);
  assert.match(userinfo.authorization, /^Bearer AT-\d+$/);

  await client.revoke(tokens.refresh_token, { hint: "refresh_token" });
  const revoke = h.log("ok").filter((r) => r.path === "/revoke").at(-1);
  assert.equal(revoke.body, `token=${tokens.refresh_token}&token_type_hint=refresh_token&client_id=spa`);

  const url = new URL(client.logoutUrl({ postLogoutRedirectUri: "http://127.0.0.1:9/", state: "s1" }));
  assert.equal(url.origin + url.pathname, `${h.issuer("ok")}/logout`);
  assert.deepEqual([...url.searchParams], [["tenant", "t1"], ["client_id", "spa"], ["post_logout_redirect_uri", "http://127.0.0.1:9/"], ["state", "s1"]]);
  assert.throws(() => client.logoutUrl({ postLogoutRedirectUri: "javascript:alert(1)" }), code("invalid_config"));

  const plain = new OAuthClient({ clientId: "spa", redirectUri: REDIRECT, authorizationEndpoint: `${h.url}/a`, tokenEndpoint: `${h.url}/t` });
  assert.throws(() => plain.logoutUrl(), code("missing_endpoint"));
  await assert.rejects(plain.revoke("x"), code("missing_endpoint"));
  await assert.rejects(plain.userinfo("x", { subject: "alice" }), code("missing_endpoint"));
});

test("without jwksUri the client stays a plain OAuth client; jwksUri needs an issuer", () => {
  const base = { clientId: "spa", redirectUri: REDIRECT, authorizationEndpoint: `${h.url}/a`, tokenEndpoint: `${h.url}/t` };
  assert.throws(() => new OAuthClient({ ...base, jwksUri: `${h.url}/jwks` }), code("invalid_config"));
  assert.throws(() => new OAuthClient({ ...base, issuer: h.url, jwksUri: "http://evil.example/jwks" }), code("invalid_config"));
  assert.ok(new OAuthClient({ ...base, issuer: h.url, jwksUri: `${h.url}/jwks` }).metadata.jwksUri);
});
