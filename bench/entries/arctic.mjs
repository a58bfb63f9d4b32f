// arctic's generic OAuth2Client. It leaves the state check to the caller (hand-written here).
import { OAuth2Client, CodeChallengeMethod, generateCodeVerifier, generateState } from "arctic";
export const init = async () => {};
let c;
const get = (cfg) => (c ??= new OAuth2Client(cfg.clientId, null, cfg.redirectUri));
export function start(cfg) {
  const state = generateState();
  const verifier = generateCodeVerifier();
  const url = get(cfg).createAuthorizationURLWithPKCE(cfg.authorizationEndpoint, state, CodeChallengeMethod.S256, verifier, cfg.scope.split(" "));
  return { url: url.href, state, verifier };
}
export async function finish(cfg, callbackUrl, s) {
  const q = new URL(callbackUrl).searchParams;
  if (q.get("state") !== s.state) throw new Error("state mismatch");
  const t = await get(cfg).validateAuthorizationCode(cfg.tokenEndpoint, q.get("code"), s.verifier);
  return t.data;
}
export async function refresh(cfg, tokens) {
  return (await get(cfg).refreshAccessToken(cfg.tokenEndpoint, tokens.refresh_token, [])).data;
}
