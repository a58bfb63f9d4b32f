//! Newtypes for the protocol's values. Secrets print `[redacted]` in `Debug` and expose their text only
//! through a grep-able `.secret()`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret text. Never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Unwraps the secret text. Never log it.
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// The PKCE `code_verifier` (RFC 7636 §4.1).
    CodeVerifier
);
secret_type!(
    /// The `state` value binding a callback to the user agent that started the flow.
    State
);
secret_type!(
    /// The OpenID Connect `nonce`.
    Nonce
);
secret_type!(
    /// An authorization `code` from the callback.
    AuthorizationCode
);
secret_type!(
    /// An access token.
    AccessToken
);
secret_type!(
    /// A refresh token.
    RefreshToken
);
secret_type!(
    /// An OpenID Connect ID token (compact JWS), unverified.
    IdToken
);
secret_type!(
    /// A confidential client's secret.
    ClientSecret
);

impl State {
    /// Compares two states in time that depends only on their lengths.
    pub fn ct_eq(&self, other: &str) -> bool {
        ct_eq(self.0.as_bytes(), other.as_bytes())
    }
}

/// Constant-time equality (the length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_is_redacted() {
        let v = CodeVerifier::new("super-secret-verifier");
        assert_eq!(format!("{v:?}"), "CodeVerifier([redacted])");
        assert_eq!(v.secret(), "super-secret-verifier");
        let t = AccessToken::new("tok");
        assert!(!format!("{t:?}").contains("tok"));
    }

    #[test]
    fn constant_time_compare() {
        let s = State::new("abc");
        assert!(s.ct_eq("abc"));
        assert!(!s.ct_eq("abd"));
        assert!(!s.ct_eq("ab"));
        assert!(!s.ct_eq(""));
    }
}

/// The verified claims of an ID token: the standard ones typed, and the whole claim set as JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IdTokenClaims {
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `azp`.
    pub azp: Option<String>,
    /// `exp`, unix seconds.
    pub exp: u64,
    /// `iat`, unix seconds.
    pub iat: u64,
    /// `auth_time`, unix seconds.
    pub auth_time: Option<u64>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// The whole claim set as sent (JSON text), for the other claims (`name`, `email`, ...).
    pub json: String,
}
