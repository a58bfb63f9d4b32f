// Benchmarks pkce-wasm against the libraries users would pick instead (bench/package.json pins them).
// Every entry first runs the whole job once against a local token endpoint on 127.0.0.1; only entries that
// work are measured. Figures: shipped size (esbuild bundle; raw, gzip -9, brotli -q 11), per-login CPU
// (steps 1+2, warm, alternating), cold start (fresh Node process to the first authorization URL), and
// callback + exchange overhead over a raw fetch. Writes bench/results.md and bench/chart.svg.
//   bash bench/run.sh   (ROUNDS, COLD_RUNS and EXCHANGES adjust the effort)
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { build } from "esbuild";
import http from "node:http";
import { chromium } from "playwright-core";
import { startAdversarialServer } from "../tests/adversarial/server.mjs";
import { CHROMIUM } from "../tests/support/chromium.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const COLD_RUNS = Number(process.env.COLD_RUNS ?? 15);
const EXCHANGES = Number(process.env.EXCHANGES ?? 300);
// appauth last: its entry defines `window` for its own crypto helper, which no other entry should see while loading.
const ENTRIES = ["pkce-wasm", "pkce-wasm-oauth", "handwritten", "oauth4webapi", "openid-client", "arctic", "badgateway", "oidc-client-ts", "appauth"];
// Browser-only: proven and measured in Chromium only.
const BROWSER_ONLY = ["auth0-spa-js"];
const NOT_MEASURED = {};
const PACKAGE = { "auth0-spa-js": "@auth0/auth0-spa-js", "pkce-wasm": "pkce-wasm", "pkce-wasm-oauth": "pkce-wasm/oauth", handwritten: "(hand-written WebCrypto + fetch)", badgateway: "@badgateway/oauth2-client", appauth: "@openid/appauth" };
const pkg = (e) => PACKAGE[e] ?? e;
const version = (e) => {
  if (e === "handwritten") return "-";
  if (e.startsWith("pkce-wasm")) return JSON.parse(readFileSync(path.join(here, "../pkg/package.json"))).version;
  return JSON.parse(readFileSync(path.join(here, "node_modules", pkg(e), "package.json"))).version;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// @openid/appauth 1.4.0 ships ESM with extensionless imports, which only bundlers resolve: in Node its entry
// runs as an esbuild bundle (what an app would ship anyway).
const BUNDLE_FOR_NODE = new Set(["appauth"]);
const nodeModule = {};
async function modulePath(e) {
  if (nodeModule[e]) return nodeModule[e];
  let file = path.join(here, "entries", `${e}.mjs`);
  if (BUNDLE_FOR_NODE.has(e)) {
    const outfile = path.join(here, ".cache", `${e}.node.mjs`);
    await build({ entryPoints: [file], bundle: true, format: "esm", platform: "node", target: "node22", outfile, logLevel: "error" });
    file = outfile;
  }
  return (nodeModule[e] = file);
}
const load = async (e) => import(pathToFileURL(await modulePath(e)).href);

const server = await startAdversarialServer();
// Behaviour prefixes: OIDC-only clients get an ID token from the token endpoint.
const OIDC = new Set(["oidc-client-ts", "auth0-spa-js"]);
// `tag` keeps each runtime's requests apart in the server's log.
const cfg = (e, plain = "rotate", tag = "node") => {
  const behaviour = OIDC.has(e) ? `oidc-${plain}` : plain;
  return {
  issuer: "https://idp.example", authorizationEndpoint: "https://idp.example/authorize", clientId: "bench",
  tokenEndpoint: `${server.url}/t/${tag}-${e}-${behaviour}/${behaviour}`, redirectUri: "https://app.example/callback", scope: "api:read offline_access",
  };
};

// Each entry bundled for the browser (the size figure, and the Chromium runs).
const out = mkdtempSync(path.join(tmpdir(), "pkce-bench-"));
for (const e of [...ENTRIES, ...BROWSER_ONLY]) {
  await build({ entryPoints: [path.join(here, "entries", `${e}.mjs`)], bundle: true, minify: true, format: "esm", platform: "browser", target: "es2022", treeShaking: true, outfile: path.join(out, `${e}.js`), logLevel: "error", external: ["*.wasm"] });
}
copyFileSync(path.join(here, "../pkg/pkce_wasm_bg.wasm"), path.join(out, "pkce_wasm_bg.wasm"));
copyFileSync(path.join(here, "../pkg/oauth/pkce_wasm_bg.wasm"), path.join(out, "pkce_wasm_oauth_bg.wasm"));

// 0. Prove each entry does the whole job, in Node.
const working = [];
const failing = {};
for (const e of ENTRIES) {
  try {
    const m = await load(e);
    const c = cfg(e);
    const s = await m.start(c);
    if (!new URL(s.url).searchParams.get("code_challenge")) throw new Error("no PKCE challenge in the URL");
    if (new URL(s.url).searchParams.get("code_challenge_method") !== "S256") throw new Error("not S256");
    const tokens = await m.finish(c, `${c.redirectUri}?code=bench-code&state=${encodeURIComponent(s.state)}`, s);
    const fresh = await m.refresh(c, tokens);
    const at = (t) => t.access_token ?? t.accessToken;
    if (!at(tokens) || !at(fresh)) throw new Error("no access token");
    const forged = await m.finish(cfg(e, "keep"), `${c.redirectUri}?code=bench-code&state=forged`, s).then(() => "accepted", () => "rejected");
    const requests = server.log(c.tokenEndpoint.split("/t/")[1].split("/")[0]).map((r) => new URLSearchParams(r.body).get("grant_type"));
    if (requests.join() !== "authorization_code,refresh_token") throw new Error(`unexpected requests ${requests}`);
    working.push({ e, forged });
    console.log(`proved: ${e} (a forged state is ${forged})`);
  } catch (err) {
    console.log(`NOT WORKING, not measured: ${e}: ${err.message}`);
    failing[pkg(e)] = `the entry failed the whole-job run (${err.message}); not measured until it works`;
  }
}

// 2. Per-login CPU (steps 1+2), warm, the libraries alternating round by round.
const mods = Object.fromEntries(await Promise.all(working.map(async ({ e }) => [e, await load(e)])));
const opsPerSec = Object.fromEntries(working.map(({ e }) => [e, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const { e } of working) {
    const c = cfg(e);
    const end = performance.now() + 300;
    let n = 0;
    while (performance.now() < end) {
      await mods[e].start(c);
      n++;
    }
    if (round > 0) opsPerSec[e].push(n / 0.3); // round 0 warms up
  }
}

// 3. Cold start: a fresh Node process until the first authorization URL (imports and wasm instantiation included).
const cold = {};
for (const { e } of working) {
  const runs = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const ms = execFileSync(process.execPath, [path.join(here, "cold.mjs"), pathToFileURL(await modulePath(e)).href], { encoding: "utf8", timeout: 30_000 }).trim();
    runs.push(Number(ms));
  }
  cold[e] = runs;
}
// 3b. The pkce-wasm entries' Node cold start by phase (bench/cold-phases.mjs): where the time goes.
// Each pkce-wasm entry's package directory, and its core's name in the browser bundle's directory.
const PHASE_ENTRIES = {
  "pkce-wasm": { dir: "../pkg", wasm: "pkce_wasm_bg.wasm" },
  "pkce-wasm-oauth": { dir: "../pkg/oauth", wasm: "pkce_wasm_oauth_bg.wasm" },
};
const NODE_PHASES = ["startup", "import", "read", "compile", "instantiate", "first", "total"];
const CHROMIUM_PHASES = ["import", "fetch", "body", "compile", "instantiate", "first", "total"];
const phasesNode = {};
for (const [e, { dir }] of Object.entries(PHASE_ENTRIES)) {
  phasesNode[e] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const out = execFileSync(process.execPath, [path.join(here, "cold-phases.mjs"), path.join(here, dir)], { encoding: "utf8", timeout: 30_000 });
    phasesNode[e].push(JSON.parse(out));
  }
}

