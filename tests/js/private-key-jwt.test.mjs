// RFC 7523 `private_key_jwt` against the real authorization server (oidc-provider, a client registered
// with the public half of a WebCrypto key pair): the code exchange, a refresh, a revocation and a pushed
// authorization request each carry a fresh assertion signed in WebCrypto with the non-extractable private
// key, which never reaches the wasm. And the keys WebCrypto refuses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, isOAuthError } from "../../pkg/index.js";
import { startIdp, TEST_ACCOUNT, PRIVATE_KEY_JWT_CLIENT_ID } from "../../idp/server.mjs";
import { authorizeWithConsent } from "../support/consent.mjs";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const { subtle } = globalThis.crypto;
let idp, keys;
before(async () => {
  keys = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const jwk = await subtle.exportKey("jwk", keys.publicKey);
  idp = await startIdp({ clientJwks: { keys: [{ ...jwk, kid: "k1", alg: "ES256", use: "sig" }] } });
});
after(async () => { await idp?.close(); });

const config = (extra = {}) => ({
  clientId: PRIVATE_KEY_JWT_CLIENT_ID, tokenEndpointAuthMethod: "private_key_jwt", clientPrivateKey: keys.privateKey, clientKeyId: "k1",
  authorizationEndpoint: idp.endpoints.authorization, tokenEndpoint: idp.endpoints.token, revocationEndpoint: idp.endpoints.revocation,
  issuer: idp.issuer, redirectUri: "http://127.0.0.1:8998/callback", scope: "openid offline_access", storage: "memory", ...extra,
});
const part = (jwt, i) => JSON.parse(Buffer.from(jwt.split(".")[i], "base64url"));
const logged = () => idp.log.filter((e) => e.auth === "private_key_jwt");

test("code exchange, refresh and revocation, each with a fresh signed assertion", async () => {
  const client = new OAuthClient(config());
  const pending = client.startAuthorization({ prompt: "consent" });
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  assert.ok(tokens.refresh_token);
  const fresh = await client.refresh(tokens);
  await client.revoke(fresh.refresh_token, { hint: "refresh_token" });
  const [exchange, refresh, revocation] = logged().slice(-3);
  assert.deepEqual([exchange.grant_type, refresh.grant_type, revocation.path], ["authorization_code", "refresh_token", idp.routes.revocation]);
  assert.deepEqual([exchange.status, refresh.status, revocation.status], [200, 200, 200]);
  const header = part(exchange.assertion, 0);
  assert.deepEqual(header, { alg: "ES256", typ: "JWT", kid: "k1" });
  const claims = part(exchange.assertion, 1);
  assert.equal(claims.iss, PRIVATE_KEY_JWT_CLIENT_ID);
  assert.equal(claims.sub, PRIVATE_KEY_JWT_CLIENT_ID);
  assert.equal(claims.aud, idp.issuer);
  assert.ok(claims.exp - claims.iat <= 300 && claims.exp > claims.iat);
  assert.notEqual(claims.jti, part(refresh.assertion, 1).jti, "a fresh jti every time");
});

test("a pushed authorization request authenticates with an assertion too", async () => {
  const par = await startIdp({ profile: "par", clientJwks: idp && { keys: [{ ...(await subtle.exportKey("jwk", keys.publicKey)), kid: "k1", alg: "ES256" }] } });
  try {
    const client = new OAuthClient(config({ authorizationEndpoint: par.endpoints.authorization, tokenEndpoint: par.endpoints.token,
      revocationEndpoint: undefined, issuer: par.issuer, pushedAuthorizationRequestEndpoint: `${par.issuer}/request` }));
    const pending = await client.authorize();
    const push = par.log.find((e) => e.path === "/request");
    assert.deepEqual([push.auth, push.status], ["private_key_jwt", 201]);
    const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
    assert.ok(tokens.access_token);
  } finally {
    await par.close();
  }
});

test("keys WebCrypto will not sign with: typed errors, nothing sent", async () => {
  const before = idp.log.length;
  // A public key, or a key without the sign usage: refused when the client is made.
  assert.throws(() => new OAuthClient(config({ clientPrivateKey: keys.publicKey })), (e) => e.code === "invalid_config");
  const hmac = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  assert.throws(() => new OAuthClient(config({ clientPrivateKey: hmac })), (e) => e.code === "invalid_config");
  assert.throws(() => new OAuthClient(config({ clientPrivateKey: undefined })), (e) => e.code === "invalid_config");
  // A key that claims to be one WebCrypto signs with but is not: the signature fails, nothing is sent.
  const fake = { algorithm: { name: "ECDSA", namedCurve: "P-256" }, type: "private", usages: ["sign"] };
  const client = new OAuthClient(config({ clientPrivateKey: fake }));
  await assert.rejects(client.refresh("rt"), (e) => isOAuthError(e) && e.code === "invalid_config");
  assert.equal(idp.log.length, before);
});
