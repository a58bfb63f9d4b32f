// The low-level flow in whatever runtime runs this file (Node, Deno, Bun): import the package by name (its
// export conditions pick the runtime's entry, which initialises the wasm), start an authorization, obtain a
// code by scripted consent at the real authorization server, exchange it, refresh. Prints one JSON line.
//   <runtime> tests/runtimes/flow.mjs <issuer> <authorization endpoint> <token endpoint> [<entry>]
// where <entry> is "pkce-wasm" (the default) or "pkce-wasm/oauth".
import { authorizeWithConsent } from "../support/consent.mjs";

const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const [issuer, authorizationEndpoint, tokenEndpoint, entry = "pkce-wasm"] = args;
const { OAuthClient, createPkce, isOAuthError } = await import(entry);
const runtime = typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.versions.node}`;

const client = new OAuthClient({
  clientId: "confidential",
  clientSecret: "confidential-secret-change-me",
  authorizationEndpoint,
  tokenEndpoint,
  redirectUri: "http://127.0.0.1:8999/callback",
  issuer,
  requireIss: true,
  scope: "openid offline_access",
  storage: "memory",
});
const result = { runtime, steps: [] };
try {
  const vector = createPkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").codeChallenge;
  result.steps.push(vector === "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" ? "pkce" : "pkce-wrong");
  const pending = client.startAuthorization({ prompt: "consent" });
  result.steps.push("start");
  const callback = await authorizeWithConsent(pending.url, { username: "alice", password: "wonderland" });
  result.steps.push("consent");
  try {
    await client.handleCallback(callback.replace(/state=[^&]+/, "state=forged"), pending);
  } catch (e) {
    if (isOAuthError(e) && e.code === "state_mismatch") result.steps.push("forged-rejected");
  }
  const tokens = await client.handleCallback(callback, pending);
  result.steps.push("exchange");
  const fresh = await client.refresh(tokens.refresh_token);
  if (fresh.refresh_token && fresh.refresh_token !== tokens.refresh_token && fresh.access_token) result.steps.push("refresh");
} catch (e) {
  result.error = isOAuthError(e) ? `${e.name}:${e.code}` : String(e);
}
console.log(JSON.stringify(result));
