// oidc-client-ts's OidcClient (the protocol layer under UserManager), with known metadata and an
// in-memory state store.
import { OidcClient, WebStorageStateStore, InMemoryWebStorage } from "oidc-client-ts";
export const init = async () => {};
let c;
const get = (cfg) => (c ??= new OidcClient({
  authority: cfg.issuer, client_id: cfg.clientId, redirect_uri: cfg.redirectUri, scope: cfg.scope, response_type: "code",
  metadata: { issuer: cfg.issuer, authorization_endpoint: cfg.authorizationEndpoint, token_endpoint: cfg.tokenEndpoint },
  stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
}));
export async function start(cfg) {
  const req = await get(cfg).createSigninRequest({});
  return { url: req.url, state: req.state.id };
}
export const finish = (cfg, callbackUrl) => get(cfg).processSigninResponse(callbackUrl);
export const refresh = (cfg, tokens) => get(cfg).useRefreshToken({ state: { refresh_token: tokens.refresh_token, session_state: null, profile: {} } });
