// The low-level flow in Node: what an edge function or server does. Run (after scripts/build.sh): node examples/node-flow.mjs
import { readFileSync } from "node:fs";
import { initSync, OAuthClient, isOAuthError } from "../pkg/index.js";
import { startTokenServer } from "../tests/support/token-server.mjs";

initSync({ module: readFileSync(new URL("../pkg/pkce_wasm_bg.wasm", import.meta.url)) });
const server = await startTokenServer(); // a stand-in token endpoint on 127.0.0.1
try {
  const client = new OAuthClient({
    clientId: "demo",
    authorizationEndpoint: "https://idp.example/authorize",
    tokenEndpoint: `${server.url}/t/demo/ok`,
    redirectUri: "http://127.0.0.1:3000/callback",
    scope: "openid profile offline_access",
    issuer: "https://idp.example",
  });
  const pending = client.startAuthorization({ prompt: "consent" });
  console.log("1. authorization URL:", pending.url);

  // The authorization server would redirect back with these:
  const callback = `http://127.0.0.1:3000/callback?code=demo-code&state=${pending.state}&iss=https%3A%2F%2Fidp.example`;
  try {
    await client.handleCallback(callback.replace(pending.state, "forged"), pending);
  } catch (e) {
    console.log("2. a forged callback is refused:", e.name, e.code, `(isOAuthError: ${isOAuthError(e)})`);
  }
  const tokens = await client.handleCallback(callback, pending);
  console.log("3. tokens:", { ...tokens, access_token: "…", refresh_token: "…" });
  const fresh = await client.refresh(tokens.refresh_token);
  console.log("4. refreshed; expires_at:", fresh.expires_at);
  console.log(`token endpoint saw ${server.log("demo").length} requests (the forged callback sent none)`);
} finally {
  await server.close();
}
