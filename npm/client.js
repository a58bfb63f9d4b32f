// The package's API: a thin shell around the synchronous wasm core (pkce_wasm.js, built from src/js/mod.rs).
// The core decides everything (configuration, URLs, callback checks, request bodies, response, ID token
// and key validation, and every error's code and message); the shell does the I/O the core cannot do
// synchronously: fetch, storage, WebCrypto signatures and the address bar. Keeping promises out of the
// wasm is what keeps the package small.
import { Core } from "./pkce_wasm.js";

// `import.meta.OIDC` is `false` in `pkce-wasm/oauth` (esbuild's `--define` in scripts/build.sh), whose core
// is built without the OpenID Connect operations; the minifier then drops the code behind each check.
// Unbundled sources have it undefined: everything on.

/** The largest response body read, in bytes; a larger one is `invalid_response` without reading further. */
const MAX_BODY = 1 << 20;
const NAMES = ["OAuthClientError", "AuthorizationResponseError", "TokenResponseError"];
const encoder = new TextEncoder();
const EMPTY = new Uint8Array();
// The core's operations (`op` in src/js/mod.rs): one export, so the generated glue stays small.
const INFO = 0, START = 1, VALIDATE = 2, EXCHANGE = 3, REFRESH = 4, TOKENS = 5, KEY = 6, USERINFO_REQUEST = 7,
  SUBJECT = 8, USERINFO = 9, REVOCATION = 10, LOGOUT = 11, CALLBACK_STATE = 12, DISCOVERY_URLS = 13,
  DISCOVERY = 14, PKCE = 15, ERROR = 16, REVOKED = 17, STRIP = 18;

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
 * Runs operation `op` of a core (by default the client-less one) on `args`, an array of strings, integers
 * and absent values, and `body`, a response body. The core answers `+` and the result, or `!` and an
 * error's JSON text, which is thrown as the typed error.
 */
function call(op, args, body = EMPTY, core = (free ??= new Core(encoder.encode("null")))) {
  const out = core.call(op, encoder.encode(JSON.stringify(args)), body);
  if (out[0] === "!") throw toError(out.slice(1));
  return out.slice(1);
}

const fail = (code, status, cause) => toError(call(ERROR, [code, status]), cause);

/** An argument for the core, as JSON text: absent is `null`; a non-finite number stays wrong (a string). */
function arg(value, code = "invalid_config") {
  try {
    return JSON.stringify(value ?? null, (_, v) => (typeof v === "number" && !isFinite(v) ? "NaN" : v));
  } catch {
    throw fail(code); // cycles, BigInt
  }
}

/** An optional string option: absent → `undefined`, a string → itself, anything else → `invalid_config`. */
function str(value) {
  if (value == null) return undefined;
  if (typeof value !== "string") throw fail("invalid_config");
  return value;
}

const now = () => Math.floor(Date.now() / 1000);

function cancel(stream) {
  stream?.cancel().catch(() => {});
}

/**
 * One HTTP exchange through the global `fetch` (never `window`). `timeoutMs` covers it all, body included.
 * Redirects are never followed (a 3xx, or a browser's opaque redirect with status 0, is `invalid_response`),
 * bodies above 1 MiB are refused unread, and no credentials are sent: with them, a browser answers a 401 +
 * `WWW-Authenticate: Basic` with an HTTP-auth prompt instead of failing.
 */
async function http(url, timeoutMs, { body, authorization } = {}) {
  let signal;
  try {
    signal = AbortSignal.timeout(timeoutMs);
  } catch {
    throw fail("unsupported_environment");
  }
  const headers = { accept: "application/json" };
  if (authorization) headers.authorization = authorization;
  const init = { headers, redirect: "manual", credentials: "omit", signal };
  if (body !== undefined) {
    init.method = "POST";
    headers["content-type"] = "application/x-www-form-urlencoded;charset=UTF-8";
    init.body = body;
  }
  try {
    const res = await fetch(url, init);
    const status = res.status;
    if (status === 0 || (status >= 300 && status < 400) || +res.headers.get("content-length") > MAX_BODY) {
      cancel(res.body);
      throw fail("invalid_response", status);
    }
    const chunks = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (let chunk; reader && !(chunk = await reader.read()).done; ) {
      size += chunk.value.length;
      if (size > MAX_BODY) {
        cancel(reader);
        throw fail("invalid_response", status);
      }
      chunks.push(chunk.value);
    }
    const bytes = new Uint8Array(size);
    chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
    return { status, type: res.headers.get("content-type") ?? undefined, body: bytes };
  } catch (e) {
    if (isOAuthError(e)) throw e;
    // An aborted signal means our timeout fired, whatever the host called the rejection. The host's
    // error names no secret (the code, verifier and tokens only ever travel in request bodies).
    throw signal.aborted ? fail("timeout") : fail("network_error", undefined, e);
  }
}

/** A `Storage`-shaped map, for `storage: "memory"`. */
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => m.set(k, v),
    removeItem: (k) => m.delete(k),
    key: (i) => [...m.keys()][i] ?? null,
    get length() {
      return m.size;
    },
  };
}

