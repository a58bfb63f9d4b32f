// The public types of the `pkce-wasm` npm package (the API of `client.js`).

/** Client authentication at the token endpoint, the same on every request. */
export type TokenEndpointAuthMethod = "none" | "client_secret_basic" | "client_secret_post" | "private_key_jwt";

/** Extra request parameters: a string, or an array of strings for a repeated parameter (e.g. `resource`). */
export type ExtraParams = Record<string, string | string[] | undefined>;

/** The configuration of an `OAuthClient`. Validated by the constructor (`invalid_config`). */
export interface OAuthClientConfig {
  /** The client identifier. */
  clientId: string;
  /** Absolute `https:` URL (`http:` only on localhost, 127.0.0.1, [::1]); its query is kept. */
  authorizationEndpoint: string;
  /** Absolute `https:` URL (`http:` only on loopback hosts). */
  tokenEndpoint: string;
  /** The exact registered redirect URI, without a fragment. */
  redirectUri: string;
  /** The default scope; a per-call `scope` replaces it. A nonce is sent whenever it contains `openid`. */
  scope?: string;
  /** The issuer identifier; enables the RFC 9207 `iss` check on callbacks. */
  issuer?: string;
  /** Reject callbacks without `iss` (needs `issuer`). Default `false`. */
  requireIss?: boolean;
  /**
   * RFC 9126: push every authorization here first (on the token endpoint's origin), with the client's
   * authentication; the browser then goes to the authorization endpoint with `client_id` and `request_uri`
   * only. Use `authorize()` or `login()` (`startAuthorization()` is then `invalid_config`).
   */
  pushedAuthorizationRequestEndpoint?: string;
  /**
   * Authorizations must be pushed (`invalid_config` without the endpoint). Before `discover`, set it to push
   * whenever the provider has the endpoint; a provider whose metadata requires it turns it on.
   */
  requirePushedAuthorizationRequests?: boolean;
  /** Confidential clients only (servers, edge functions). Never ship a secret to a browser. */
  clientSecret?: string;
  /**
   * `private_key_jwt` (RFC 7523; with `tokenEndpointAuthMethod: "private_key_jwt"`, not in `pkce-wasm/oauth`):
   * a private WebCrypto signing key (ECDSA P-256, RSASSA-PKCS1-v1_5 or RSA-PSS with SHA-256, Ed25519),
   * best made non-extractable. Every token, revocation and push request carries a fresh assertion signed
   * with it (`iss`/`sub` the client id, `aud` the issuer, a random `jti`, one minute). It never enters the wasm.
   */
  clientPrivateKey?: CryptoKey;
  /** The key's `kid` at the authorization server (the assertion's header names it). */
  clientKeyId?: string;
  /**
   * RFC 9449 DPoP (not in `pkce-wasm/oauth`): the key pair that binds the tokens (see `createDpopKey`). Every
   * token request carries a proof, the authorization request `dpop_jkt`, and the token response must be
   * `token_type: "DPoP"` (a `Bearer` answer is `invalid_response`). Use `dpopProof()` for resource requests.
   */
  dpop?: DpopKeyPair;
  /**
   * With `dpop`: accept a `token_type: "Bearer"` answer too (a server that does not do DPoP ignores the
   * proof, RFC 9449 §5); such tokens are sent as Bearer tokens (`userinfo()` reads the token set's type).
   * Default `false`: an unbound answer to a proof is `invalid_response`.
   */
  dpopAcceptBearer?: boolean;
  /** Default `"none"`, or `"client_secret_basic"` when `clientSecret` is set. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Added to every authorization URL. Reserved names (`response_type`, `client_id`, `redirect_uri`, `scope`, `state`, `code_challenge`, `code_challenge_method`, `nonce`) are refused. */
  extraAuthorizationParams?: ExtraParams;
  /** Added to every token request. Reserved names (`grant_type`, `code`, `code_verifier`, `redirect_uri`, `refresh_token`, `client_id`, `client_secret`, ...) are refused. */
  extraTokenParams?: ExtraParams;
  /** Where `login()` keeps pending authorizations. Default `"session"`; `"memory"` is this module's memory (a page load, shared by its clients). */
  storage?: "session" | "local" | "memory";
  /** Token endpoint timeout in milliseconds, body included. Default 30000. */
  timeoutMs?: number;
  /** How long a pending authorization stays valid, in seconds. Default 600. */
  pendingTtlSeconds?: number;
  /**
   * A managed session: `handleCallback()` keeps the token set, `getAccessToken()` returns an access token
   * that is always fresh (refreshed `leewaySeconds` before it expires, one refresh at a time across the
   * origin's tabs), `logout()` ends it. Off by default.
   */
  session?: SessionOptions | null | false;
  /**
   * OpenID Connect: the provider's JWKS (needs `issuer`). With it, every ID token is verified (signature
   * and claims) on code exchange and refresh, `claims` is set, and an `openid` authorization must return an
   * ID token. Without it, `id_token` is passed through unverified. `OAuthClient.discover` sets it.
   */
  jwksUri?: string;
  /** OpenID Connect `userinfo_endpoint`, for `userinfo()`. */
  userinfoEndpoint?: string;
  /** RP-initiated logout `end_session_endpoint`, for `logoutUrl()`. */
  endSessionEndpoint?: string;
  /** RFC 7009 `revocation_endpoint`, for `revoke()`. */
  revocationEndpoint?: string;
  /** Leeway for the ID token's `exp`, `iat` and `auth_time`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
}

/** The configuration of `OAuthClient.discover`: the endpoints and the issuer come from the discovery document. */
export type DiscoveryConfig = Omit<OAuthClientConfig, "authorizationEndpoint" | "tokenEndpoint" | "issuer" | "jwksUri" | "userinfoEndpoint" | "endSessionEndpoint" | "revocationEndpoint">;

/** What the client took from the provider: spread it into a config to build a client without discovery. */
export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  requireIss: boolean;
  pushedAuthorizationRequestEndpoint?: string;
  requirePushedAuthorizationRequests: boolean;
  jwksUri?: string;
  userinfoEndpoint?: string;
  endSessionEndpoint?: string;
  revocationEndpoint?: string;
}

