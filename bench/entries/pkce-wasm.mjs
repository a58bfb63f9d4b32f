// pkce-wasm: the client validates the callback (duplicates, state, iss) before the exchange.
import init, { OAuthClient } from "pkce-wasm";
export { init };
let client;
const get = (cfg) => (client ??= new OAuthClient({ clientId: cfg.clientId, authorizationEndpoint: cfg.authorizationEndpoint, tokenEndpoint: cfg.tokenEndpoint, redirectUri: cfg.redirectUri, scope: cfg.scope, storage: "memory" }));
export function start(cfg) {
  const p = get(cfg).startAuthorization();
  return { url: p.url, state: p.state, pending: p };
}
export const finish = (cfg, callbackUrl, s) => get(cfg).handleCallback(callbackUrl, s.pending);
export const refresh = (cfg, tokens) => get(cfg).refresh(tokens.refresh_token);
