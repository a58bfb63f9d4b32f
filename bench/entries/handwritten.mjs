// The floor: the minimum hand-written WebCrypto + fetch code for the same job.
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
export const init = async () => {};
export async function start(cfg) {
  const verifier = random();
  const state = random();
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const url = new URL(cfg.authorizationEndpoint);
  for (const [k, v] of Object.entries({ response_type: "code", client_id: cfg.clientId, redirect_uri: cfg.redirectUri, scope: cfg.scope, state, code_challenge: challenge, code_challenge_method: "S256" })) url.searchParams.set(k, v);
  return { url: url.href, state, verifier };
}
async function token(cfg, params) {
  const res = await fetch(cfg.tokenEndpoint, { method: "POST", body: new URLSearchParams({ ...params, client_id: cfg.clientId }), headers: { accept: "application/json" } });
  const json = await res.json();
  if (!res.ok || typeof json.access_token !== "string") throw new Error(json.error ?? "token error");
  return json;
}
export async function finish(cfg, callbackUrl, s) {
  const q = new URL(callbackUrl).searchParams;
  if (q.get("state") !== s.state) throw new Error("state mismatch");
  return token(cfg, { grant_type: "authorization_code", code: q.get("code"), redirect_uri: cfg.redirectUri, code_verifier: s.verifier });
}
export const refresh = (cfg, tokens) => token(cfg, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
