// `pkce-wasm/oauth` (pkg/oauth/): the OAuth 2.1 client alone, built without the core's OpenID Connect
// operations and with the shell's OpenID Connect code dropped. The shared OAuth suites (api, adversarial)
// also run against it (PKCE_WASM_ENTRY=oauth/ in scripts/test.sh); this file checks what differs: the
// OpenID Connect parts are refused with typed errors, never silently skipped.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as oauth from "../../pkg/oauth/index.js";
import { startTokenServer } from "../support/token-server.mjs";

const { initSync, OAuthClient, isOAuthError } = oauth;
initSync({ module: readFileSync(new URL("../../pkg/oauth/pkce_wasm_bg.wasm", import.meta.url)) });

let server;
before(async () => { server = await startTokenServer(); });
after(async () => { await server.close(); });

const base = {
  clientId: "lite",
  authorizationEndpoint: "https://idp.example/authorize",
  tokenEndpoint: "https://idp.example/oauth/token",
  redirectUri: "https://app.example/callback",
  issuer: "https://idp.example",
  scope: "openid offline_access",
};

function code(f) {
  try {
    f();
  } catch (e) {
    assert.ok(isOAuthError(e), String(e));
    return e.code;
  }
  return "no error";
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(isOAuthError(e), String(e));
    return e.code;
  }
  return "no error";
}

test("exports the OAuth 2.1 API only", () => {
  assert.deepEqual(Object.keys(oauth).sort(), ["OAuthClient", "createPkce", "default", "initSync", "isOAuthError"]);
});

test("refuses the OpenID Connect configuration members: nothing here could verify an ID token", () => {
  for (const [name, value] of [
    ["jwksUri", "https://idp.example/jwks"],
    ["userinfoEndpoint", "https://idp.example/userinfo"],
    ["endSessionEndpoint", "https://idp.example/logout"],
    ["revocationEndpoint", "https://idp.example/revoke"],
    ["clockToleranceSeconds", 30],
  ]) {
    assert.equal(code(() => new OAuthClient({ ...base, [name]: value })), "invalid_config", name);
    // Absent and null are fine.
    assert.equal(code(() => new OAuthClient({ ...base, [name]: null })), "no error", name);
  }
});

test("discover, userinfo, revoke and logoutUrl fail typed, before any request", async () => {
  const client = new OAuthClient(base);
  assert.equal(await rejection(OAuthClient.discover(`${server.url}/t/lite-discover/ok`, base)), "invalid_config");
  assert.equal(await rejection(client.userinfo("AT")), "missing_endpoint");
  assert.equal(await rejection(client.revoke("RT")), "missing_endpoint");
  assert.equal(code(() => client.logoutUrl()), "missing_endpoint");
  assert.deepEqual(server.log("lite-discover"), []);
});

test("the code flow passes an ID token through unverified, like a plain OAuth client of the full package", async () => {
  const client = new OAuthClient({ ...base, tokenEndpoint: `${server.url}/t/lite-flow/ok` });
  const pending = client.startAuthorization();
  assert.ok(pending.nonce, "an openid scope still gets a nonce");
  const tokens = await client.handleCallback(
    `https://app.example/callback?code=C&state=${pending.state}&iss=${encodeURIComponent(base.issuer)}`,
    pending,
  );
  assert.equal(tokens.id_token, "h.p.s");
  assert.equal(tokens.claims, undefined);
  const [request] = server.log("lite-flow");
  assert.equal(new URLSearchParams(request.body).get("code_verifier"), pending.codeVerifier);
});
