// `pkce-wasm/mcp` under its `workerd` export condition, in workerd (Miniflare), against real components:
// the Worker probes the MCP server (idp/mcp-server.mjs) for its 401, runs the MCP discovery
// (resource metadata, the authorization server's metadata, dynamic registration at the embedded
// oidc-provider), hands back the authorization URL; after the sign-in and consent (a cookie jar plays the
// browser) it exchanges the code, calls `tools/list` with the token and refreshes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { startIdp, TEST_ACCOUNT } from "../../idp/server.mjs";
import { startMcpServer } from "../../idp/mcp-server.mjs";
import { authorizeWithConsent } from "../support/consent.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let idp, mcp, dir, mf;

const WORKER = `
import { OAuthClient } from "pkce-wasm/mcp";
let flight; // this test's one sign-in under way
const rpc = (method, token) => ({ method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: {} }),
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(token && { authorization: "Bearer " + token }) } });
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/start") {
        const probe = await fetch(env.MCP_URL, rpc("initialize"));
        const client = await OAuthClient.discoverMcp(env.MCP_URL, { redirectUri: env.REDIRECT_URI, storage: "memory" },
          { wwwAuthenticate: probe.headers.get("www-authenticate"), clientName: "pkce-wasm worker" });
        const pending = client.startAuthorization();
        flight = { client, pending };
        return Response.json({ probe: probe.status, url: pending.url, mcp: client.mcp });
      }
      const tokens = await flight.client.handleCallback(url.searchParams.get("callback"), flight.pending);
      const list = await fetch(env.MCP_URL, rpc("tools/list", tokens.access_token));
      const fresh = await flight.client.refresh(tokens);
      const again = await fetch(env.MCP_URL, rpc("tools/list", fresh.access_token));
      return Response.json({ status: list.status, tools: (await list.json()).result.tools.map((t) => t.name), afterRefresh: again.status });
    } catch (e) {
      return Response.json({ error: e.code ?? String(e) }, { status: 500 });
    }
  },
};
`;

before(async () => {
  mcp = await startMcpServer({ issuer: () => idp.issuer, verify: (t) => idp.verifyAccessToken(t) });
  idp = await startIdp({ mcpResource: mcp.resource });
  dir = mkdtempSync(path.join(tmpdir(), "pkce-mcp-worker-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(path.join(root, "pkg"), path.join(dir, "node_modules/pkce-wasm"), "dir");
  await build({
    stdin: { contents: WORKER, resolveDir: dir, sourcefile: "worker.js" },
    bundle: true,
    format: "esm",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["*.wasm"],
    outfile: path.join(dir, "out/index.js"),
    logLevel: "error",
  });
  copyFileSync(path.join(root, "pkg/mcp/pkce_wasm_bg.wasm"), path.join(dir, "out/pkce_wasm_bg.wasm"));
  mf = new Miniflare({
    modules: true,
    scriptPath: path.join(dir, "out/index.js"),
    modulesRoot: path.join(dir, "out"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-01-01",
    bindings: { MCP_URL: mcp.url, REDIRECT_URI: "http://127.0.0.1:8976/callback" },
  });
});
after(async () => {
  await mf?.dispose();
  await mcp?.close();
  await idp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("workerd: the MCP discovery, registration, code exchange with the resource, refresh", async () => {
  const start = await mf.dispatchFetch("http://127.0.0.1/start");
  const started = await start.json();
  assert.equal(start.status, 200, JSON.stringify(started));
  assert.equal(started.probe, 401);
  assert.equal(started.mcp.registration, "registered");
  assert.equal(new URL(started.url).searchParams.get("resource"), mcp.resource);
  const callback = await authorizeWithConsent(started.url, TEST_ACCOUNT);
  const res = await mf.dispatchFetch(`http://127.0.0.1/finish?callback=${encodeURIComponent(callback)}`);
  const done = await res.json();
  assert.equal(res.status, 200, JSON.stringify(done));
  assert.deepEqual(done, { status: 200, tools: ["whoami"], afterRefresh: 200 });
  const tokenRequests = idp.log.filter((e) => e.path === idp.routes.token);
  assert.deepEqual(tokenRequests.map((e) => e.grant_type), ["authorization_code", "refresh_token"]);
  for (const e of tokenRequests) assert.deepEqual(e.resource, [mcp.resource]);
});
