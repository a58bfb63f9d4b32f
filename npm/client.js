// The package's API: a driver for the wasm core's decision engine (pkce_wasm.js, built from src/js/mod.rs
// and src/engine.rs). The core decides everything: configuration, URLs, callback checks, which requests to
// send and exactly how (the whole RequestInit, the timeout, the body cap), what each response means, when
// the JWKS is refetched, which storage entries to read, write and remove, what the address bar keeps,
// and every error's code and message. The driver performs the steps the core asks for (fetch, storage,
// WebCrypto, the history entry, the navigation) and hands back what came of them. Keeping promises out
// of the wasm is what keeps the package small.
import { Core } from "./pkce_wasm.js";

// `import.meta.OIDC` is `false` in `pkce-wasm/oauth` (esbuild's `--define` in scripts/build.sh), whose core
// is built without the OpenID Connect operations; the minifier then drops the code behind each check.
// Likewise `import.meta.MCP` is `false` in `pkce-wasm` and `pkce-wasm/oauth`, whose cores have no MCP
// authorization (only `pkce-wasm/mcp` has). Unbundled sources have both undefined: everything on.

const NAMES = ["OAuthClientError", "AuthorizationResponseError", "TokenResponseError"];
const encoder = new TextEncoder();
const EMPTY = new Uint8Array();
const NULL = encoder.encode("null");
// The core's operations and flows (`op` and `flow` in src/js/mod.rs, pinned by tests/boundary.rs).
const INFO = 0, START = 1, VALIDATE = 2, PKCE = 3, ERROR = 4, LOGOUT = 5, FLIGHT = 6, BEGIN = 7, STEP = 8,
  STEP_UP = 9, DPOP_KEY = 10, CLIENT_METADATA = 11;
const EXCHANGE = 0, CALLBACK = 1, REFRESH = 2, LOGIN = 3, DISCOVER = 4, USERINFO = 5, REVOKE = 6, SESSION = 7,
  SIGN_OUT = 8, FORGET = 9, MCP = 10, AUTHORIZE = 11, DPOP_PROOF = 12;

/**
 * The one conversion: the core's error JSON → an `Error` with `name`, `code` and the RFC fields (and, for a
 * network failure, the host's error as the standard `cause`).
 */
function toError(json, cause) {
  const { message, ...fields } = JSON.parse(json);
  return Object.assign(new Error(message, cause && { cause }), fields);
}

/** The core for the operations that need no client (created after the wasm is initialised). */
let free;

/**
 * Runs operation `op` of a core (by default the client-less one) on `args`, an array of strings, integers,
 * booleans and absent values, and `body`, a response body. The core answers `+` and the result, or `!` and
 * an error's JSON text, which is thrown as the typed error (with `cause`, the host's error behind it).
 */
function call(op, args, body = EMPTY, core = (free ??= new Core(NULL, NULL)), cause) {
  let text;
  try {
    text = JSON.stringify(args);
  } catch {
    throw fail("invalid_config"); // a BigInt or a cycle among the caller's values
  }
  const random = entropy();
  let out;
  try {
    out = core.call(op, encoder.encode(text), body, random);
  } finally {
    random.fill(0); // used once, and not left behind in the pool
  }
  if (out[0] === "!") throw toError(out.slice(1), cause);
  return out.slice(1);
}

const fail = (code) => toError(call(ERROR, [code]));

/**
 * The next call's entropy (the core imports nothing): 256 fresh bytes of `crypto.getRandomValues`, drawn
 * 64 calls' worth at a time (one host call instead of one per core call), each byte handed out once and
 * wiped after its call; none where there is no WebCrypto, which the core answers with `random_unavailable`
 * when it needs some.
 */
let pool = EMPTY;
let drawn = 0;
function entropy() {
  if (drawn >= pool.length) {
    try {
      (pool = crypto.getRandomValues(new Uint8Array(256 * 64))), (drawn = 0);
    } catch {
      return EMPTY;
    }
  }
  return pool.subarray(drawn, (drawn += 256));
}

/**
 * An argument for the core, as JSON text: absent is `null`; a non-finite number stays wrong (`[{}]`, which
 * no member of any type accepts, where `"NaN"` would pass for a string and `[]` for no parameter values).
 * `JSON.stringify` writes those as `null`, so only a text with a `null` in it is written again with the
 * (slower) replacer that keeps them wrong.
 */
function arg(value, code = "invalid_config") {
  try {
    const text = JSON.stringify(value ?? null);
    return text.includes("null") ? JSON.stringify(value ?? null, (_, v) => (typeof v === "number" && !isFinite(v) ? [{}] : v)) : text;
  } catch {
    throw fail(code); // cycles, BigInt
  }
}