// 4. Callback + exchange overhead over a raw fetch to the same endpoint. Warm-up first; then, per library, a
// raw-fetch baseline and the library's exchanges alternate sample by sample, so both see the same machine.
const rawOnce = async () => {
  const t = performance.now();
  const res = await fetch(cfg("raw", "keep").tokenEndpoint, { method: "POST", body: "grant_type=authorization_code&code=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
  await res.json();
  return (performance.now() - t) * 1000;
};
const exchange = {};
const rawUs = [];
for (const { e } of working) {
  const c = cfg(e, "keep");
  const once = async () => {
    const s = await mods[e].start(c);
    const cb = `${c.redirectUri}?code=bench-code&state=${encodeURIComponent(s.state)}`;
    const t = performance.now();
    await mods[e].finish(c, cb, s);
    return (performance.now() - t) * 1000;
  };
  for (let i = 0; i < 50; i++) await Promise.all([rawOnce(), once()].map((p) => p)); // warm-up
  const lib = [];
  const raw = [];
  for (let i = 0; i < EXCHANGES; i++) {
    raw.push(await rawOnce());
    lib.push(await once());
  }
  rawUs.push(median(raw));
  exchange[e] = median(lib) - median(raw);
}
// 5. Chromium (headless, Debian's): prove each entry, then cold start and per-login CPU.
const CHROMIUM_CFG = (e, plain = "rotate") => cfg(e, plain, "chromium");
const pages = http.createServer(async (req, res) => {
  const name = new URL(req.url, "http://x").pathname.slice(1);
  if (name === "" || name === "blank.html") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>bench</title>");
  let body;
  try {
    body = readFileSync(path.join(out, path.basename(name)));
  } catch {
    return res.writeHead(404).end(); // e.g. a favicon request: read first, so the status is sent once
  }
  res.writeHead(200, { "content-type": name.endsWith(".wasm") ? "application/wasm" : "text/javascript" }).end(body);
});
await new Promise((resolve) => pages.listen(0, "127.0.0.1", resolve));
const pagesUrl = `http://127.0.0.1:${pages.address().port}`;
const browser = await chromium.launch({ ...CHROMIUM, headless: true });
const newPage = async () => {
  const context = await browser.newContext(); // fresh cache each time
  // auth0-spa-js talks to https://<domain>/oauth/token: forward those requests to the local token endpoint.
  await context.route("https://idp.example/oauth/token", async (route) => {
    route.fulfill({ response: await route.fetch({ url: CHROMIUM_CFG("auth0-spa-js").tokenEndpoint }) });
  });
  const page = await context.newPage();
  await page.goto(`${pagesUrl}/blank.html`);
  return { page, close: () => context.close() };
};
const browserWorking = [];
for (const e of [...ENTRIES, ...BROWSER_ONLY]) {
  const { page, close } = await newPage();
  try {
    const c = CHROMIUM_CFG(e);
    const result = await page.evaluate(async ({ e, c }) => {
      const m = await import(`/${e}.js`);
      await m.init();
      const s = await m.start(c);
      const code = s.nonce ? `bench-code.${s.nonce}` : "bench-code";
      const tokens = await m.finish(c, `${c.redirectUri}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(s.state)}`, s);
      const fresh = await m.refresh(c, tokens);
      const at = (t) => t.access_token ?? t.accessToken;
      return { ok: !!at(tokens) && !!at(fresh), url: s.url };
    }, { e, c });
    if (!result.ok) throw new Error("no access token");
    if (new URL(result.url).searchParams.get("code_challenge_method") !== "S256") throw new Error("not S256");
    const grants = server.log(c.tokenEndpoint.split("/t/")[1].split("/")[0]).map((r) => new URLSearchParams(r.body).get("grant_type"));
    if (grants.join() !== "authorization_code,refresh_token") throw new Error(`unexpected requests ${grants}`);
    browserWorking.push(e);
    console.log(`proved in Chromium: ${e}`);
  } catch (err) {
    console.log(`NOT WORKING in Chromium, not measured there: ${e}: ${err.message.split("\n")[0]}`);
    failing[`${pkg(e)} (Chromium)`] = `the entry failed the whole-job run in Chromium (${err.message.split("\n")[0]}); not measured there`;
  } finally {
    await close();
  }
}
const coldChromium = {};
for (const e of browserWorking) {
  coldChromium[e] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const { page, close } = await newPage();
    coldChromium[e].push(await page.evaluate(async ({ e, c }) => {
      const t0 = performance.now();
      const m = await import(`/${e}.js`);
      await m.init();
      await m.start(c);
      return performance.now() - t0;
    }, { e, c: CHROMIUM_CFG(e) }));
    await close();
  }
}
// The pkce-wasm entries' Chromium cold start by phase, each in a fresh context: the bundle imported, the
// .wasm's response (headers) and body, compiled, instantiated, then the first client and URL (where the
// browser compiles the functions that run, lazily). The figure above streams the compilation instead.
const phasesChromium = {};
for (const e of browserWorking.filter((e) => PHASE_ENTRIES[e])) {
  phasesChromium[e] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const { page, close } = await newPage();
    phasesChromium[e].push(await page.evaluate(async ({ e, c, wasm, names }) => {
      const t = [performance.now()];
      const m = await import(`/${e}.js`);
      t.push(performance.now());
      const res = await fetch(`/${wasm}`);
      t.push(performance.now());
      const bytes = await res.arrayBuffer();
      t.push(performance.now());
      const module = await WebAssembly.compile(bytes);
      t.push(performance.now());
      m.initSync({ module });
      t.push(performance.now());
      await m.start(c);
      t.push(performance.now());
      return Object.fromEntries(names.map((n, i) => [n, n === "total" ? t[6] - t[0] : t[i + 1] - t[i]]));
    }, { e, c: CHROMIUM_CFG(e), wasm: PHASE_ENTRIES[e].wasm, names: CHROMIUM_PHASES }));
    await close();
  }
}
const opsChromium = Object.fromEntries(browserWorking.map((e) => [e, []]));
{
  const { page, close } = await newPage();
  const r = await page.evaluate(async ({ names, cfgs, rounds }) => {
    const mods = {};
    for (const e of names) {
      mods[e] = await import(`/${e}.js`);
      await mods[e].init();
    }
    const ops = Object.fromEntries(names.map((e) => [e, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const e of names) {
        const end = performance.now() + 300;
        let n = 0;
        while (performance.now() < end) {
          await mods[e].start(cfgs[e]);
          n++;
        }
        if (round > 0) ops[e].push(n / 0.3);
      }
    }
    return ops;
  }, { names: browserWorking, cfgs: Object.fromEntries(browserWorking.map((e) => [e, CHROMIUM_CFG(e)])), rounds: ROUNDS });
  Object.assign(opsChromium, r);
  await close();
}
const chromiumVersion = browser.version();
await browser.close();
pages.close();

await server.close();

// 1. Shipped size: each entry bundled for the browser.
const size = {};
const proven = [...ENTRIES, ...BROWSER_ONLY].filter((e) => working.some((w) => w.e === e) || browserWorking.includes(e));
for (const e of proven) {
  const file = path.join(out, `${e}.js`);
  const parts = [readFileSync(file)];
  if (e === "pkce-wasm") parts.push(readFileSync(path.join(here, "../pkg/pkce_wasm_bg.wasm")));
  if (e === "pkce-wasm-oauth") parts.push(readFileSync(path.join(here, "../pkg/oauth/pkce_wasm_bg.wasm")));
  const sum = (f) => parts.reduce((t, b) => t + f(b), 0);
  size[e] = {
    raw: sum((b) => b.length),
    gzip: sum((b) => gzipSync(b, { level: 9 }).length),
    brotli: sum((b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length),
  };
}
rmSync(out, { recursive: true, force: true });



// Report.
const base = (obj, f) => f(obj["pkce-wasm"]);
const fmt = (n, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const lines = [];
lines.push("# Benchmarks: pkce-wasm and the libraries users would pick instead", "");
lines.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0].model.trim()}, Node ${process.versions.node}, esbuild ${(await import("esbuild")).version}. Reproduce: \`bash bench/run.sh\`. Every entry in \`bench/entries/\` first ran the whole job (verifier, S256 challenge, state, authorization URL, state check, code exchange, refresh) against a local token endpoint; the tables only list entries that did.`, "");
lines.push("## Shipped size", "", "Each entry bundled with `esbuild --bundle --minify --format=esm --platform=browser --target=es2022`; pkce-wasm adds its `.wasm`. Bytes.", "");
lines.push("| library | version | raw | gzip -9 | brotli -q 11 | brotli vs pkce-wasm |", "|---|---|---|---|---|---|");
for (const e of proven) lines.push(`| ${pkg(e)} | ${version(e)} | ${fmt(size[e].raw)} | ${fmt(size[e].gzip)} | ${fmt(size[e].brotli)} | ${fmt(size[e].brotli / base(size, (s) => s.brotli), 2)}× |`);
lines.push("", "## Per-login CPU (steps 1+2: verifier, S256 challenge, state, authorization URL), Node", "", `Warm; ${ROUNDS} rounds of 300 ms per library, libraries alternating. Operations per second.`, "");
lines.push("| library | median | min–max | pkce-wasm vs this |", "|---|---|---|---|");
for (const { e } of working) lines.push(`| ${pkg(e)} | ${fmt(median(opsPerSec[e]))} | ${fmt(Math.min(...opsPerSec[e]))}–${fmt(Math.max(...opsPerSec[e]))} | ${fmt(base(opsPerSec, median) / median(opsPerSec[e]), 2)}× |`);
lines.push("", "## Cold start, Node", "", `A fresh \`node\` process until the first authorization URL, imports and wasm instantiation included (median of ${COLD_RUNS}). Milliseconds since process start.`, "");
lines.push("| library | median | min–max |", "|---|---|---|");
for (const { e } of working) lines.push(`| ${pkg(e)} | ${fmt(median(cold[e]), 1)} | ${fmt(Math.min(...cold[e]), 1)}–${fmt(Math.max(...cold[e]), 1)} |`);
lines.push("", "### By phase (pkce-wasm)", "", `The same cold start split (\`bench/cold-phases.mjs\`, median of ${COLD_RUNS} fresh processes): Node's own start until the script runs, the JavaScript (shell and loader) imported, the \`.wasm\` read, compiled (\`new WebAssembly.Module\`) and instantiated, then the first client and authorization URL. Milliseconds.`, "");
lines.push("| entry | node start | import | read | compile | instantiate | first call | total |", "|---|---|---|---|---|---|---|---|");
const mid = (runs, k) => fmt(median(runs.map((r) => r[k])), 2);
for (const e of Object.keys(phasesNode)) lines.push(`| ${pkg(e)} | ${NODE_PHASES.map((k) => mid(phasesNode[e], k)).join(" | ")} |`);
lines.push("", "## Callback + exchange overhead over a raw fetch, Node", "", `Median time of the callback check and code exchange against the local token endpoint, minus the median of raw \`fetch\` POSTs to it interleaved with them (${fmt(Math.min(...rawUs))}–${fmt(Math.max(...rawUs))} µs); ${EXCHANGES} exchanges each after a warm-up. Microseconds.`, "");
lines.push("| library | overhead |", "|---|---|");
for (const { e } of working) lines.push(`| ${pkg(e)} | ${fmt(exchange[e])} |`);
lines.push("", `## Cold start, headless Chromium ${chromiumVersion}`, "", `A fresh browser context (empty cache) per run: from the start of the module import to the first authorization URL, wasm fetch and instantiation included (median of ${COLD_RUNS}). Milliseconds.`, "");
lines.push("| library | median | min–max |", "|---|---|---|");
for (const e of browserWorking) lines.push(`| ${pkg(e)} | ${fmt(median(coldChromium[e]), 1)} | ${fmt(Math.min(...coldChromium[e]), 1)}–${fmt(Math.max(...coldChromium[e]), 1)} |`);
lines.push("", "### By phase (pkce-wasm)", "", `Each in a fresh context (median of ${COLD_RUNS}): the bundle imported, the \`.wasm\` requested (until its response headers) and its body read, compiled (\`WebAssembly.compile\`, not streamed) and instantiated, then the first client and authorization URL, where the browser compiles the functions that run (lazily, on first call). Milliseconds.`, "");
lines.push("| entry | import | fetch | body | compile | instantiate | first call | total |", "|---|---|---|---|---|---|---|---|");
for (const e of Object.keys(phasesChromium)) lines.push(`| ${pkg(e)} | ${CHROMIUM_PHASES.map((k) => mid(phasesChromium[e], k)).join(" | ")} |`);
lines.push("", `## Per-login CPU, headless Chromium ${chromiumVersion}`, "", `Warm, in one page; ${ROUNDS} rounds of 300 ms per library, libraries alternating. Operations per second.`, "");
lines.push("| library | median | min–max | pkce-wasm vs this |", "|---|---|---|---|");
for (const e of browserWorking) lines.push(`| ${pkg(e)} | ${fmt(median(opsChromium[e]))} | ${fmt(Math.min(...opsChromium[e]))}–${fmt(Math.max(...opsChromium[e]))} | ${fmt(median(opsChromium["pkce-wasm"]) / median(opsChromium[e]), 2)}× |`);
lines.push("", "## Not measured", "");
for (const [k, v] of Object.entries({ ...NOT_MEASURED, ...failing })) lines.push(`- ${k}: ${v}.`);
for (const { e, forged } of working) if (forged === "accepted") lines.push(`- Note: the ${pkg(e)} entry accepted a callback with a forged \`state\`.`);
lines.push("");
writeFileSync(path.join(here, "results.md"), lines.join("\n"));

