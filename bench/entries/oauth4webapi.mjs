// oauth4webapi, as its README's "authorization code flow" example does it.
import * as oauth from "oauth4webapi";
export const init = async () => {};
const as = (cfg) => ({ issuer: cfg.issuer, authorization_endpoint: cfg.authorizationEndpoint, token_endpoint: cfg.tokenEndpoint });
const client = (cfg) => ({ client_id: cfg.clientId });
const opts = { [oauth.allowInsecureRequests]: true }; // the local token endpoint is http://127.0.0.1
export async function start(cfg) {
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const url = new URL(cfg.authorizationEndpoint);
  for (const [k, v] of Object.entries({ client_id: cfg.clientId, redirect_uri: cfg.redirectUri, response_type: "code", scope: cfg.scope, code_challenge: challenge, code_challenge_method: "S256", state })) url.searchParams.set(k, v);
  return { url: url.href, state, verifier };
}
export async function finish(cfg, callbackUrl, s) {
  const params = oauth.validateAuthResponse(as(cfg), client(cfg), new URL(callbackUrl), s.state);
  const response = await oauth.authorizationCodeGrantRequest(as(cfg), client(cfg), oauth.None(), params, cfg.redirectUri, s.verifier, opts);
  return oauth.processAuthorizationCodeResponse(as(cfg), client(cfg), response);
}
export async function refresh(cfg, tokens) {
  const response = await oauth.refreshTokenGrantRequest(as(cfg), client(cfg), oauth.None(), tokens.refresh_token, opts);
  return oauth.processRefreshTokenResponse(as(cfg), client(cfg), response);
}
