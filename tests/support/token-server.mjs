// A token endpoint for tests, on 127.0.0.1 and an ephemeral port. Each test uses its own path prefix
// /t/<test-id>/<behaviour> and can read back what the server received with GET /log/<test-id>, so tests can
// assert what the client did NOT send. Run directly, it prints `listening <url>` and serves until killed.
import http from "node:http";
import { pathToFileURL } from "node:url";

const TOKEN = { access_token: "AT-secret-1", token_type: "Bearer", expires_in: 3600, scope: "openid profile" };

export async function startTokenServer() {
  const log = new Map(); // test id -> [{ method, path, headers, body }]
  const server = http.createServer((req, res) => {
    let body = "";
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size <= 65536) body += c;
    });
    req.on("end", () => handle(req, res, body));
  });
  const json = (res, status, value, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(typeof value === "string" ? value : JSON.stringify(value));
  };
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "authorization, content-type, accept",
    "access-control-allow-methods": "POST, GET, OPTIONS",
  };
  function handle(req, res, body) {
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    const [, kind, id, behaviour] = req.url.split("?")[0].split("/");
    if (kind === "log" && req.method === "GET") return json(res, 200, log.get(id) ?? []);
    if (kind !== "t" || !id) return json(res, 404, { error: "not_found" });
    if (!log.has(id)) log.set(id, []);
    log.get(id).push({ method: req.method, path: req.url, headers: req.headers, body });
    const form = Object.fromEntries(new URLSearchParams(body));
    switch (behaviour) {
      case "ok":
        return json(res, 200, {
          ...TOKEN,
          refresh_token: "RT-secret-1",
          id_token: "h.p.s",
          echo_grant_type: form.grant_type,
        });
      case "rotate":
        return json(res, 200, { ...TOKEN, refresh_token: `RT-rotated-${log.get(id).length}` });
      case "keep":
        return json(res, 200, TOKEN);
      case "rfc-error":
        return json(res, 400, { error: "invalid_grant", error_description: "<b>expired</b> code" });
      case "unauthorized":
        return json(res, 401, { error: "invalid_client" }, { "www-authenticate": 'Basic realm="t"' });
      case "html500":
        res.writeHead(500, { "content-type": "text/html" });
        return res.end("<html><body>Internal Server Error</body></html>");
      case "redirect302":
      case "redirect307": {
        const target = `http://127.0.0.1:${server.address().port}/t/${id}-attacker/ok`;
        res.writeHead(behaviour === "redirect302" ? 302 : 307, { location: target });
        return res.end();
      }
      case "slow":
        return setTimeout(() => json(res, 200, TOKEN), 3000);
      case "trickle": {
        res.writeHead(200, { "content-type": "application/json" });
        const text = JSON.stringify(TOKEN);
        let i = 0;
        const timer = setInterval(() => {
          if (i >= text.length || res.destroyed) {
            clearInterval(timer);
            return res.end();
          }
          res.write(text[i++]);
        }, 150);
        return;
      }
      case "huge":
        return json(res, 200, `{"access_token":"${"x".repeat(2 * 1024 * 1024)}","token_type":"bearer"}`);
      case "huge-chunked": {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`{"access_token":"`);
        for (let i = 0; i < 32; i++) res.write("x".repeat(65536));
        return res.end(`","token_type":"bearer"}`);
      }
      case "text-plain":
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end(JSON.stringify(TOKEN));
      case "error-in-200":
        return json(res, 200, { ...TOKEN, error: "invalid_grant" });
      default:
        return json(res, 404, { error: "unknown_behaviour" });
    }
  }
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    log: (id) => log.get(id) ?? [],
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await startTokenServer();
  console.log(`listening ${s.url}`);
}
