// openid-client v6 with a configuration from known metadata (no discovery request).
import * as client from "openid-client";
export const init = async () => {};
let config;
const get = (cfg) => {
  if (!config) {
    config = new client.Configuration({ issuer: cfg.issuer, authorization_endpoint: cfg.authorizationEndpoint, token_endpoint: cfg.tokenEndpoint }, cfg.clientId, undefined, client.None());
    client.allowInsecureRequests(config); // the local token endpoint is http://127.0.0.1
  }
  return config;
};
export async function start(cfg) {
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(get(cfg), { redirect_uri: cfg.redirectUri, scope: cfg.scope, code_challenge: challenge, code_challenge_method: "S256", state });
  return { url: url.href, state, verifier };
}
export const finish = (cfg, callbackUrl, s) => client.authorizationCodeGrant(get(cfg), new URL(callbackUrl), { pkceCodeVerifier: s.verifier, expectedState: s.state });
export const refresh = (cfg, tokens) => client.refreshTokenGrant(get(cfg), tokens.refresh_token);