/** The browser window, or `unsupported_environment` (workers, Workers, Node, Deno, Bun). */
function browser() {
  const w = globalThis.window;
  if (!w?.location || !w.history) throw fail("unsupported_environment");
  return w;
}

/**
 * Reads `location.href` and replaces the history entry with the URL the core strips of the callback
 * parameters (the others kept as written), so the code and state stay neither in the address bar, nor in
 * the history, nor in a later `Referer`.
 */
function takeCallbackUrl() {
  const w = browser();
  try {
    const href = w.location.href;
    w.history.replaceState(w.history.state, "", call(STRIP, [href]));
    return href;
  } catch {
    throw fail("unsupported_environment");
  }
}

export class OAuthClient {
  #core;
  #info;
  #memory = memoryStorage();
  /** The refresh in flight per refresh token (one token is never presented twice at once). */
  #refreshing = new Map();
  /** The provider's last JWKS response, for ID token signatures. */
  #jwks;

  constructor(config) {
    // A rejected config makes a core that answers every call with its error, this first one included;
    // it is freed at once rather than left to the finalizer.
    this.#core = new Core(encoder.encode(arg(config)));
    try {
      this.#info = JSON.parse(this.#call(INFO, []));
    } catch (e) {
      this.#core.free();
      throw e;
    }
  }