const now = () => Math.floor(Date.now() / 1000);

function cancel(stream) {
  stream?.cancel().catch(() => {});
}

/** The browser window, or `unsupported_environment` (workers, Workers, Node, Deno, Bun). */
function browser() {
  const w = globalThis.window;
  if (!w?.location || !w.history) throw fail("unsupported_environment");
  return w;
}

/** `storage: "memory"`: this module's memory (a page load), shared by its clients, as in Rust. */
const memory = new Map();

/** The refreshes in flight, by the core's flight key (this module's, shared by its clients, as in Rust). */
const flights = new Map();

/**
 * The origin's IndexedDB key-value store, for `storage: "shared"`: one connection, let go when the browser
 * closes it (the site's data cleared) or another page asks (a version change, a deletion), so that the
 * next transaction opens a new one (as the Rust API's `src/io/idb.rs`). `op` runs in one transaction.
 */
let idb;
function kv(mode, op) {
  idb ??= new Promise((ok, fail) => {
    const open = indexedDB.open("pkce-wasm", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("kv");
    open.onsuccess = () => {
      const db = open.result;
      db.onclose = db.onversionchange = () => (db.close(), (idb = undefined));
      ok(db);
    };
    open.onerror = () => fail(open.error);
  }).catch((e) => {
    idb = undefined;
    throw e;
  });
  return idb.then((db) => new Promise((ok, fail) => {
    const tx = db.transaction("kv", mode);
    const request = op(tx.objectStore("kv"));
    tx.oncomplete = () => ok(request?.result);
    tx.onerror = tx.onabort = () => fail(tx.error);
  }));
}

/** The storage a step names: a `Storage`, IndexedDB, or the caller's session store (`get`, `set`, `remove`). */
function storage(kind, ctx) {
  // IndexedDB: a store step's removals and its write in one transaction.
  if (kind === "shared") return { getItem: (k) => kv("readonly", (s) => s.get(k)),
    store: (remove, set) => kv("readwrite", (s) => (remove.forEach((k) => s.delete(k)), set && s.put(set[1], set[0]))) };
  if (kind === "custom") return { getItem: (k) => ctx.store.get(k), setItem: (k, v) => ctx.store.set(k, v), removeItem: (k) => ctx.store.remove(k) };
  if (kind === "memory") return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, v),
    removeItem: (k) => memory.delete(k), entries: () => memory.entries() };
  return globalThis.window[kind + "Storage"];
}

/** `AbortSignal.timeout(ms)`, or none where the host has no such signal. */
function timeout(ms) {
  try {
    return AbortSignal.timeout(ms);
  } catch {}
}

/**
 * Performs one step of the core for the client whose context is `ctx` (its event target, channel, store
 * and the lock it holds) and returns what came of it: `[input, body?, cause?]`. Failures are reported by
 * kind, never thrown: the core decides what they mean.
 */
