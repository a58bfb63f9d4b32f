// Type-checked by `scripts/test.sh` (tsc --strict) against the built package's declarations: the public
// surface must resolve, carry no `any`, and reject misuse. Never run.
import init, {
  initSync,
  OAuthClient,
  createPkce,
  createDpopKey,
  isOAuthError,
  sealPending,
  openPending,
  sealSession,
  openSession,
  type OAuthClientConfig,
  type PendingAuthorization,
  type TokenSet,
  type OAuthError,
  type OAuthClientErrorCode,
  type ProviderMetadata,
  type IdTokenClaims,
  type ValidatedCallback,
  type PkcePair,
  type InitOutput,
} from "../../pkg/index.js";

type IsAny<T> = 0 extends 1 & T ? true : false;
type Assert<T extends false> = T;
export type NoAny = [
  Assert<IsAny<OAuthClientConfig>>,
  Assert<IsAny<PendingAuthorization>>,
  Assert<IsAny<TokenSet>>,
  Assert<IsAny<TokenSet["claims"]>>,
  Assert<IsAny<IdTokenClaims["sub"]>>,
  Assert<IsAny<OAuthError>>,
  Assert<IsAny<ProviderMetadata>>,
  Assert<IsAny<ValidatedCallback>>,
  Assert<IsAny<ReturnType<OAuthClient["startAuthorization"]>>>,
  Assert<IsAny<Awaited<ReturnType<OAuthClient["handleCallback"]>>>>,
  Assert<IsAny<Awaited<ReturnType<OAuthClient["userinfo"]>>>>,
  Assert<IsAny<Awaited<ReturnType<typeof openPending>>>>,
  Assert<IsAny<Awaited<ReturnType<typeof init>>>>,
];

export async function flow(bytes: Uint8Array): Promise<void> {
  const output: InitOutput = initSync({ module: bytes });
  output.memory.buffer;
  await init();
  const config: OAuthClientConfig = {
    clientId: "spa",
    authorizationEndpoint: "https://idp.example/authorize",
    tokenEndpoint: "https://idp.example/oauth/token",
    redirectUri: "https://app.example/callback",
    scope: "openid offline_access",
    storage: "session",
    extraAuthorizationParams: { audience: "https://api.example", resource: ["a", "b"] },
  };
  const client = new OAuthClient(config);
  const pending: PendingAuthorization = client.startAuthorization({ prompt: "login" });
  const url: string = pending.url;
  const callback: ValidatedCallback = client.validateCallback(url, pending);
  const tokens: TokenSet = await client.exchangeCode(callback.code, pending);
  const expiresAt: number | undefined = tokens.expires_at;
  const refreshed = await client.refresh(tokens, { scope: "openid" });
  const sub: string | undefined = refreshed.claims?.sub;
  const info = await client.userinfo(tokens);
  const infoSub: string = info.sub;
  await client.revoke(tokens.access_token, { hint: "access_token" });
  const logout: string = client.logoutUrl({ state: "s" });
  const discovered = await OAuthClient.discover("https://idp.example", { clientId: "spa", redirectUri: url });
  const metadata: ProviderMetadata = discovered.metadata;
  const pair: PkcePair = createPkce();
  const method: "S256" = pair.codeChallengeMethod;
  const sealed: string = await sealPending(pending, "a".repeat(32));
  const opened: PendingAuthorization = await openPending(sealed, "a".repeat(32), { maxAgeSeconds: 60 });
  const session = await openSession<{ user: string }>(await sealSession({ user: "u" }, "a".repeat(32)), "a".repeat(32));
  const user: string = session.user;
  void [expiresAt, sub, infoSub, logout, metadata, method, opened, user];

  try {
    await client.handleCallback();
  } catch (e) {
    if (isOAuthError(e)) {
      // The union narrows on `name`.
      if (e.name === "OAuthClientError") {
        const code: OAuthClientErrorCode = e.code;
        const status: number | undefined = e.status;
        void [code, status];
      } else if (e.name === "TokenResponseError") {
        const status: number = e.status;
        const description: string | undefined = e.error_description;
        void [status, description];
      } else {
        const error: string = e.error;
        void error;
      }
    }
  }
}

export function misuse(client: OAuthClient, pending: PendingAuthorization): void {
  // @ts-expect-error: `clientId` is required.
  new OAuthClient({ authorizationEndpoint: "", tokenEndpoint: "", redirectUri: "" });
  // @ts-expect-error: not a storage kind.
  new OAuthClient({ clientId: "", authorizationEndpoint: "", tokenEndpoint: "", redirectUri: "", storage: "cookie" });
  // @ts-expect-error: not an authentication method.
  new OAuthClient({ clientId: "", authorizationEndpoint: "", tokenEndpoint: "", redirectUri: "", tokenEndpointAuthMethod: "tls_client_auth" });
  // @ts-expect-error: the pending authorization is required.
  client.validateCallback("https://app.example/callback?code=c&state=s");
  // @ts-expect-error: a number is not a callback URL.
  client.validateCallback(1, pending);
  // @ts-expect-error: not one of this library's codes.
  const code: OAuthClientErrorCode = "not_a_code";
  // @ts-expect-error: the verifier is a string.
  const verifier: number = pending.codeVerifier;
  void [code, verifier];
}

export async function session(config: OAuthClientConfig): Promise<string> {
  const store = new Map<string, string>();
  const client = new OAuthClient({
    ...config,
    session: { storage: { get: (k) => store.get(k), set: async (k, v) => void store.set(k, v), remove: (k) => void store.delete(k) }, leewaySeconds: 60 },
  });
  new OAuthClient({ ...config, session: { storage: "shared" } });
  client.addEventListener("refreshed", () => {});
  // @ts-expect-error: not a session event.
  client.addEventListener("tokenchanged", () => {});
  // @ts-expect-error: not a session storage.
  new OAuthClient({ ...config, session: { storage: "cookie" } });
  const tokens = await client.getSession();
  const code: OAuthClientErrorCode = "no_session";
  await client.logout();
  void [tokens.refresh_token, code];
  return client.getAccessToken();
}

/** RFC 9126: pushed authorization requests are asynchronous. */
export async function pushed(config: OAuthClientConfig): Promise<PendingAuthorization> {
  const client = new OAuthClient({ ...config, pushedAuthorizationRequestEndpoint: "https://idp.example/par", requirePushedAuthorizationRequests: true });
  const required: boolean = client.metadata.requirePushedAuthorizationRequests;
  void required;
  // @ts-expect-error: authorize() is a promise, not a pending authorization.
  const wrong: PendingAuthorization = client.authorize();
  void wrong;
  return client.authorize({ scope: "openid" });
}

/** `private_key_jwt`: the key is a CryptoKey. */
export function assertionClient(config: OAuthClientConfig, key: CryptoKey): OAuthClient {
  return new OAuthClient({ ...config, tokenEndpointAuthMethod: "private_key_jwt", clientPrivateKey: key, clientKeyId: "k1" });
}

/** DPoP: the key pair from createDpopKey, proofs for resource requests. */
export async function bound(config: OAuthClientConfig, tokens: TokenSet): Promise<string> {
  const client = new OAuthClient({ ...config, dpop: await createDpopKey("app") });
  return client.dpopProof("GET", "https://api.example/me", tokens.access_token, { nonce: "n" });
}