/** A DPoP key pair: the private key (non-extractable) and the public JWK. */
export interface DpopKeyPair {
  privateKey: CryptoKey;
  publicJwk: JsonWebKey;
}

/** Verified ID token claims. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  azp?: string;
  [claim: string]: unknown;
}

/** Options of `logoutUrl`. */
export interface LogoutOptions {
  /** `id_token_hint`. Note that it puts the ID token in the URL; `client_id` is always sent and usually enough. */
  idTokenHint?: string;
  /** Registered with the provider. */
  postLogoutRedirectUri?: string;
  state?: string;
}

/** Options of `userinfo`. */
export interface UserinfoOptions {
  /** The expected `sub`; taken from the token set's ID token when one is given. */
  subject?: string;
}

/** Options of `revoke`. */
export interface RevokeOptions {
  /** `token_type_hint`: `"access_token"` or `"refresh_token"`. */
  hint?: string;
}

/** Per-call options of `startAuthorization` and `login`. */
export interface AuthorizationOptions {
  /** Replaces the configured scope. */
  scope?: string;
  /** Added to the configured extra parameters; a name given here replaces the configured values of that name. */
  extraParams?: ExtraParams;
  /** `prompt`, e.g. `"consent"` or `"login"`. */
  prompt?: string;
  /** `login_hint`. */
  loginHint?: string;
}

/** A started authorization. Holds the verifier: keep it private to this user agent, never in a URL. */
export interface PendingAuthorization {
  /** Send the user here. */
  url: string;
  state: string;
  codeVerifier: string;
  /** Present when the scope contains `openid`. */
  nonce?: string;
  redirectUri: string;
  /** The issuer the request was sent to, when configured. */
  issuer?: string;
  /** Unix seconds. */
  createdAt: number;
  /** The `max_age` sent, in seconds (the ID token's `auth_time` is checked against it). */
  maxAge?: number;
  /**
   * Unix seconds after which `url` no longer works: a pushed request's `request_uri` lives its `expires_in`
   * (RFC 9126). Send the user there before then, or start again.
   */
  urlExpiresAt?: number;
}

