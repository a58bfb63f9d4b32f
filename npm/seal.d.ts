import type { PendingAuthorization } from "./client.js";

/** Options of the sealing functions. */
export interface SealOptions {
  /** Lifetime stored inside the sealed value. Default: 600 s for pending authorizations, 8 h for sessions. */
  ttlSeconds?: number;
}

/** Options of the opening functions. */
export interface OpenOptions {
  /** Also reject values sealed longer ago than this. */
  maxAgeSeconds?: number;
}

/**
 * Seals a pending authorization into an opaque string for a cookie: AES-256-GCM through WebCrypto, with a
 * key derived (HKDF-SHA-256) from `secret`, which must be at least 32 bytes (`invalid_config` otherwise).
 */
export function sealPending(pending: PendingAuthorization, secret: string, options?: SealOptions): Promise<string>;
/** Opens a sealed pending authorization. Rejects with `invalid_sealed_value` (tampered, truncated, other key) or `pending_expired`. */
export function openPending(sealed: string, secret: string, options?: OpenOptions): Promise<PendingAuthorization>;
/** Seals any JSON-serialisable session value (for example a token set and the user) for a session cookie. */
export function sealSession<T>(session: T, secret: string, options?: SealOptions): Promise<string>;
/** Opens a sealed session. Rejects with `invalid_sealed_value` or `session_expired`. */
export function openSession<T = unknown>(sealed: string, secret: string, options?: OpenOptions): Promise<T>;
