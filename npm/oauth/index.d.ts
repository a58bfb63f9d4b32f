// `pkce-wasm/oauth`: the OAuth 2.1 client alone, without OpenID Connect (ID token verification, discovery,
// userinfo, revocation, logout) and without the sealing helpers.
import type { OAuthClientConfig as FullConfig, OAuthClientCore } from "../client.js";

export type {
  AuthorizationOptions,
  AuthorizationResponseError,
  ExtraParams,
  OAuthClientCore,
  OAuthClientError,
  OAuthClientErrorCode,
  OAuthError,
  PendingAuthorization,
  PkcePair,
  ProviderMetadata,
  RefreshOptions,
  TokenEndpointAuthMethod,
  TokenResponseError,
  TokenSet,
  ValidatedCallback,
} from "../client.js";
export { createPkce, isOAuthError } from "../client.js";
export { default, initSync } from "../index.js";
export type { InitInput, InitOutput, SyncInitInput } from "../index.js";

/**
 * The configuration of an OAuth 2.1 client. The OpenID Connect members and `private_key_jwt` are refused
 * (`invalid_config`).
 */
export type OAuthClientConfig = Omit<
  FullConfig,
  "jwksUri" | "userinfoEndpoint" | "endSessionEndpoint" | "revocationEndpoint" | "clockToleranceSeconds"
  | "clientPrivateKey" | "clientKeyId" | "tokenEndpointAuthMethod" | "dpop"
> & {
  /** Default `"none"`, or `"client_secret_basic"` when `clientSecret` is set (`private_key_jwt` needs `pkce-wasm`). */
  tokenEndpointAuthMethod?: "none" | "client_secret_basic" | "client_secret_post";
};

/** An OAuth 2.1 Authorization Code + PKCE client for one authorization server (see `pkce-wasm`). */
export class OAuthClient {
  /**
   * Validates the configuration. Throws `OAuthClientError` `invalid_config`.
   */
  constructor(config: OAuthClientConfig);
}
export interface OAuthClient extends OAuthClientCore {}
