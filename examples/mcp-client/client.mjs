// An MCP client that authenticates with pkce-wasm/mcp and does the MCP handshake over Streamable HTTP:
// `initialize`, `tools/list`, then a call of the first tool, with the Bearer token (mcp.mjs).
//
//   node examples/mcp-client/client.mjs <mcp-server-url>      (after scripts/build.sh)
//
// Here the user agent is headless: it follows the authorization URL and takes the redirect (what an
// authorization server that needs no login, like the MCP conformance suite's, answers). An app opens a
// browser there and listens on its loopback redirect URI instead (tests/js/mcp.test.mjs signs in and
// consents at the embedded oidc-provider).
//
// The MCP conformance suite runs it with the server URL as its argument and, for pre-registered
// credentials, MCP_CONFORMANCE_CONTEXT (`{"client_id", "client_secret"}`).
import { OAuthClient } from "../../pkg/mcp/node.js";
import { connect } from "./mcp.mjs";

const server = process.argv[2];
if (!server) {
  console.error("usage: node examples/mcp-client/client.mjs <mcp-server-url>");
  process.exit(2);
}
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");
const config = { redirectUri: "http://127.0.0.1:8976/callback", storage: "memory" };
if (context.client_id) Object.assign(config, { clientId: context.client_id, clientSecret: context.client_secret });

async function userAgent(pending) {
  const res = await fetch(pending.url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const location = res.headers.get("location");
  if (res.status < 300 || res.status >= 400 || !location) throw new Error(`authorization answered ${res.status}`);
  return new URL(location, pending.url).href;
}

try {
  const mcp = await connect(server, {
    OAuthClient,
    userAgent,
    config,
    options: {
      clientName: "pkce-wasm MCP example",
      // The Client ID Metadata Document this client would publish (used where the server supports them).
      clientMetadataUrl: process.env.MCP_CLIENT_METADATA_URL ?? "https://conformance-test.local/client-metadata.json",
    },
  });
  console.log("connected:", mcp.serverName, mcp.version(), "authorization:", mcp.client?.mcp);
  const { tools } = await mcp.request("tools/list");
  console.log("tools:", tools.map((t) => t.name).join(", "));
  if (tools.length) {
    const result = await mcp.request("tools/call", { name: tools[0].name, arguments: {} });
    console.log("tool result:", JSON.stringify(result.content));
  }
} catch (e) {
  // The package's errors carry a code and a static message (never a secret).
  console.error("failed:", e.code ?? "", e.message);
  process.exit(1);
}
