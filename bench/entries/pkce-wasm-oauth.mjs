// pkce-wasm/oauth: the OAuth 2.1 entry (no OpenID Connect, no sealing helpers); the same flow as pkce-wasm.
import initWasm, { OAuthClient } from "pkce-wasm/oauth";
// In the browser bundle the core sits next to it under its own name (the full package's is pkce_wasm_bg.wasm).
export const init = () => initWasm({ module_or_path: new URL("pkce_wasm_oauth_bg.wasm", import.meta.url) });
let client;
const get = (cfg) => (client ??= new OAuthClient({ clientId: cfg.clientId, authorizationEndpoint: cfg.authorizationEndpoint, tokenEndpoint: cfg.tokenEndpoint, redirectUri: cfg.redirectUri, scope: cfg.scope, storage: "memory" }));
export function start(cfg) {
  const p = get(cfg).startAuthorization();
  return { url: p.url, state: p.state, pending: p };
}
export const finish = (cfg, callbackUrl, s) => get(cfg).handleCallback(callbackUrl, s.pending);
export const refresh = (cfg, tokens) => get(cfg).refresh(tokens.refresh_token);