  static async discover(issuer, config) {
    if (import.meta.OIDC === false) throw fail("invalid_config");
    const base = { ...config };
    // The members a discovery document provides; a `discover` config cannot set them.
    for (const name of ["issuer", "authorizationEndpoint", "tokenEndpoint", "jwksUri", "userinfoEndpoint",
      "endSessionEndpoint", "revocationEndpoint"]) delete base[name];
    if (typeof issuer !== "string") throw fail("invalid_config");
    const urls = JSON.parse(call(DISCOVERY_URLS, [issuer]));
    // The rest of the config is checked before any request (the issuer stands in for the endpoints).
    const { timeoutMs } = new OAuthClient({ ...base, issuer, authorizationEndpoint: issuer, tokenEndpoint: issuer })
      .#info;
    let last = fail("invalid_response");
    for (const url of urls) {
      const r = await http(url, timeoutMs);
      if (r.status >= 400) {
        last = fail("invalid_response", r.status);
        continue;
      }
      const metadata = JSON.parse(call(DISCOVERY, [issuer, r.status, r.type], r.body));
      return new OAuthClient({ ...base, ...metadata, requireIss: !!base.requireIss || metadata.requireIss });
    }
    throw last;
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

  startAuthorization(options) {
    return JSON.parse(this.#call(START, [arg(options), now()]));
  }

  validateCallback(url, pending) {
    return JSON.parse(this.#call(VALIDATE, [String(url), arg(pending, "invalid_pending"), now()]));
  }

  async exchangeCode(code, pending) {
    const p = arg(pending, "invalid_pending");
    return this.#tokens(this.#call(EXCHANGE, [typeof code === "string" ? code : "", p]), undefined, p);
  }

  async handleCallback(url, pending) {
    const href = url == null ? takeCallbackUrl() : String(url);
    let p;
    if (pending == null) {
      const state = call(CALLBACK_STATE, [href]);
      const key = this.#key(state);
      const store = this.#storage();
      p = store.get(key);
      store.remove(key);
      // Housekeeping only: a storage failure here must not hide the real outcome.
      try {
        this.#clean(now());
      } catch {}
      if (p == null) throw this.#unmatched();
    } else {
      p = arg(pending, "invalid_pending");
    }
    const v = JSON.parse(this.#call(VALIDATE, [href, p, now()]));
    return this.#tokens(this.#call(EXCHANGE, [v.code, p]), undefined, p);
  }

  refresh(tokens, options) {
    const rt = typeof tokens === "string" ? tokens : typeof tokens?.refresh_token === "string" ? tokens.refresh_token : "";
    const shared = this.#refreshing.get(rt);
    if (shared) return shared;
    const p = this.#refresh(rt, tokens, options);
    this.#refreshing.set(rt, p);
    const done = () => this.#refreshing.delete(rt);
    p.then(done, done);
    return p;
  }

  async #refresh(rt, tokens, options) {
    if (options != null && typeof options !== "object") throw fail("invalid_config");
    const idToken = typeof tokens === "object" ? str(tokens?.id_token) : undefined;
    const request = this.#call(REFRESH, [rt, str(options?.scope), idToken]);
    return this.#tokens(request, rt, undefined, idToken);
  }

  async login(options) {
    const w = browser();
    const pending = this.#call(START, [arg(options), now()]);
    const { state, url } = JSON.parse(pending);
    this.#clean(now());
    const store = this.#storage();
    const key = this.#key(state);
    store.set(key, pending);
    try {
      w.location.assign(url);
    } catch {
      // A navigation the page may not make (a sandboxed frame, a policy): nothing half-done stays behind.
      try {
        store.remove(key);
      } catch {}
      throw fail("unsupported_environment");
    }
  }

  async userinfo(tokens, options) {
    if (import.meta.OIDC === false) throw fail("missing_endpoint");
    const accessToken = typeof tokens === "string" ? tokens : str(tokens?.access_token) ?? "";
    const subject = this.#call(SUBJECT, [str(options?.subject), str(tokens?.id_token)]);
    const request = JSON.parse(this.#call(USERINFO_REQUEST, [accessToken]));
    const r = await http(request.url, this.#info.timeoutMs, { authorization: request.authorization });
    return JSON.parse(this.#call(USERINFO, [r.status, r.type, subject], r.body));
  }

  logoutUrl(options) {
    if (import.meta.OIDC === false) throw fail("missing_endpoint");
    return this.#call(LOGOUT, [arg(options)]);
  }

  async revoke(token, options) {
    if (import.meta.OIDC === false) throw fail("missing_endpoint");
    const hint = str(options?.hint);
    const request = JSON.parse(this.#call(REVOCATION, [typeof token === "string" ? token : "", hint]));
    const r = await http(request.url, this.#info.timeoutMs, request);
    call(REVOKED, [r.status], r.body);
  }

  /** Sends a token request and validates the answer; an ID token's claims come back checked, and its
   * signature is verified here before the token set is handed out. */
  async #tokens(request, refreshToken, pending, idToken) {
    const req = JSON.parse(request);
    const r = await http(req.url, this.#info.timeoutMs, req);
    const [verify, tokens] = JSON.parse(this.#call(TOKENS, [r.status, r.type, now(), refreshToken, pending, idToken], r.body));
    if (verify) await this.#verify(tokens.id_token);
    return tokens;
  }

  /** The cached JWKS first; with no fitting key there, the JWKS fetched once more (key rotation). */
  async #verify(idToken) {
    // Unreachable in `pkce-wasm/oauth` (its core never returns claims); fail closed all the same.
    if (import.meta.OIDC === false) throw fail("id_token_signature");
    let key = null;
    if (this.#jwks) {
      try {
        key = JSON.parse(this.#call(KEY, [idToken, 200, this.#jwks.type], this.#jwks.body));
      } catch {}
    }
    if (!key) {
      const r = await http(this.#info.metadata.jwksUri, this.#info.timeoutMs);
      key = JSON.parse(this.#call(KEY, [idToken, r.status, r.type], r.body));
      this.#jwks = r;
      if (!key) throw fail("key_not_found");
    }
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) throw fail("unsupported_environment");
    const [header, payload, signature] = idToken.split(".");
    let valid = false;
    try {
      const k = await subtle.importKey("jwk", key.jwk, key.alg, false, ["verify"]);
      const sig = Uint8Array.from(atob(signature.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      valid = await subtle.verify(key.alg, k, sig, encoder.encode(header + "." + payload));
    } catch {}
    if (valid !== true) throw fail("id_token_signature");
  }

  #call(op, args, body) {
    return call(op, args, body, this.#core);
  }

  #key(state) {
    return "pkce-wasm:pending:" + this.#info.clientId + ":" + state;
  }

  /** The configured storage, every call wrapped: a throwing or missing storage is `storage_unavailable`. */
  #storage() {
    const kind = this.#info.storage;
    const use = (f) => {
      try {
        return f(kind === "memory" ? this.#memory : globalThis.window[kind + "Storage"]);
      } catch {
        throw fail("storage_unavailable");
      }
    };
    return {
      get: (k) => use((s) => s.getItem(k)),
      set: (k, v) => use((s) => s.setItem(k, v)),
      remove: (k) => use((s) => s.removeItem(k)),
      keys: () =>
        use((s) => {
          const prefix = this.#key("");
          const keys = [];
          for (let i = 0; i < s.length; i++) if (s.key(i)?.startsWith(prefix)) keys.push(s.key(i));
          return keys;
        }),
    };
  }

  /** Removes pending authorizations that expired or cannot be read. */
  #clean(at) {
    const store = this.#storage();
    for (const key of store.keys()) {
      let fresh = false;
      try {
        const created = JSON.parse(store.get(key)).createdAt;
        fresh = typeof created === "number" && at < created + this.#info.pendingTtlSeconds;
      } catch {}
      if (!fresh) store.remove(key);
    }
  }

  /**
   * A callback whose `state` matches no stored pending authorization. If authorizations of this client are
   * pending, the callback is forged or crossed: `state_mismatch`; those authorizations are left alone (a
   * forged link must not cancel a sign-in under way in another tab; they expire with `pendingTtlSeconds`).
   * Otherwise it is a replay or a stray: `no_pending_authorization`.
   */
  #unmatched() {
    return fail(this.#storage().keys().length ? "state_mismatch" : "no_pending_authorization");
  }
}

export function createPkce(verifier) {
  if (verifier != null && typeof verifier !== "string") throw fail("invalid_verifier");
  return JSON.parse(call(PKCE, [verifier]));
}

export function isOAuthError(value) {
  return value instanceof Error && typeof value.code === "string" && NAMES.includes(value.name);
}
