// `pkce-wasm/oauth`'s declarations (tsc --strict in scripts/test.sh): the OAuth 2.1 API without the
// OpenID Connect members. Never run.
import init, { OAuthClient, createPkce, isOAuthError, type OAuthClientConfig, type TokenSet } from "../../pkg/oauth/index.js";

type IsAny<T> = 0 extends 1 & T ? true : false;
export type NoAny = [IsAny<OAuthClientConfig>, IsAny<TokenSet>, IsAny<ReturnType<OAuthClient["startAuthorization"]>>] extends [
  false,
  false,
  false,
]
  ? true
  : never;
export const noAny: NoAny = true;

export async function flow(): Promise<TokenSet> {
  await init();
  const config: OAuthClientConfig = {
    clientId: "spa",
    authorizationEndpoint: "https://idp.example/authorize",
    tokenEndpoint: "https://idp.example/oauth/token",
    redirectUri: "https://app.example/callback",
  };
  const client = new OAuthClient(config);
  const pending = client.startAuthorization();
  void createPkce().codeChallenge;
  try {
    return await client.handleCallback(null, pending);
  } catch (e) {
    if (isOAuthError(e) && e.name === "OAuthClientError") throw new Error(e.code);
    throw e;
  }
}

export function misuse(client: OAuthClient): void {
  new OAuthClient({
    clientId: "spa",
    authorizationEndpoint: "https://idp.example/authorize",
    tokenEndpoint: "https://idp.example/oauth/token",
    redirectUri: "https://app.example/callback",
    // @ts-expect-error: OpenID Connect members are not part of this entry's config.
    jwksUri: "https://idp.example/jwks",
  });
  // @ts-expect-error: no userinfo here.
  void client.userinfo;
  // @ts-expect-error: no discovery here.
  void OAuthClient.discover;
}
