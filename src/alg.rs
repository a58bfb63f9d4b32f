//! The JWS algorithms the client verifies (ID tokens) and signs with (client assertions), with their
//! WebCrypto parameters: below every module that names one.

/// The JWS algorithms accepted for ID tokens. `none` and the HMAC family are never accepted: a public
/// client has no secret, and a key taken from the JWKS must never be used as an HMAC secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519 (`EdDSA`, or `Ed25519` as RFC 9864 names it).
    EdDsa,
}

impl Alg {
    pub(crate) fn from_name(name: &str) -> Option<Alg> {
        match name {
            "RS256" => Some(Alg::Rs256),
            "PS256" => Some(Alg::Ps256),
            "ES256" => Some(Alg::Es256),
            "EdDSA" | "Ed25519" => Some(Alg::EdDsa),
            _ => None,
        }
    }

    /// The JOSE `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Ps256 => "PS256",
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// The JOSE `kty` of keys for this algorithm.
    pub fn key_type(self) -> &'static str {
        match self {
            Alg::Rs256 | Alg::Ps256 => "RSA",
            Alg::Es256 => "EC",
            Alg::EdDsa => "OKP",
        }
    }

    /// WebCrypto's parameters for this algorithm, as the members of one object that serves both
    /// `importKey` and `verify` (each ignores the other's members).
    pub fn webcrypto(self) -> &'static [(&'static str, Param)] {
        const SHA256: (&str, Param) = ("hash", Param::Str("SHA-256"));
        match self {
            Alg::Rs256 => &[("name", Param::Str("RSASSA-PKCS1-v1_5")), SHA256],
            Alg::Ps256 => &[
                ("name", Param::Str("RSA-PSS")),
                ("saltLength", Param::Int(32)),
                SHA256,
            ],
            Alg::Es256 => &[
                ("name", Param::Str("ECDSA")),
                ("namedCurve", Param::Str("P-256")),
                SHA256,
            ],
            Alg::EdDsa => &[("name", Param::Str("Ed25519"))],
        }
    }
}

/// A member value of WebCrypto's algorithm parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// A string.
    Str(&'static str),
    /// A number.
    Int(u32),
}