async function perform(s, ctx) {
  switch (s.do) {
    case "fetch": {
      const signal = timeout(s.timeoutMs);
      if (!signal) return [["failed", "unsupported_environment"]];
      try {
        const res = await fetch(s.url, { ...s.init, signal });
        const type = res.headers.get("content-type") ?? undefined;
        let tooLarge = +res.headers.get("content-length") > s.maxBytes;
        const chunks = [];
        let size = 0;
        const reader = tooLarge ? cancel(res.body) : res.body?.getReader();
        for (let chunk; reader && !(chunk = await reader.read()).done; ) {
          chunks.push(chunk.value);
          if ((size += chunk.value.length) > s.maxBytes) {
            tooLarge = true;
            cancel(reader);
            break;
          }
        }
        const body = new Uint8Array(tooLarge ? 0 : size);
        if (!tooLarge) chunks.reduce((at, c) => (body.set(c, at), at + c.length), 0);
        const header = (name) => res.headers.get(name) ?? undefined;
        return [["response", res.status, type, tooLarge, header("dpop-nonce"), header("www-authenticate")], body];
      } catch (e) {
        // An aborted signal means the timeout fired, whatever the host called the rejection. The host's
        // error names no secret (the code, verifier and tokens only ever travel in request bodies).
        return signal.aborted ? [["failed", "timeout"]] : [["failed", "network_error"], EMPTY, e];
      }
    }
    case "verify": {
      const subtle = globalThis.crypto?.subtle;
      if (!subtle) return [["failed", "unsupported_environment"]];
      try {
        const key = await subtle.importKey("jwk", s.jwk, s.alg, false, ["verify"]);
        return [["verified", (await subtle.verify(s.alg, key, new Uint8Array(s.signature), encoder.encode(s.data))) === true]];
      } catch {
        return [["verified", false]];
      }
    }
    case "sign": {
      const subtle = globalThis.crypto?.subtle;
      if (import.meta.OIDC === false || !subtle) return [["failed", "unsupported_environment"]];
      try {
        return [["signed"], new Uint8Array(await subtle.sign(s.alg, s.key === "dpop" ? ctx.dpop : ctx.key, encoder.encode(s.data)))];
      } catch {
        return [["failed", "invalid_config"]]; // a key WebCrypto will not sign with
      }
    }
    case "list":
    case "read":
    case "store":
      try {
        const store = storage(s.storage, ctx);
        if (s.do === "store") {
          if (store.store) await store.store(s.remove, s.set);
          else {
            for (const key of s.remove) await store.removeItem(key);
            if (s.set) await store.setItem(...s.set);
          }
          return [["ok"]];
        }
        const entries = [];
        if (s.do === "read") {
          const value = await store.getItem(s.key);
          if (value != null) entries.push([s.key, String(value)]);
        }
        if (s.do === "list") {
          // A Storage by index, its values read for the prefix's keys only; the memory map by iteration.
          const all = store.entries?.() ?? Array.from({ length: store.length }, (_, i) => store.key(i))
            .filter((k) => k?.startsWith(s.prefix)).map((k) => [k, store.getItem(k)]);
          for (const [key, value] of all) if (key.startsWith(s.prefix)) entries.push([key, value]);
        }
        return [["entries"], encoder.encode(JSON.stringify(entries))];
      } catch {
        return [["failed", "storage_unavailable"]];
      }
    case "lock": {
      // The origin's tabs share the lock; a closed tab's is released by the browser. Without Web Locks
      // (Workers, Node) the page's own single flight is all there is.
      const locks = globalThis.navigator?.locks;
      if (!locks) return [["ok"]];
      const signal = timeout(s.timeoutMs);
      if (!signal) return [["failed", "unsupported_environment"]]; // as the Rust driver
      return new Promise((done) => {
        const held = () => (done([["ok"]]), new Promise((release) => (ctx.release = release)));
        locks.request(s.name, { signal }, held).catch(() => done([["failed", "timeout"]]));
      });
    }
    case "unlock":
      ctx.release?.();
      ctx.release = undefined;
      return [["ok"]];
    case "emit":
      ctx.target.dispatchEvent(new Event(s.event));
      if (s.broadcast) ctx.channel?.postMessage(s.event);
      return [["ok"]];
    case "replace":
    case "navigate":
      try {
        const w = browser();
        if (s.do === "replace") w.history.replaceState(w.history.state, "", s.url);
        else w.location.assign(s.url);
        return [["ok"]];
      } catch {
        return [["failed", "unsupported_environment"]];
      }
  }
}

export class OAuthClient extends EventTarget {
  #core;
  #info;
  /** What the steps need of this client: its event target, its tabs' channel, the caller's store. */
  #ctx = { target: this };

