// Serves the example app (www/) and the built package (pkg/) on 127.0.0.1, with a strict Content-Security-
// Policy and Referrer-Policy: no-referrer on every response. /callback is the app's redirect URI.
// `www` and `pkg` name other folders (relative to the repository), e.g. the Rust single-page app
// (examples/rust-spa/ with target/rust-spa/).
//   startApp({ port, config, www, pkg }) -> { origin, setConfig(config), close }
import http from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png" };
// 'wasm-unsafe-eval' lets the page compile its own .wasm; token requests may go to any https provider
// or to a loopback test server; nothing else is loaded from anywhere but this origin.
const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export async function startApp({ port = 0, config, www = "www", pkg = "pkg" } = {}) {
  const wwwDir = path.join(ROOT, www);
  const pkgDir = path.join(ROOT, pkg);
  let current = config;
  let rewriteCallback; // tests: turn the authorization server's redirect into a forged one

  const server = http.createServer(async (req, res) => {
    const headers = { "content-security-policy": CSP, "referrer-policy": "no-referrer", "x-content-type-options": "nosniff", "cache-control": "no-store" };
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    let file;
    const forged = pathname === "/callback" && rewriteCallback?.(new URL(req.url, "http://127.0.0.1"));
    if (forged) {
      res.writeHead(302, { ...headers, location: forged });
      return res.end();
    }
    if (pathname === "/" || pathname === "/callback" || pathname === "/index.html") file = path.join(wwwDir, "index.html");
    else if (pathname === "/config.json" && current) {
      res.writeHead(200, { ...headers, "content-type": TYPES[".json"] });
      return res.end(JSON.stringify(current));
    } else if (pathname.startsWith("/pkg/")) file = path.join(pkgDir, pathname.slice("/pkg/".length));
    else file = path.join(wwwDir, pathname);
    const allowed = [wwwDir + path.sep, pkgDir + path.sep];
    const type = TYPES[path.extname(file)];
    if (!type || !allowed.some((dir) => file.startsWith(dir)) || file.endsWith(".mjs")) {
      res.writeHead(404, { ...headers, "content-type": "text/plain" });
      return res.end("not found");
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "content-type": type });
      res.end(body);
    } catch {
      res.writeHead(404, { ...headers, "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    setConfig(c) { current = c; },
    /** Tests only: `fn(url)` returns a URL to redirect the callback to, or nothing to serve it. */
    setCallbackRewrite(fn) { rewriteCallback = fn; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** The example app's configuration for an embedded authorization server started by idp/server.mjs. */
export function appConfig(idp) {
  return {
    profile: `${idp.profile}: ${idp.label}`,
    issuer: idp.issuer,
    discovery: true,
    authorizationEndpoint: idp.endpoints.authorization,
    tokenEndpoint: idp.endpoints.token,
    clientId: "spa",
    scope: "openid profile email offline_access",
    ...(idp.profile === "auth0" ? { audience: "https://api.example.test" } : {}),
  };
}