/** A callback that passed validation. */
export interface ValidatedCallback {
  code: string;
  state: string;
  iss?: string;
}

/** A validated token response, with RFC wire names. Members the server did not send are absent. */
export interface TokenSet {
  access_token: string;
  /** `"bearer"` (however the server cased it), or `"DPoP"` for DPoP-bound tokens (RFC 9449's spelling). */
  token_type: string;
  expires_in?: number;
  /** Receipt time + `expires_in`, integer unix seconds. */
  expires_at?: number;
  /** After a refresh without rotation, the refresh token that was used. */
  refresh_token?: string;
  /** Verified when the client has a `jwksUri` (then `claims` is set); otherwise passed through unverified. */
  id_token?: string;
  /** The granted scope, when the server said it; `""` when it granted none (GitHub and others send that). */
  scope?: string;
  /** The verified ID token's claims. */
  claims?: IdTokenClaims;
}

/** Options of `refresh`. */
export interface RefreshOptions {
  /** A narrower scope than the one granted. */
  scope?: string;
}

/** A PKCE pair. */
export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: "S256";
}

/** This library's own error codes. */
export type OAuthClientErrorCode =
  | "invalid_config" | "invalid_verifier" | "state_mismatch" | "missing_state" | "issuer_mismatch"
  | "missing_issuer" | "missing_code" | "duplicate_parameter" | "no_pending_authorization"
  | "pending_expired" | "invalid_pending" | "invalid_response" | "network_error" | "timeout"
  | "storage_unavailable" | "unsupported_environment" | "random_unavailable" | "invalid_id_token"
  | "missing_id_token" | "unsupported_algorithm" | "id_token_signature" | "key_not_found"
  | "audience_mismatch" | "nonce_mismatch" | "subject_mismatch" | "id_token_expired"
  | "id_token_issued_in_future" | "auth_time_too_old" | "pkce_unsupported" | "missing_endpoint"
  | "invalid_challenge" | "resource_mismatch" | "registration_failed" | "step_up_limit"
  // The sealing helpers (`seal.js`).
  | "invalid_sealed_value" | "session_expired" | "no_session" | "invalid_session";

/** Any failure other than a server's error response. */
export interface OAuthClientError extends Error {
  name: "OAuthClientError";
  code: OAuthClientErrorCode;
  /** Set when an HTTP response was involved (0 for a browser's opaque redirect). */
  status?: number;
  /** `network_error`: what the host's `fetch` rejected with (for example a `TypeError`). */
  cause?: unknown;
}

/** The callback carried `error=`. The fields are attacker-controlled text: render them as text. */
export interface AuthorizationResponseError extends Error {
  name: "AuthorizationResponseError";
  /** The RFC error, e.g. `"access_denied"`. */
  code: string;
  error: string;
  error_description?: string;
  error_uri?: string;
}

/** The token endpoint answered with an RFC 6749 §5.2 error. */
export interface TokenResponseError extends Error {
  name: "TokenResponseError";
  /** The RFC error, e.g. `"invalid_grant"`. */
  code: string;
  error: string;
  error_description?: string;
  error_uri?: string;
  status: number;
}

export type OAuthError = OAuthClientError | AuthorizationResponseError | TokenResponseError;

