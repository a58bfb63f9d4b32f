// Sealed state for servers with no session storage (Workers, edge functions): a pending authorization or a
// session becomes an opaque string for a cookie, encrypted and authenticated with AES-256-GCM through
// WebCrypto. The key is derived with HKDF-SHA-256 from a secret of at least 32 bytes; the kind ("pending" or
// "session") is the additional authenticated data, so one can never be opened as the other; the issue and
// expiry times are inside the ciphertext. Anything tampered, truncated, expired or sealed with another key
// is a typed error, never a partial result.

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_SEALED_CHARS = 8192;
const DEFAULT_PENDING_TTL = 600;
const DEFAULT_SESSION_TTL = 8 * 3600;
const encoder = new TextEncoder();
const keys = new Map(); // secret -> Promise<CryptoKey>, a few entries at most

function oauthError(code, message) {
  const e = new Error(message);
  e.name = "OAuthClientError";
  e.code = code;
  return e;
}

function key(secret) {
  if (typeof secret !== "string" || encoder.encode(secret).length < 32) {
    throw oauthError("invalid_config", "the sealing secret must be a string of at least 32 bytes");
  }
  let k = keys.get(secret);
  if (!k) {
    if (keys.size >= 8) keys.clear();
    k = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((ikm) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("pkce-wasm seal v1") },
          ikm,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(secret, k);
  }
  return k;
}

function toBase64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

const now = () => Math.floor(Date.now() / 1000);

async function seal(kind, value, secret, ttlSeconds) {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw oauthError("invalid_config", "ttlSeconds must be a positive integer");
  const k = await key(secret);
  const iat = now();
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = encoder.encode(JSON.stringify({ iat, exp: iat + ttlSeconds, value }));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(kind) }, k, plaintext));
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv);
  out.set(ct, IV_BYTES);
  return `${VERSION}.${toBase64url(out)}`;
}

async function open(kind, sealed, secret, maxAgeSeconds, expiredCode) {
  const k = await key(secret);
  const invalid = () => oauthError("invalid_sealed_value", "the sealed value is invalid");
  if (typeof sealed !== "string" || sealed.length > MAX_SEALED_CHARS || !sealed.startsWith(`${VERSION}.`)) throw invalid();
  const bytes = fromBase64url(sealed.slice(VERSION.length + 1));
  if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) throw invalid();
  let payload;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(kind) },
      k,
      bytes.subarray(IV_BYTES),
    );
    payload = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw invalid();
  }
  if (!payload || !Number.isInteger(payload.iat) || !Number.isInteger(payload.exp) || !("value" in payload)) throw invalid();
  const t = now();
  const tooOld = maxAgeSeconds !== undefined && t >= payload.iat + maxAgeSeconds;
  if (t >= payload.exp || tooOld) throw oauthError(expiredCode, "the sealed value has expired");
  return payload.value;
}

function maxAge(options) {
  const m = options?.maxAgeSeconds;
  if (m !== undefined && (!Number.isInteger(m) || m <= 0)) throw oauthError("invalid_config", "maxAgeSeconds must be a positive integer");
  return m;
}

/** Seals a pending authorization (from `startAuthorization`) for a short-lived cookie. */
export async function sealPending(pending, secret, options = {}) {
  if (!pending || typeof pending !== "object" || typeof pending.state !== "string" || typeof pending.codeVerifier !== "string") {
    throw oauthError("invalid_pending", "not a pending authorization");
  }
  return seal("pending", pending, secret, options.ttlSeconds ?? DEFAULT_PENDING_TTL);
}

/** Opens a sealed pending authorization: `invalid_sealed_value` or `pending_expired` on failure. */
export async function openPending(sealed, secret, options = {}) {
  return open("pending", sealed, secret, maxAge(options), "pending_expired");
}

/** Seals a session (for example a token set and the user) for a session cookie. */
export async function sealSession(session, secret, options = {}) {
  return seal("session", session, secret, options.ttlSeconds ?? DEFAULT_SESSION_TTL);
}

/** Opens a sealed session: `invalid_sealed_value` or `session_expired` on failure. */
export async function openSession(sealed, secret, options = {}) {
  return open("session", sealed, secret, maxAge(options), "session_expired");
}
