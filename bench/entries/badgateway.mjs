// @badgateway/oauth2-client: the authorization code flow from its README.
import { OAuth2Client, generateCodeVerifier } from "@badgateway/oauth2-client";
export const init = async () => {};
let c;
const get = (cfg) => (c ??= new OAuth2Client({ server: cfg.issuer, clientId: cfg.clientId, authorizationEndpoint: cfg.authorizationEndpoint, tokenEndpoint: cfg.tokenEndpoint }));
const randomState = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))); // the library has no state helper
export async function start(cfg) {
  const verifier = await generateCodeVerifier();
  const state = randomState();
  const url = await get(cfg).authorizationCode.getAuthorizeUri({ redirectUri: cfg.redirectUri, state, codeVerifier: verifier, scope: cfg.scope.split(" ") });
  return { url, state, verifier };
}
export const finish = (cfg, callbackUrl, s) => get(cfg).authorizationCode.getTokenFromCodeRedirect(callbackUrl, { redirectUri: cfg.redirectUri, state: s.state, codeVerifier: s.verifier });
export const refresh = (cfg, token) => get(cfg).refreshToken(token);