  constructor(config) {
    super();
    // The caller's session store stays here; the core hears only that there is one.
    const store = config?.session?.storage;
    if (store !== null && typeof store === "object") {
      this.#ctx.store = store;
      config = { ...config, session: { ...config.session, storage: "custom" } };
    }
    // Likewise the signing keys (a `private_key_jwt` client's, the DPoP pair's): they stay here, the core
    // hears their description (and the DPoP pair's public JWK).
    if (import.meta.OIDC !== false) {
      const { clientPrivateKey: key, clientKeyId, dpop, ...rest } = config ?? {};
      const describe = (k) => ({ algorithm: k?.algorithm, type: k?.type, usages: k?.usages });
      if (key != null) (this.#ctx.key = key), (rest.clientKey = { ...describe(key), kid: clientKeyId });
      if (dpop != null) (this.#ctx.dpop = dpop.privateKey), (rest.dpopKey = { ...describe(dpop.privateKey), jwk: dpop.publicJwk });
      if (config != null && typeof config === "object") config = rest;
    }
    // A rejected config makes a core that answers every call with its error, this first one included;
    // it is freed at once rather than left to the finalizer.
    this.#core = new Core(encoder.encode(arg(config)), discovering ?? NULL);
    try {
      this.#info = JSON.parse(this.#call(INFO, []));
    } catch (e) {
      this.#core.free();
      throw e;
    }
    // A sign-out in another tab ends this tab's session too.
    const name = this.#info.channel;
    if (name && typeof BroadcastChannel === "function") {
      const channel = (this.#ctx.channel = new BroadcastChannel(name));
      channel.onmessage = (m) => m.data === "signedout" && this.#run(FORGET, []).catch(() => {});
      channel.unref?.(); // Node: an open channel must not keep the process alive
    }
  }

  static async discover(issuer, config) {
    if (import.meta.OIDC === false || typeof issuer !== "string") throw fail("invalid_config");
    return OAuthClient.#discover(issuer, config, DISCOVER, []);
  }

  /**
   * MCP authorization discovery for the MCP server at `serverUrl`: its protected resource metadata (from
   * `options.wwwAuthenticate`, its 401's challenge, or the well-known URLs), its authorization server's
   * metadata, and this client's credentials there (`config.clientId`, a Client ID Metadata Document, a
   * stored registration, or dynamic registration). The client has the scope and `resource` set.
   */
  static async discoverMcp(serverUrl, config, options) {
    if (import.meta.MCP === false || typeof serverUrl !== "string") throw fail("invalid_config");
    return OAuthClient.#discover({ mcp: serverUrl }, config, MCP, [serverUrl, options?.wwwAuthenticate ?? null, arg(options)]);
  }

  /** A client made for a discovery (of `target`, checked before any request), then the discovery. */
  static async #discover(target, config, flow, args) {
    discovering = encoder.encode(arg(target));
    let client;
    try {
      client = new OAuthClient(config);
    } finally {
      discovering = undefined;
    }
    client.#info = await client.#run(flow, args);
    return client;
  }

  /** What an MCP discovery found: `{ resource, scope, registration }`. */
  get mcp() {
    return this.#info.mcp && { ...this.#info.mcp };
  }

  /**
   * The scope of a step-up authorization after a 403 `insufficient_scope` (`wwwAuthenticate`, its
   * challenge), the union of this client's scope and the new one; it becomes this client's scope.
   * `attempts`: the step-ups this request already had (`step_up_limit` from the limit on).
   */
  stepUp(wwwAuthenticate, attempts) {
    const scope = this.#call(STEP_UP, [String(wwwAuthenticate ?? ""), attempts]);
    if (this.#info.mcp) this.#info.mcp.scope = scope;
    return scope;
  }

  get metadata() {
    return { ...this.#info.metadata };
  }

  get clientId() {
    return this.#info.clientId;
  }

  get issuer() {
    return this.#info.metadata.issuer;
  }

  get dpopJkt() {
    return this.#info.dpopJkt;
  }

  startAuthorization(options) {
    return JSON.parse(this.#call(START, [arg(options), now()]));
  }

  /** `startAuthorization`, pushed first where configured (RFC 9126): the URL then has only `client_id` and `request_uri`. */
  async authorize(options) {
    return this.#run(AUTHORIZE, [arg(options)]);
  }

  /**
   * A DPoP proof (the `DPoP` header) for a request to a resource server with a DPoP-bound access token
   * (`Authorization: DPoP <token>`); `nonce`: the resource server's `DPoP-Nonce`, after its 401
   * `use_dpop_nonce` (retry once).
   */
  async dpopProof(method, url, accessToken, options) {
    if (import.meta.OIDC === false) throw fail("invalid_config");
    return this.#run(DPOP_PROOF, [String(method ?? ""), String(url ?? ""), typeof accessToken === "string" ? accessToken : "", arg(options)]);
  }

  validateCallback(url, pending) {
    return JSON.parse(this.#call(VALIDATE, [String(url), arg(pending, "invalid_pending"), now()]));
  }

  async exchangeCode(code, pending) {
    return this.#run(EXCHANGE, [typeof code === "string" ? code : "", arg(pending, "invalid_pending")]);
  }

  async handleCallback(url, pending) {
    const href = url == null ? browser().location.href : String(url);
    return this.#run(CALLBACK, [href, url == null, pending == null ? null : arg(pending, "invalid_pending")]);
  }

  refresh(tokens, options) {
    let key;
    try {
      key = this.#call(FLIGHT, [arg(tokens)]);
    } catch (e) {
      return Promise.reject(e);
    }
    let shared = flights.get(key);
    if (!shared) {
      flights.set(key, (shared = this.#run(REFRESH, [arg(tokens), arg(options)])));
      const done = () => flights.delete(key);
      shared.then(done, done);
    }
    return shared;
  }

  async login(options) {
    browser();
    await this.#run(LOGIN, [arg(options)]);
  }

  async userinfo(tokens, options) {
    if (import.meta.OIDC === false) throw fail("missing_endpoint");
    return this.#run(USERINFO, [arg(tokens), arg(options)]);
  }

  logoutUrl(options) {
    if (import.meta.OIDC === false) throw fail("missing_endpoint");
    return this.#call(LOGOUT, [arg(options)]);
  }

  async revoke(token, options) {
    if (import.meta.OIDC === false) throw fail("missing_endpoint");
    await this.#run(REVOKE, [typeof token === "string" ? token : "", arg(options)]);
  }

  /**
   * The managed session's access token, refreshed shortly before it expires: one refresh at a time in
   * this page and, through the Web Locks API, across the origin's tabs.
   */
  async getAccessToken() {
    return (await this.getSession()).access_token;
  }

  /** The managed session's token set, refreshed like `getAccessToken()`. */
  getSession() {
    const key = this.#info.sessionFlight;
    let shared = flights.get(key);
    if (!shared) {
      flights.set(key, (shared = this.#run(SESSION, [])));
      const done = () => flights.delete(key);
      shared.then(done, done);
    }
    return shared;
  }

  /** Ends the managed session: its refresh token revoked where configured, the session removed, every tab told. */
  async logout() {
    await this.#run(SIGN_OUT, []);
  }

  /** Runs flow `flow` of the core to its end: each step performed, and what came of it handed back. */
  async #run(flow, args) {
    let step = JSON.parse(this.#call(BEGIN, [flow, now(), ...args]));
    const ctx = { ...this.#ctx };
    try {
      while (step.do !== "done") {
        const [input, body, cause] = await perform(step, ctx);
        step = JSON.parse(call(STEP, [step.id, now(), ...input], body, this.#core, cause));
      }
    } finally {
      ctx.release?.(); // a lock never outlives its flow
    }
    return step.value;
  }

  #call(op, args) {
    return call(op, args, EMPTY, this.#core);
  }
}

/** What the client under construction is for (JSON text: the issuer, or `{ mcp }`), or none. */
let discovering;

/**
 * A DPoP key pair, non-extractable: ES256, or `options.alg: "EdDSA"` (Ed25519) where the host has it
 * (`unsupported_environment` where not). Made once and kept under `name` in the origin's IndexedDB where
 * there is one (so a reload keeps the tokens' binding); elsewhere (Workers, Node) a new one, for the
 * caller to keep. `{ privateKey, publicJwk }`, for the config's `dpop`.
 */
export async function createDpopKey(name, options) {
  if (import.meta.OIDC === false) throw fail("invalid_config");
  const { algorithm, usages, storageKey: key } = JSON.parse(call(DPOP_KEY, [typeof name === "string" ? name : "", String(options?.alg ?? "")]));
  const pair = (p) => (p?.privateKey && p?.publicJwk ? p : undefined);
  const stored = pair(globalThis.indexedDB ? await kv("readonly", (s) => s.get(key)).catch(() => {}) : undefined);
  if (stored) return stored;
  let made;
  try {
    const pair = await crypto.subtle.generateKey(algorithm, false, usages);
    made = { privateKey: pair.privateKey, publicJwk: await crypto.subtle.exportKey("jwk", pair.publicKey) };
  } catch {
    throw fail("unsupported_environment"); // no WebCrypto, or not this algorithm
  }
  // `add`, not `put`: a key another tab stored meanwhile (or one a failed read missed) is kept, and used.
  if (globalThis.indexedDB) made = pair(await kv("readwrite", (s) => s.add(made, key)).then(() => made, () => kv("readonly", (s) => s.get(key)).catch(() => {}))) ?? made;
  return made;
}

/**
 * The Client ID Metadata Document to publish at `clientId` (an `https:` URL with a path) for MCP
 * authorization servers that support them (`pkce-wasm/mcp`), as an object to serve as JSON.
 */
export function clientMetadataDocument({ clientId, clientName, redirectUris } = {}) {
  if (import.meta.MCP === false) throw fail("invalid_config");
  return JSON.parse(call(CLIENT_METADATA, [String(clientId ?? ""), String(clientName ?? ""), arg(redirectUris)]));
}

export function createPkce(verifier) {
  if (verifier != null && typeof verifier !== "string") throw fail("invalid_verifier");
  return JSON.parse(call(PKCE, [verifier]));
}

export function isOAuthError(value) {
  return value instanceof Error && typeof value.code === "string" && NAMES.includes(value.name);
}
