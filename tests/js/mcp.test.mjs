// MCP authorization against real components: the embedded oidc-provider as the MCP server's
// authorization server (dynamic client registration and resource indicators on) and a protected MCP
// server on 127.0.0.1 (idp/mcp-server.mjs) that checks every token with the authorization
// server. The example client's transport (examples/mcp-client/mcp.mjs) drives pkce-wasm/mcp; a cookie
// jar plays the browser at the sign-in and consent pages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { OAuthClient, authorizeMcp, clientMetadataDocument, isOAuthError } from "../../pkg/mcp/node.js";
import { startIdp, TEST_ACCOUNT } from "../../idp/server.mjs";
import { startMcpServer } from "../../idp/mcp-server.mjs";
import { authorizeWithConsent, CookieJar } from "../support/consent.mjs";
import { connect } from "../../examples/mcp-client/mcp.mjs";

const REDIRECT_URI = "http://127.0.0.1:8976/callback";
let idp, mcp;
before(async () => {
  mcp = await startMcpServer({ issuer: () => idp.issuer, verify: (t) => idp.verifyAccessToken(t) });
  idp = await startIdp({ mcpResource: mcp.resource });
});
after(async () => {
  await mcp?.close();
  await idp?.close();
});

const jar = new CookieJar();
const userAgent = (pending) => authorizeWithConsent(pending.url, TEST_ACCOUNT, { jar });
const config = () => ({ redirectUri: REDIRECT_URI, storage: "memory" });
const since = (list, from) => list.slice(from);

test("401 → discovery → registration → sign-in; 403 → step-up; every token request carries the resource", async () => {
  const idpFrom = idp.log.length;
  const session = await connect(mcp.url, { OAuthClient, userAgent, config: config(), options: { clientName: "pkce-wasm test" } });
  assert.equal(session.serverName, "pkce-wasm-test-mcp");
  const found = session.client.mcp;
  assert.equal(found.resource, mcp.resource, "the resource exactly as the metadata publishes it");
  assert.equal(found.registration, "registered");
  assert.match(found.scope, /^mcp:read( offline_access)?$/, "the challenge's scope (offline_access: advertised)");
  assert.equal(session.client.issuer, idp.issuer);

  const { tools } = await session.request("tools/list");
  assert.deepEqual(tools.map((t) => t.name), ["whoami"]);
  // tools/call needs mcp:write: a 403, a step-up with the union of the scopes, a second consent.
  const result = await session.request("tools/call", { name: "whoami", arguments: {} });
  assert.match(result.content[0].text, /mcp:read/);
  assert.match(result.content[0].text, /mcp:write/);
  assert.match(session.client.mcp.scope, /mcp:read.*mcp:write|mcp:write.*mcp:read/);
  assert.deepEqual(mcp.log.filter((e) => e.status >= 400).map((e) => e.status), [401, 403]);

  const log = since(idp.log, idpFrom);
  assert.equal(log.filter((e) => e.path === "/reg").length, 1, "registered once");
  const tokenRequests = log.filter((e) => e.path === idp.routes.token);
  assert.equal(tokenRequests.length, 2);
  for (const e of tokenRequests) assert.deepEqual(e.resource, [mcp.resource]);

  // A refresh keeps the resource, and its token is good at the MCP server.
  const fresh = await session.client.refresh(session.tokens);
  assert.deepEqual(idp.log.at(-1).resource, [mcp.resource]);
  assert.equal((await idp.verifyAccessToken(fresh.access_token)).aud, mcp.resource);

  // The registration is kept (here in memory) per authorization server and used again.
  const again = await OAuthClient.discoverMcp(mcp.url, config(), {});
  assert.equal(again.mcp.registration, "stored");
  assert.equal(again.clientId, session.client.clientId);
  assert.equal(since(idp.log, idpFrom).filter((e) => e.path === "/reg").length, 1);
});

test("authorizeMcp outside a browser hands back the authorization URL, with the resource and PKCE", async () => {
  const { client, pending } = await authorizeMcp(mcp.url, config(), {});
  const url = new URL(pending.url);
  assert.equal(url.origin + url.pathname, idp.endpoints.authorization);
  assert.equal(url.searchParams.get("resource"), mcp.resource);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  const tokens = await client.handleCallback(await userAgent(pending), pending);
  assert.equal((await idp.verifyAccessToken(tokens.access_token)).aud, mcp.resource);
});

test("authorizeMcp against an authorization server that requires pushed authorization requests", async () => {
  const parMcp = await startMcpServer({ issuer: () => parIdp.issuer, verify: (t) => parIdp.verifyAccessToken(t) });
  const parIdp = await startIdp({ mcpResource: parMcp.resource, profile: "par" });
  try {
    const { client, pending } = await authorizeMcp(parMcp.url, config(), {});
    const url = new URL(pending.url);
    assert.deepEqual([...url.searchParams.keys()].sort(), ["client_id", "request_uri"], "pushed: the URL has client_id and request_uri only");
    const tokens = await client.handleCallback(await userAgent(pending), pending);
    assert.equal((await parIdp.verifyAccessToken(tokens.access_token)).aud, parMcp.resource);
  } finally {
    await parMcp.close();
    await parIdp.close();
  }
});

test("metadata for another resource: resource_mismatch, and nothing is asked of the authorization server", async () => {
  const evil = await startMcpServer({ issuer: () => idp.issuer, verify: (t) => idp.verifyAccessToken(t), resourceOverride: "http://127.0.0.1:9/mcp" });
  try {
    const from = idp.log.length;
    await assert.rejects(connect(evil.url, { OAuthClient, userAgent, config: config(), options: {} }), (e) => isOAuthError(e) && e.code === "resource_mismatch");
    assert.equal(idp.log.length, from, "no registration, no token request");
  } finally {
    await evil.close();
  }
});

test("a config the discovery cannot use fails before any request", async () => {
  const from = mcp.log.length;
  await assert.rejects(OAuthClient.discoverMcp(mcp.url, { redirectUri: "not a url" }, {}), (e) => e.code === "invalid_config");
  await assert.rejects(OAuthClient.discoverMcp("ftp://x", config(), {}), (e) => e.code === "invalid_config");
  await assert.rejects(OAuthClient.discoverMcp(mcp.url, config(), { wwwAuthenticate: "Bearer scope=\"x" }), (e) => e.code === "invalid_challenge");
  assert.equal(mcp.log.length, from);
});

test("the Client ID Metadata Document to publish, checked", () => {
  const doc = clientMetadataDocument({ clientId: "https://app.example/oauth/client.json", clientName: "App", redirectUris: [REDIRECT_URI] });
  assert.deepEqual(doc, {
    client_id: "https://app.example/oauth/client.json", client_name: "App", redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none",
  });
  for (const bad of [{ clientId: "https://app.example/", clientName: "App", redirectUris: [REDIRECT_URI] }, { clientId: "https://app.example/c.json", clientName: "App", redirectUris: [] }, {}]) {
    assert.throws(() => clientMetadataDocument(bad), (e) => isOAuthError(e) && e.code === "invalid_config");
  }
});
