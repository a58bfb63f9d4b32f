// @auth0/auth0-spa-js: loginWithRedirect (capturing the URL instead of navigating), handleRedirectCallback,
// and getTokenSilently with refresh tokens. Browser only; its endpoints are https://<domain>/..., which the
// benchmark forwards to the local token endpoint.
import { Auth0Client } from "@auth0/auth0-spa-js";
export const init = async () => {};
let c;
const get = (cfg) => (c ??= new Auth0Client({
  domain: new URL(cfg.authorizationEndpoint).host, clientId: cfg.clientId, cacheLocation: "memory", useRefreshTokens: true, useRefreshTokensFallback: false,
  authorizationParams: { redirect_uri: cfg.redirectUri, scope: cfg.scope },
}));
export async function start(cfg) {
  let url;
  await get(cfg).loginWithRedirect({ openUrl: (u) => { url = u; } });
  const q = new URL(url).searchParams;
  return { url, state: q.get("state"), nonce: q.get("nonce") };
}
export async function finish(cfg, callbackUrl) {
  await get(cfg).handleRedirectCallback(callbackUrl); // checks the state, exchanges the code, verifies the ID token's claims
  return { access_token: await get(cfg).getTokenSilently({ cacheMode: "cache-only" }) };
}
export const refresh = async (cfg) => ({ access_token: await get(cfg).getTokenSilently({ cacheMode: "off" }) });
