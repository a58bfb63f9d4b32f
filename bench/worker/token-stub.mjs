// A minimal token endpoint for load tests: 127.0.0.1, ephemeral port, prints `listening <url>`.
import http from "node:http";
const body = JSON.stringify({ access_token: "at-bench", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-bench" });
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => console.log(`listening http://127.0.0.1:${server.address().port}`));
