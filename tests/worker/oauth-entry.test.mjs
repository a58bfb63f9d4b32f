// `pkce-wasm/oauth` under its `workerd` export condition, in workerd (Miniflare). esbuild bundles a small
// Worker with the conditions Wrangler uses, the .wasm stays a module import (a compiled WebAssembly.Module,
// as Wrangler ships it), and the Worker runs one code flow against a local token endpoint.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { startTokenServer } from "../support/token-server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let server, dir, mf;

const WORKER = `
import { OAuthClient, isOAuthError } from "pkce-wasm/oauth";
export default {
  async fetch(request, env) {
    const config = { clientId: "w", authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: env.TOKEN_ENDPOINT,
      redirectUri: "https://app.example/cb", issuer: "https://idp.example", scope: "openid" };
    const client = new OAuthClient(config);
    const pending = client.startAuthorization();
    const tokens = await client.handleCallback("https://app.example/cb?code=C&state=" + pending.state, pending);
    let oidc = "accepted";
    try {
      new OAuthClient({ ...config, jwksUri: "https://idp.example/jwks" });
    } catch (e) {
      oidc = isOAuthError(e) ? e.code : String(e);
    }
    return Response.json({ tokenType: tokens.token_type, idToken: tokens.id_token, claims: tokens.claims ?? null, oidc });
  },
};
`;

before(async () => {
  server = await startTokenServer();
  dir = mkdtempSync(path.join(tmpdir(), "pkce-oauth-worker-"));
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
  copyFileSync(path.join(root, "pkg/oauth/pkce_wasm_bg.wasm"), path.join(dir, "out/pkce_wasm_bg.wasm"));
  mf = new Miniflare({
    modules: true,
    scriptPath: path.join(dir, "out/index.js"),
    modulesRoot: path.join(dir, "out"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-01-01",
    bindings: { TOKEN_ENDPOINT: `${server.url}/t/oauth-worker/ok` },
  });
});
after(async () => {
  await mf?.dispose();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("workerd: pkce-wasm/oauth initialises at import, runs the code flow, refuses jwksUri", async () => {
  const res = await mf.dispatchFetch("http://127.0.0.1/");
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.json(), { tokenType: "bearer", idToken: "h.p.s", claims: null, oidc: "invalid_config" });
  const [exchange] = server.log("oauth-worker");
  assert.equal(new URLSearchParams(exchange.body).get("grant_type"), "authorization_code");
});
