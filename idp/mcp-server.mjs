// A small MCP server (Streamable HTTP, JSON responses) as a protected resource on 127.0.0.1 for the
// tests: RFC 9728 metadata at the path-inserted well-known URL, a 401 with `WWW-Authenticate: Bearer
// resource_metadata=..., scope="mcp:read"` without a valid token, and a 403 `insufficient_scope` for
// `tools/call` without `mcp:write` (the step-up). Tokens are checked by the authorization server
// (`verify(token) -> { aud, scope } | null`); a token for another audience is refused.
//
// With `allowOrigin` (a web app's origin) it answers that origin's CORS requests, as a browser client needs.
//
//   startMcpServer({ issuer: () => url, verify, resourceOverride, allowOrigin, port }) -> { url, resource, log, close }
import http from "node:http";

export async function startMcpServer({ issuer, verify, resourceOverride, allowOrigin, port = 0 } = {}) {
  const log = []; // { method, auth: "none" | "ok" | "bad" | "scope", status }
  const server = http.createServer();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const resource = `${origin}/mcp`;
  const prm = `${origin}/.well-known/oauth-protected-resource/mcp`;
  const challenge = (extra = "") => `Bearer resource_metadata="${prm}", scope="mcp:read"${extra}`;

  server.on("request", async (req, res) => {
    const cors = allowOrigin && req.headers.origin === allowOrigin
      ? { "access-control-allow-origin": allowOrigin, "access-control-expose-headers": "www-authenticate, mcp-session-id", vary: "origin" }
      : {};
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...cors, "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "authorization, content-type, accept, mcp-protocol-version, mcp-session-id", "access-control-max-age": "60" });
      return res.end();
    }
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...cors, ...headers });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/.well-known/oauth-protected-resource/mcp") {
      return send(200, { resource: resourceOverride ?? resource, authorization_servers: [issuer()], scopes_supported: ["mcp:read", "mcp:write"], bearer_methods_supported: ["header"] });
    }
    if (req.method !== "POST" || req.url !== "/mcp") return send(404, { error: "not_found" });
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return send(400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
    const entry = { method: msg.method, auth: "none" };
    log.push(entry);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const info = token ? await verify(token) : null;
    if (!info || info.aud !== resource) {
      entry.auth = token ? "bad" : "none";
      entry.status = 401;
      return send(401, { error: "invalid_token" }, { "www-authenticate": challenge(token ? ', error="invalid_token"' : "") });
    }
    const scopes = String(info.scope ?? "").split(" ");
    if (msg.method === "tools/call" && !scopes.includes("mcp:write")) {
      entry.auth = "scope";
      entry.status = 403;
      return send(403, { error: "insufficient_scope" }, { "www-authenticate": `Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="${prm}"` });
    }
    entry.auth = "ok";
    entry.status = 200;
    const reply = (result) => send(200, { jsonrpc: "2.0", id: msg.id, result });
    switch (msg.method) {
      case "initialize":
        return reply({ protocolVersion: msg.params?.protocolVersion ?? "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "pkce-wasm-test-mcp", version: "1.0.0" } });
      case "notifications/initialized":
        entry.status = 202;
        res.writeHead(202, cors);
        return res.end();
      case "tools/list":
        return reply({ tools: [{ name: "whoami", description: "The token's client and scopes", inputSchema: { type: "object" } }] });
      case "tools/call":
        return reply({ content: [{ type: "text", text: `${info.clientId} ${info.scope}` }] });
      default:
        return send(200, { jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } });
    }
  });
  return { url: resource, resource, origin, log, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}
