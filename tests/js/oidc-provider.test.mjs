// OpenID Connect against the real authorization server (oidc-provider, idp/server.mjs): discovery, ID
// tokens verified with its RS256 and ES256 keys, key rotation between sign-ins, userinfo, revocation and
// RP-initiated logout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, isOAuthError } from "../../pkg/index.js";
import { startIdp, TEST_ACCOUNT, ES256_CLIENT_ID } from "../../idp/server.mjs";
import { authorizeWithConsent, CookieJar, request } from "../support/consent.mjs";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });

const APP = "http://127.0.0.1:4999";
let idp;
before(async () => { idp = await startIdp({ appOrigin: APP }); });
after(async () => { await idp?.close(); });

const discover = (clientId = "spa") => OAuthClient.discover(idp.issuer, { clientId, redirectUri: `${APP}/callback`, scope: "openid profile email offline_access", storage: "memory" });
const header = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[0], "base64url"));

async function signIn(client, jar = new CookieJar()) {
  const pending = client.startAuthorization({ prompt: "consent" });
  const callback = await authorizeWithConsent(pending.url, TEST_ACCOUNT, { jar });
  return client.handleCallback(callback, pending);
}

test("discovery, a verified RS256 ID token, userinfo, refresh with the same subject, revocation", async () => {
  const client = await discover();
  assert.equal(client.metadata.requireIss, true, "oidc-provider supports RFC 9207");
  assert.equal(client.metadata.jwksUri, `${idp.issuer}/jwks`);
  const tokens = await signIn(client);
  assert.equal(header(tokens.id_token).alg, "RS256");
  assert.equal(tokens.claims.sub, TEST_ACCOUNT.username);
  assert.equal(tokens.claims.aud, "spa");
  assert.equal(tokens.claims.name, "Alice Liddell");

  const info = await client.userinfo(tokens);
  assert.equal(info.sub, TEST_ACCOUNT.username);
  assert.equal(info.email, "alice@example.test");

  const fresh = await client.refresh(tokens);
  assert.notEqual(fresh.refresh_token, tokens.refresh_token, "rotated");
  assert.equal(fresh.claims?.sub, TEST_ACCOUNT.username, "the refreshed ID token is verified too");

  await client.revoke(fresh.refresh_token, { hint: "refresh_token" });
  assert.ok(idp.log.some((r) => r.path === idp.routes.revocation), "the revocation endpoint was called");
  await assert.rejects(client.refresh(fresh), (e) => isOAuthError(e) && e.name === "TokenResponseError" && e.code === "invalid_grant");
});

test("a client registered for ES256 ID tokens verifies them", async () => {
  const client = await discover(ES256_CLIENT_ID);
  const tokens = await signIn(client);
  assert.equal(header(tokens.id_token).alg, "ES256");
  assert.equal(tokens.claims.aud, ES256_CLIENT_ID);
});

test("RP-initiated logout: the provider accepts the URL and returns to the post-logout redirect URI", async () => {
  const client = await discover();
  const jar = new CookieJar();
  await signIn(client, jar);
  const url = client.logoutUrl({ postLogoutRedirectUri: `${APP}/`, state: "bye" });
  const page = await request(jar, url);
  const html = await page.text();
  assert.equal(page.status, 200, html.slice(0, 300));
  const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
  const xsrf = html.match(/name="xsrf" value="([^"]+)"/)?.[1];
  assert.ok(action && xsrf, "a logout confirmation form");
  const done = await request(jar, new URL(action, url).href, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ xsrf, logout: "yes" }).toString() });
  let location = done.headers.get("location");
  // oidc-provider finishes on its own success page or redirects straight back.
  for (let hop = 0; hop < 5 && location && !location.startsWith(APP); hop++) {
    const next = await request(jar, new URL(location, url).href);
    location = next.headers.get("location");
  }
  assert.equal(location, `${APP}/?state=bye`);
});

test("key rotation: the provider's keys change between sign-ins and the same client refetches its JWKS", async () => {
  const client = await discover();
  const first = await signIn(client);
  const port = new URL(idp.issuer).port;
  await idp.close();
  idp = await startIdp({ appOrigin: APP, port: Number(port) }); // fresh keys, same issuer
  // Connections kept alive to the old server fail once; wait (bounded) until a request goes through.
  for (let i = 0; i < 10; i++) {
    if (await fetch(`${idp.issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const second = await signIn(client);
  assert.notEqual(header(second.id_token).kid, header(first.id_token).kid);
  assert.equal(second.claims.sub, TEST_ACCOUNT.username);
});
