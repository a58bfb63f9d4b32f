// RFC 9126 pushed authorization requests against the real authorization server (oidc-provider with
// PAR required, the `par` profile of idp/server.mjs), through the built package: discovery turns them
// on, `authorize()` and `login()` push first, the browser URL carries only `client_id` and `request_uri`;
// a public client and a confidential one (client_secret_basic). And the push's hostile answers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, isOAuthError } from "../../pkg/index.js";
import { startIdp, TEST_ACCOUNT, CONFIDENTIAL } from "../../idp/server.mjs";
import { authorizeWithConsent } from "../support/consent.mjs";

initSync({ module: readFileSync(new URL("../../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const APP = "http://127.0.0.1:4998";
let idp;
before(async () => { idp = await startIdp({ profile: "par", appOrigin: APP }); });
after(async () => { await idp?.close(); });
const pushes = () => idp.log.filter((e) => e.path === "/request");

test("discovery turns PAR on; authorize() pushes, the URL has client_id and request_uri only; the code exchange works", async () => {
  const client = await OAuthClient.discover(idp.issuer, { clientId: "spa", redirectUri: `${APP}/callback`, scope: "openid offline_access", storage: "memory" });
  assert.equal(client.metadata.requirePushedAuthorizationRequests, true);
  assert.equal(client.metadata.pushedAuthorizationRequestEndpoint, `${idp.issuer}/request`);
  assert.throws(() => client.startAuthorization(), (e) => e.code === "invalid_config", "an unpushed URL would be refused");
  const from = pushes().length;
  const pending = await client.authorize({ prompt: "consent" });
  const url = new URL(pending.url);
  assert.deepEqual([...url.searchParams.keys()].sort(), ["client_id", "request_uri"]);
  assert.match(url.searchParams.get("request_uri"), /^urn:ietf:params:oauth:request_uri:/);
  assert.equal(pushes().length, from + 1);
  assert.equal(pushes().at(-1).auth, "none");
  assert.equal(pushes().at(-1).status, 201);
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  assert.equal(tokens.claims.sub, TEST_ACCOUNT.username, "the ID token verified, nonce included");
  // A client rebuilt from the kept metadata pushes too.
  const again = new OAuthClient({ ...client.metadata, clientId: "spa", redirectUri: `${APP}/callback`, storage: "memory" });
  assert.ok((await again.authorize()).url.includes("request_uri="));
});

test("a confidential client pushes with client_secret_basic", async () => {
  const client = new OAuthClient({
    clientId: CONFIDENTIAL.clientId, clientSecret: CONFIDENTIAL.clientSecret, tokenEndpointAuthMethod: "client_secret_basic",
    authorizationEndpoint: idp.endpoints.authorization, tokenEndpoint: idp.endpoints.token, issuer: idp.issuer,
    pushedAuthorizationRequestEndpoint: `${idp.issuer}/request`, redirectUri: "http://127.0.0.1:8999/callback", scope: "openid", storage: "memory",
  });
  const pending = await client.authorize();
  assert.equal(pushes().at(-1).auth, "basic");
  const tokens = await client.handleCallback(await authorizeWithConsent(pending.url, TEST_ACCOUNT), pending);
  assert.ok(tokens.access_token);
});

test("configuration: a PAR endpoint on another origin, or PAR required without one, is invalid_config", () => {
  const base = { clientId: "spa", authorizationEndpoint: idp.endpoints.authorization, tokenEndpoint: idp.endpoints.token, redirectUri: `${APP}/callback` };
  assert.throws(() => new OAuthClient({ ...base, pushedAuthorizationRequestEndpoint: "https://evil.example/request" }), (e) => e.code === "invalid_config");
  const required = new OAuthClient({ ...base, requirePushedAuthorizationRequests: true });
  assert.throws(() => required.startAuthorization(), (e) => e.code === "invalid_config");
  return assert.rejects(required.authorize(), (e) => e.code === "invalid_config");
});

test("hostile push answers are typed errors and leave nothing behind", async () => {
  const answers = {
    "/no-uri": [201, { expires_in: 60 }],
    "/forever": [201, { request_uri: "urn:x", expires_in: 1_000_000 }],
    "/zero": [201, { request_uri: "urn:x", expires_in: 0 }],
    "/string": [201, { request_uri: "urn:x", expires_in: "60" }],
    "/redirect": [302, {}],
    "/html": [201, "<html>"],
    "/error": [400, { error: "invalid_request", error_description: "no" }],
  };
  const server = http.createServer((req, res) => {
    const [status, body] = answers[req.url] ?? [404, {}];
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json", ...(status === 302 && { location: "https://evil.example/" }) });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const [path, [status]] of Object.entries(answers)) {
      const client = new OAuthClient({ clientId: "spa", authorizationEndpoint: `${origin}/authorize`, tokenEndpoint: `${origin}/token`,
        pushedAuthorizationRequestEndpoint: `${origin}${path}`, redirectUri: `${APP}/callback`, storage: "memory" });
      await assert.rejects(client.authorize(), (e) => {
        assert.ok(isOAuthError(e), path);
        if (path === "/error") assert.deepEqual([e.name, e.code, e.status], ["TokenResponseError", "invalid_request", 400]);
        else assert.deepEqual([e.name, e.code, e.status], ["OAuthClientError", "invalid_response", status], path);
        return true;
      });
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