/** The OAuth 2.1 client's methods, the same in `pkce-wasm` and `pkce-wasm/oauth`. */
export interface OAuthClientCore {
  /**
   * Exchanges an authorization code (from `validateCallback`) for tokens.
   */
  exchangeCode(code: string, pending: PendingAuthorization): Promise<TokenSet>;
  /**
   * Validates the callback and exchanges the code.
   *
   * With no arguments (browser): reads `location.href`, strips `code`, `state`, `iss` and
   * `session_state` from the address bar, and takes the pending authorization stored by `login()` under
   * the callback's `state` (single use: a replay gets `no_pending_authorization` and sends nothing).
   * With `url` and `pending`: runs anywhere.
   */
  handleCallback(url?: string | null, pending?: PendingAuthorization | null): Promise<TokenSet>;
  /**
   * Browser: starts an authorization, stores it under its `state` in the configured storage (expiring
   * after `pendingTtlSeconds`), and navigates to the authorization URL with `location.assign`.
   * `storage_unavailable` when the storage is missing or throws (nothing navigated to);
   * `unsupported_environment` outside a window, or when the page refuses the navigation (nothing stored).
   */
  login(options?: AuthorizationOptions | null): Promise<void>;
  /**
   * Refreshes the tokens, optionally for a narrower `scope`. The result keeps `refresh_token` when the
   * server did not rotate it. Concurrent calls with the same refresh token (for the same token endpoint and
   * client id, from any client of this module) share one request and its outcome.
   *
   * Pass the token set (rather than its `refresh_token`) so that a new ID token is checked against the
   * original one (same issuer, subject and audience), and so that a response without an ID token keeps the
   * session's `id_token` and `claims` (then `userinfo(fresh)` and `logoutUrl` still work). With a bare
   * refresh token a client that verifies ID tokens (`jwksUri`) has nothing to check a new one against, so
   * the result carries no `id_token` (the access token is still returned).
   */
  refresh(tokens: TokenSet | string, options?: RefreshOptions | null): Promise<TokenSet>;
  /**
   * Starts an authorization: fresh `state`, PKCE verifier (S256) and, for `openid` scopes, `nonce`.
   * Keep the returned object (it holds the verifier) and send the user to its `url`.
   */
  startAuthorization(options?: AuthorizationOptions | null): PendingAuthorization;
  /**
   * `startAuthorization`, pushed first where configured (RFC 9126: the answer's `request_uri` must live 1 s
   * to an hour, else `invalid_response`; an error object is a `TokenResponseError`).
   */
  authorize(options?: AuthorizationOptions | null): Promise<PendingAuthorization>;
  /**
   * Validates a callback URL (or query) against a pending authorization: repeated parameters, `state`,
   * expiry, `iss`, `error=`, `code`, in that order. Sends nothing.
   */
  validateCallback(url: string, pending: PendingAuthorization): ValidatedCallback;
  /**
   * The client identifier.
   */
  readonly clientId: string;
  /**
   * The configured issuer, if any.
   */
  readonly issuer: string | undefined;
  /**
   * The provider's issuer and endpoints, in the shape of a config (cacheable, JSON-serialisable).
   */
  readonly metadata: ProviderMetadata;
  /**
   * With `dpop`: the RFC 7638 thumbprint of the DPoP key (base64url SHA-256), which the authorization
   * request sends as `dpop_jkt` and the tokens are bound to (their `cnf.jkt`). `undefined` without DPoP
   * (and always in `pkce-wasm/oauth`).
   */
  readonly dpopJkt: string | undefined;
}

/** Where a managed session is kept, and when its access token is refreshed. */
export interface SessionOptions {
  /**
   * `"memory"` (the default: this page load, shared by this module's clients), `"session"` (this tab),
   * `"shared"` (IndexedDB: every tab and worker of the origin, which then share one session and one
   * refresh at a time; readable by any script of the origin), `"local"` (`localStorage`: shared too, but
   * Chromium hands its writes to other tabs asynchronously, so a tab can read a session another tab just
   * replaced; prefer `"shared"` when tabs refresh concurrently), or your own store.
   */
  storage?: "memory" | "session" | "shared" | "local" | SessionStore;
  /** How long before `expires_at` the access token is refreshed, in seconds. Default 30. */
  leewaySeconds?: number;
}

