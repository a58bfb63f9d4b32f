// `pkce-wasm/mcp`'s declarations (tsc --strict in scripts/test.sh): the MCP discovery, step-up and the
// high-level call. Never run.
import init, { OAuthClient, authorizeMcp, clientMetadataDocument, isOAuthError, type McpClientConfig, type McpFound, type McpOptions, type TokenSet } from "../../pkg/mcp/index.js";

type IsAny<T> = 0 extends 1 & T ? true : false;
export type NoAny = [IsAny<McpClientConfig>, IsAny<McpFound>, IsAny<Awaited<ReturnType<typeof authorizeMcp>>>] extends [false, false, false]
  ? true
  : never;
export const noAny: NoAny = true;

export async function flow(challenge: string, callbackUrl: string): Promise<TokenSet> {
  await init();
  const config: McpClientConfig = { redirectUri: "http://127.0.0.1:8976/callback", storage: "memory" };
  const options: McpOptions = { wwwAuthenticate: challenge, clientName: "app", applicationType: "native" };
  const client = await OAuthClient.discoverMcp("https://mcp.example/mcp", config, options);
  const found: McpFound | undefined = client.mcp;
  void found?.registration;
  const { pending } = await authorizeMcp("https://mcp.example/mcp", config, options);
  if (!pending) throw new Error("a browser redirect");
  try {
    const tokens = await client.handleCallback(callbackUrl, pending);
    const scope: string = client.stepUp('Bearer error="insufficient_scope", scope="a b"', 0);
    void scope;
    return tokens;
  } catch (e) {
    if (isOAuthError(e) && (e.code === "step_up_limit" || e.code === "resource_mismatch")) throw new Error(e.code);
    throw e;
  }
}

export function misuse(): void {
  // @ts-expect-error: the discovery decides the endpoints.
  const bad: McpClientConfig = { redirectUri: "x", tokenEndpoint: "https://idp.example/token" };
  void bad;
  // @ts-expect-error: applicationType is web or native.
  void OAuthClient.discoverMcp("https://mcp.example/mcp", { redirectUri: "x" }, { applicationType: "desktop" });
}

export const doc: string = clientMetadataDocument({ clientId: "https://app.example/c.json", clientName: "App", redirectUris: ["https://app.example/cb"] }).client_id;
