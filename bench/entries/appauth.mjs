// @openid/appauth: an AuthorizationRequest with PKCE, its handler's URL builder, and its token request
// handler over fetch. Its redirect handler needs a browser page and storage, so the state check of the
// callback is the minimum hand-written code.
import "./appauth-window-shim.mjs";
import {
  AuthorizationServiceConfiguration, AuthorizationRequest, AuthorizationRequestHandler, BaseTokenRequestHandler,
  BasicQueryStringUtils, DefaultCrypto, FetchRequestor, TokenRequest, GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN,
} from "@openid/appauth";
export const init = async () => {};

class UrlOnlyHandler extends AuthorizationRequestHandler {
  performAuthorizationRequest() {}
  completeAuthorizationRequest() { return Promise.resolve(null); }
}
const crypto = new DefaultCrypto();
const handler = new UrlOnlyHandler(new BasicQueryStringUtils(), crypto);
const tokens = new BaseTokenRequestHandler(new FetchRequestor());
const config = (cfg) => new AuthorizationServiceConfiguration({ authorization_endpoint: cfg.authorizationEndpoint, token_endpoint: cfg.tokenEndpoint, revocation_endpoint: cfg.tokenEndpoint });

export async function start(cfg) {
  const request = new AuthorizationRequest({ client_id: cfg.clientId, redirect_uri: cfg.redirectUri, scope: cfg.scope, response_type: AuthorizationRequest.RESPONSE_TYPE_CODE, extras: {} }, crypto, true);
  await request.setupCodeVerifier();
  return { url: handler.buildRequestUrl(config(cfg), request), state: request.state, verifier: request.internal.code_verifier };
}
export async function finish(cfg, callbackUrl, s) {
  const q = new URL(callbackUrl).searchParams;
  if (q.get("state") !== s.state) throw new Error("state mismatch");
  return tokens.performTokenRequest(config(cfg), new TokenRequest({
    client_id: cfg.clientId, redirect_uri: cfg.redirectUri, grant_type: GRANT_TYPE_AUTHORIZATION_CODE, code: q.get("code"), extras: { code_verifier: s.verifier },
  }));
}
export const refresh = (cfg, t) => tokens.performTokenRequest(config(cfg), new TokenRequest({
  client_id: cfg.clientId, redirect_uri: cfg.redirectUri, grant_type: GRANT_TYPE_REFRESH_TOKEN, refresh_token: t.refreshToken,
}));