/** A caller-supplied session store (each method may return a promise). Throwing is `storage_unavailable`. */
export interface SessionStore {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** The events of a managed session (plain `Event`s, dispatched on the client). */
export type SessionEventType = "signedin" | "refreshed" | "refreshfailed" | "signedout";

/** An OAuth 2.1 Authorization Code + PKCE client for one authorization server.
 *
 * The constructor only validates the configuration (`invalid_config`) and never touches storage, so it
 * works in any runtime. `login()` and `handleCallback()` without a pending authorization are browser
 * conveniences; the low-level methods (`startAuthorization`, `validateCallback`, `exchangeCode`,
 * `handleCallback(url, pending)`, `refresh`) run everywhere.
 */
export class OAuthClient extends EventTarget {
  /**
   * Validates the configuration. Throws `OAuthClientError` `invalid_config`.
   */
  constructor(config: OAuthClientConfig);
  /**
   * The managed session's access token (needs `session` in the config; `handleCallback()` starts the
   * session): the kept one while fresh, else refreshed first. Concurrent calls share one refresh, in this
   * page and (Web Locks) across tabs; after taking the lock the stored session is read again, so a tab
   * that waited uses the token another tab just got. `no_session` before a sign-in; `invalid_session`
   * for a stored value that is not this client's session (removed); `session_expired` when it expired
   * without a refresh token; a refresh refused with `invalid_grant` ends the session (`signedout`, in
   * every tab); other failures (`network_error`, `timeout`, 5xx) keep it for a later try.
   */
  getAccessToken(): Promise<string>;
  /** The managed session's token set, refreshed like `getAccessToken()`. */
  getSession(): Promise<TokenSet>;
  /**
   * Ends the managed session: its refresh token revoked where the provider has a revocation endpoint
   * (best effort), the session removed here, and `signedout` told in every tab of the origin.
   */
  logout(): Promise<void>;
  addEventListener(type: SessionEventType, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void;
  removeEventListener(type: SessionEventType, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void;
  /**
   * A DPoP proof (the `DPoP` header's value) for a request to a resource server with a DPoP-bound token
   * (send it as `Authorization: DPoP <token>`): `htm`, `htu` (without the query), `ath`, and the resource
   * server's `nonce` after its 401 `use_dpop_nonce` (retry once). A given nonce is kept for the origin's
   * next proofs (in memory); without one, the origin's kept nonce is used.
   */
  dpopProof(method: string, url: string, accessToken: string, options?: { nonce?: string } | null): Promise<string>;
  /**
   * Discovers the provider at `issuer` (OpenID Connect Discovery, then RFC 8414) and builds a client with
   * its endpoints. The document's `issuer` must equal `issuer` (`issuer_mismatch`), it must list `S256`
   * (`pkce_unsupported`), and `requireIss` follows `authorization_response_iss_parameter_supported`.
   * Keep `client.metadata` to build the next client without a request.
   */
  static discover(issuer: string, config: DiscoveryConfig): Promise<OAuthClient>;
  /**
   * The RP-initiated logout URL (`end_session_endpoint`): send the user there to sign out at the
   * provider. `client_id` is always included.
   */
  logoutUrl(options?: LogoutOptions | null): string;
  /**
   * Revokes a token (RFC 7009), authenticated like token requests. Revoke the refresh token to end the
   * whole grant.
   */
  revoke(token: string, options?: RevokeOptions | null): Promise<void>;
  /**
   * Fetches the userinfo endpoint with the token set's access token (or the given one). The response's
   * `sub` must equal the ID token's (`subject_mismatch`); with a bare access token pass `subject`. A DPoP
   * client sends it as `Authorization: DPoP` with a proof (and retries once when the endpoint asks for a nonce).
   */
  userinfo(tokens: TokenSet | string, options?: UserinfoOptions | null): Promise<Record<string, unknown> & { sub: string }>;
}
export interface OAuthClient extends OAuthClientCore {}

/**
 * A PKCE pair: a fresh verifier (32 random bytes, base64url, 43 characters) and its S256 challenge, or
 * the challenge of a given verifier (`invalid_verifier` unless 43–128 unreserved characters).
 */
export function createPkce(verifier?: string | null): PkcePair;

/**
 * A DPoP key pair (ES256 by default, or `alg: "EdDSA"` for Ed25519 where the host has it; non-extractable),
 * made once and kept under `name` in the origin's IndexedDB where there is one, so that a reload keeps the
 * tokens' binding; elsewhere (Workers, Node) a new pair each call, for the caller to keep.
 * @throws OAuthClientError `unsupported_environment` (no WebCrypto, or not the algorithm), `invalid_config`
 * (another `alg`).
 */
export function createDpopKey(name?: string, options?: { alg?: "ES256" | "EdDSA" }): Promise<DpopKeyPair>;

/**
 * Whether `value` is an error thrown by this package (`OAuthClientError`, `AuthorizationResponseError` or
 * `TokenResponseError`).
 */
export function isOAuthError(value: unknown): value is OAuthError;