// A bar chart of brotli size and of per-login cost (µs per operation), pkce-wasm highlighted.
const bars = (title, values, unit, x0, w) => {
  const max = Math.max(...values.map(([, v]) => v));
  const rows = values.map(([k, v], i) => {
    const y = 40 + i * 26;
    const len = Math.max(1, (v / max) * (w - 170));
    const color = k.startsWith("pkce-wasm") ? "#2456d6" : "#9aa5b8";
    return `<text x="${x0}" y="${y + 13}" font-size="12">${k}</text><rect x="${x0 + 120}" y="${y}" width="${len.toFixed(1)}" height="18" fill="${color}"/><text x="${(x0 + 124 + len).toFixed(1)}" y="${y + 13}" font-size="11">${fmt(v, v < 10 ? 1 : 0)} ${unit}</text>`;
  });
  return `<text x="${x0}" y="22" font-size="14" font-weight="bold">${title}</text>${rows.join("")}`;
};
const label = (e) => (e === "handwritten" ? "hand-written" : e);
const sizeRows = proven.map((e) => [label(e), size[e].brotli / 1024]);
const cpuRows = browserWorking.map((e) => [label(e), 1e6 / median(opsChromium[e])]);
const height = 60 + proven.length * 26;
writeFileSync(path.join(here, "chart.svg"), `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="${height}" font-family="system-ui, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${bars("Shipped size (brotli, KiB; lower is better)", sizeRows, "KiB", 10, 470)}${bars("Per-login CPU, Chromium (µs per start; lower is better)", cpuRows, "µs", 490, 470)}</svg>\n`);
console.log(lines.join("\n"));
process.exit(0);
