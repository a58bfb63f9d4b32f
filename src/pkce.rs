//! PKCE (RFC 7636): verifiers from 32 random bytes, S256 challenges computed synchronously with `sha2`.
//! `plain` is never offered.

use alloc::string::String;
use sha2::{Digest, Sha256};

use crate::encoding::base64url;
use crate::error::{Error, ErrorCode};
use crate::types::CodeVerifier;

/// The only challenge method this crate sends.
pub const CODE_CHALLENGE_METHOD: &str = "S256";

/// 32 bytes from the platform's CSPRNG (`crypto.getRandomValues` on wasm32), base64url: 43 characters.
pub(crate) fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    if !fill(&mut bytes) {
        return Err(Error::client(ErrorCode::RandomUnavailable));
    }
    Ok(base64url(&bytes))
}

#[cfg(not(all(target_arch = "wasm32", feature = "npm-package")))]
fn fill(bytes: &mut [u8]) -> bool {
    getrandom::fill(bytes).is_ok()
}

/// The npm core imports nothing: the shell hands it the call's entropy (see [`entropy`]).
#[cfg(all(target_arch = "wasm32", feature = "npm-package"))]
fn fill(bytes: &mut [u8]) -> bool {
    entropy::take(bytes)
}

/// The entropy of one npm core call: the shell gives each `Core::call` fresh bytes from
/// `crypto.getRandomValues`, and the npm core draws its random tokens from them (so it imports nothing:
/// no import shims, no exception table). Unused bytes are never used after the call; a call that needs
/// more than it was given fails with `random_unavailable`.
#[cfg(target_arch = "wasm32")]
pub(crate) mod entropy {
    use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering::Relaxed};

    /// The most a call needs (a pushed authorization with a client assertion: four 32-byte tokens), twice.
    pub(crate) const SIZE: usize = 256;
    static POOL: [AtomicU8; SIZE] = [const { AtomicU8::new(0) }; SIZE];
    static LEFT: AtomicUsize = AtomicUsize::new(0);

    /// The call's bytes (at most [`SIZE`]); `&[]` ends the call: what is left is never used (each byte
    /// drawn is zeroed as it is taken, and the next call overwrites the rest).
    pub(crate) fn refill(bytes: &[u8]) {
        for (slot, b) in POOL.iter().zip(bytes) {
            slot.store(*b, Relaxed);
        }
        LEFT.store(bytes.len().min(SIZE), Relaxed);
    }

    /// Fills `out` from the pool, each byte used once; `false` when there are too few left.
    #[cfg_attr(not(feature = "npm-package"), allow(dead_code))]
    pub(crate) fn take(out: &mut [u8]) -> bool {
        let left = LEFT.load(Relaxed);
        let Some(start) = left.checked_sub(out.len()) else {
            return false;
        };
        for (o, slot) in out.iter_mut().zip(POOL.iter().skip(start)) {
            *o = slot.swap(0, Relaxed);
        }
        LEFT.store(start, Relaxed);
        true
    }
}

/// A PKCE pair.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// The secret verifier, sent only to the token endpoint.
    pub code_verifier: CodeVerifier,
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization request.
    pub code_challenge: String,
}

impl Pkce {
    /// A fresh verifier (32 random bytes, 43 characters) and its S256 challenge.
    pub fn generate() -> Result<Pkce, Error> {
        let verifier = random_token()?;
        let code_challenge = s256(&verifier);
        Ok(Pkce {
            code_verifier: CodeVerifier::new(verifier),
            code_challenge,
        })
    }

    /// The S256 challenge of a given verifier; `invalid_verifier` unless it is 43–128 unreserved characters.
    pub fn from_verifier(verifier: &str) -> Result<Pkce, Error> {
        if !is_valid_verifier(verifier) {
            return Err(Error::client(ErrorCode::InvalidVerifier));
        }
        Ok(Pkce {
            code_verifier: CodeVerifier::new(verifier),
            code_challenge: s256(verifier),
        })
    }
}

/// RFC 7636 §4.1: `43*128unreserved`, unreserved = `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `BASE64URL-ENCODE(SHA256(ASCII(verifier)))` without padding.
pub(crate) fn s256(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let octets = [
            116u8, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = base64url(&octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let p = Pkce::from_verifier(&verifier).map_err(|e| e.code().len());
        assert_eq!(
            p.map(|p| p.code_challenge).as_deref(),
            Ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
    }

    #[test]
    fn generated_verifiers_are_43_chars_and_distinct() {
        let a = Pkce::generate()
            .ok()
            .map(|p| p.code_verifier.into_secret())
            .unwrap_or_default();
        let b = Pkce::generate()
            .ok()
            .map(|p| p.code_verifier.into_secret())
            .unwrap_or_default();
        assert_eq!(a.len(), 43);
        assert!(is_valid_verifier(&a));
        assert_ne!(a, b);
    }

    #[test]
    fn verifier_syntax() {
        let ok43 = "a".repeat(43);
        assert!(is_valid_verifier(&ok43));
        assert!(is_valid_verifier(&"~._-Z9".repeat(22)[..128]));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&("a".repeat(42) + "+")));
        assert!(!is_valid_verifier(&("a".repeat(42) + "é")));
        assert!(!is_valid_verifier(&("a".repeat(42) + " ")));
        let err = Pkce::from_verifier("short").err();
        assert_eq!(
            err.and_then(|e| e.client_code()),
            Some(ErrorCode::InvalidVerifier)
        );
    }
}
