// `pkce-wasm/mcp`: the OAuth 2.1 + OpenID Connect client with MCP authorization.
import type { OAuthClient as FullClient, OAuthClientConfig, PendingAuthorization } from "../client.js";

export type * from "../client.js";
export { createDpopKey, createPkce, isOAuthError } from "../client.js";
export { default, initSync } from "../index.js";
export type { InitInput, InitOutput, SyncInitInput } from "../index.js";

/**
 * The configuration of an MCP client: a client's, without what the discovery decides (the endpoints and
 * the issuer). `clientId` (with `clientSecret` and `tokenEndpointAuthMethod` for a confidential client)
 * only for credentials registered beforehand; `scope` only to override the scope the server asks for.
 * Registered credentials are kept in `storage` (by default `"session"`; `"memory"` outside browsers),
 * per authorization server.
 */
export type McpClientConfig = Omit<
  OAuthClientConfig,
  "clientId" | "authorizationEndpoint" | "tokenEndpoint" | "issuer" | "jwksUri" | "userinfoEndpoint"
  | "endSessionEndpoint" | "revocationEndpoint"
> & { clientId?: string };

/** How the client presents itself to the MCP server's authorization server. */
export interface McpOptions {
  /** The `WWW-Authenticate` value of the MCP server's 401 (its `resource_metadata` and `scope` are used). */
  wwwAuthenticate?: string | null;
  /** `client_name` for dynamic client registration (default `pkce-wasm`). */
  clientName?: string;
  /**
   * The client's Client ID Metadata Document URL (`https:`, with a path): its `client_id` where the
   * authorization server advertises `client_id_metadata_document_supported`.
   */
  clientMetadataUrl?: string;
  /** `application_type` for dynamic registration; by default `native` for an `http:` loopback redirect URI, else `web`. */
  applicationType?: "web" | "native";
  /** `authorizeMcp` in a browser: go to the authorization server now (`login()`). */
  redirect?: boolean;
}

/** What an MCP discovery found. */
export interface McpFound {
  /** The RFC 8707 resource sent in every authorization and token request (absent for a 2025-03-26 server). */
  resource?: string;
  /** The scope asked for (challenge, else the resource's `scopes_supported`; `offline_access` where advertised). */
  scope?: string;
  /** How the client got its id. */
  registration: "pre-registered" | "metadata-document" | "stored" | "registered";
}

/** An OAuth 2.1 client, with the MCP discovery. */
export class OAuthClient extends FullClient {
  /**
   * MCP authorization discovery for the MCP server at `serverUrl`: its RFC 9728 protected resource
   * metadata (from the challenge's `resource_metadata`, else the well-known URLs; its `resource` must
   * name the server: `resource_mismatch`), its authorization server's metadata in the MCP order (exact
   * `issuer`: `issuer_mismatch`; `S256` listed: `pkce_unsupported`), then the client's credentials
   * (pre-registered, a Client ID Metadata Document, stored, or RFC 7591 dynamic registration). Redirects
   * on any of these requests are refused (`invalid_response`). The client has the scope and the
   * `resource` parameter set.
   */
  static discoverMcp(serverUrl: string, config: McpClientConfig, options?: McpOptions | null): Promise<OAuthClient>;
  /** What the MCP discovery found (absent on other clients). */
  readonly mcp: McpFound | undefined;
  /**
   * After a 403 whose challenge (`wwwAuthenticate`) has `error="insufficient_scope"`: the union of this
   * client's scope and the challenge's, which becomes this client's scope for the next authorization.
   * `attempts`: the step-ups this request already had; from 2 on, `step_up_limit`. `invalid_challenge`
   * when the challenge asks for no scope.
   */
  stepUp(wwwAuthenticate: string, attempts: number): string;
}

/** What `clientMetadataDocument` serves. */
export interface ClientMetadataDocument {
  client_id: string;
  client_name: string;
  redirect_uris: string[];
  grant_types: ["authorization_code", "refresh_token"];
  response_types: ["code"];
  token_endpoint_auth_method: "none";
}

/**
 * The Client ID Metadata Document to serve (as JSON) at `clientId`, an `https:` URL with a path: the
 * `clientMetadataUrl` of `discoverMcp`. `invalid_config` for a URL that cannot be one, no redirect URI or
 * an invalid one.
 */
export function clientMetadataDocument(options: { clientId: string; clientName: string; redirectUris: string[] }): ClientMetadataDocument;

/**
 * "A token for this MCP server": `OAuthClient.discoverMcp`, then the authorization. With
 * `options.redirect` (browsers) the window goes to the authorization server and `handleCallback()` on the
 * callback page finishes; otherwise the pending authorization comes back: send the user to `pending.url`
 * and finish with `client.handleCallback(callbackUrl, pending)`.
 */
export function authorizeMcp(
  serverUrl: string,
  config: McpClientConfig,
  options?: McpOptions | null,
): Promise<{ client: OAuthClient; pending?: PendingAuthorization }>;
