// DPoP and private_key_jwt in workerd (Miniflare) through `pkce-wasm` under its `workerd` condition: the
// Worker makes its keys with WebCrypto (there is no IndexedDB there: the caller keeps them), refreshes
// against a local token endpoint with a signed client assertion and a DPoP proof, and gets a DPoP-bound
// token; the proof and the assertion are verified here with the Worker's public keys.
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
import { OAuthClient, createDpopKey } from "pkce-wasm";
export default {
  async fetch(request, env) {
    const dpop = await createDpopKey();
    const client = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const c = new OAuthClient({ clientId: "w", authorizationEndpoint: "https://idp.example/authorize", tokenEndpoint: env.TOKEN_ENDPOINT,
      redirectUri: "https://app.example/cb", issuer: "https://idp.example", tokenEndpointAuthMethod: "private_key_jwt",
      clientPrivateKey: client.privateKey, clientKeyId: "w1", dpop });
    const tokens = await c.refresh("RT");
    const proof = await c.dpopProof("GET", "https://api.example/me", tokens.access_token);
    return Response.json({ tokenType: tokens.token_type, proof, dpopJwk: dpop.publicJwk,
      clientJwk: await crypto.subtle.exportKey("jwk", client.publicKey) });
  },
};
`;

before(async () => {
  server = await startTokenServer();
  dir = mkdtempSync(path.join(tmpdir(), "pkce-dpop-worker-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(path.join(root, "pkg"), path.join(dir, "node_modules/pkce-wasm"), "dir");
  await build({
    stdin: { contents: WORKER, resolveDir: dir, sourcefile: "worker.js" },
    bundle: true, format: "esm", target: "es2022", conditions: ["workerd", "worker", "browser"], external: ["*.wasm"],
    outfile: path.join(dir, "out/index.js"), logLevel: "error",
  });
  copyFileSync(path.join(root, "pkg/pkce_wasm_bg.wasm"), path.join(dir, "out/pkce_wasm_bg.wasm"));
  mf = new Miniflare({
    modules: true, scriptPath: path.join(dir, "out/index.js"), modulesRoot: path.join(dir, "out"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }], compatibilityDate: "2026-01-01",
    bindings: { TOKEN_ENDPOINT: `${server.url}/t/dpop-worker/dpop` },
  });
});
after(async () => {
  await mf?.dispose();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verify = async (jwk, jwt) => {
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const [h, p, s] = jwt.split(".");
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, Buffer.from(s, "base64url"), new TextEncoder().encode(`${h}.${p}`));
};
const part = (jwt, i) => JSON.parse(Buffer.from(jwt.split(".")[i], "base64url"));

test("workerd: a refresh with a client assertion and a DPoP proof, a bound token, a resource proof", async () => {
  const res = await mf.dispatchFetch("http://127.0.0.1/");
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.equal(out.tokenType, "DPoP");
  const [refresh] = server.log("dpop-worker");
  const proof = refresh.headers.dpop;
  assert.ok(await verify(out.dpopJwk, proof), "the token request's proof");
  assert.equal(part(proof, 1).htu, `${server.url}/t/dpop-worker/dpop`);
  const assertion = new URLSearchParams(refresh.body).get("client_assertion");
  assert.ok(await verify(out.clientJwk, assertion), "the client assertion");
  assert.equal(part(assertion, 0).kid, "w1");
  assert.ok(await verify(out.dpopJwk, out.proof), "the resource request's proof");
  assert.ok(part(out.proof, 1).ath);
});
