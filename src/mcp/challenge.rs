//! A strict RFC 9110 §11.6.1 `WWW-Authenticate` parser: several challenges in one header value, each an
//! auth scheme with a `token68` or a list of `name=value` parameters (tokens or quoted strings with `\`
//! escapes). Parameter names are case-insensitive (kept in lower case) and may occur once per challenge.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ErrorCode};

/// The longest `WWW-Authenticate` value read: a longer one is `invalid_challenge` (real challenges are a
/// few hundred bytes; a hostile server must not make the client parse megabytes).
pub const MAX_CHALLENGE_BYTES: usize = 8192;

/// One challenge of a `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Challenge {
    /// The auth scheme, as written (compare with [`Challenge::is`]).
    pub scheme: String,
    /// The `token68` form's value, if the challenge has one.
    pub token68: Option<String>,
    /// The parameters, names in lower case, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// Whether the scheme is `scheme` (case-insensitive).
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The value of parameter `name` (lower case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn peek_at(&self, at: usize) -> Option<u8> {
        self.s.get(at).copied()
    }

    /// Skips spaces and tabs; returns how many.
    fn ows(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
        self.at - start
    }

    /// The end of the run of bytes from `at` that satisfy `f`.
    fn run(&self, at: usize, f: fn(u8) -> bool) -> usize {
        let mut end = at;
        while self.peek_at(end).is_some_and(f) {
            end += 1;
        }
        end
    }

    fn text(&self, from: usize, to: usize) -> String {
        // Only ASCII runs are cut this way (tchar, token68).
        let bytes = self.s.get(from..to).unwrap_or_default();
        String::from(core::str::from_utf8(bytes).unwrap_or_default())
    }

    /// Whether a `name BWS "=" BWS value` parameter starts here (not a token68 ending in `=`).
    fn param_ahead(&self) -> bool {
        let end = self.run(self.at, is_tchar);
        if end == self.at {
            return false;
        }
        let mut i = end;
        while matches!(self.peek_at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if self.peek_at(i) != Some(b'=') {
            return false;
        }
        // `abc==` followed by the end or a comma is a token68.
        i += 1;
        while matches!(self.peek_at(i), Some(b'=')) {
            i += 1;
        }
        while matches!(self.peek_at(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        !matches!(self.peek_at(i), None | Some(b','))
    }

    fn quoted(&mut self) -> Option<String> {
        self.at += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self
                        .peek()
                        .filter(|&e| e == b'\t' || e >= 0x20 && e != 0x7f)?;
                    self.at += 1;
                    out.push(e);
                }
                b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff => out.push(b),
                _ => return None,
            }
        }
    }

    fn param(&mut self) -> Option<(String, String)> {
        let end = self.run(self.at, is_tchar);
        let name = self.text(self.at, end).to_ascii_lowercase();
        self.at = end;
        self.ows();
        if self.peek() != Some(b'=') {
            return None;
        }
        self.at += 1;
        self.ows();
        let value = if self.peek() == Some(b'"') {
            self.quoted()?
        } else {
            let end = self.run(self.at, is_tchar);
            if end == self.at {
                return None;
            }
            let v = self.text(self.at, end);
            self.at = end;
            v
        };
        Some((name, value))
    }

    /// Skips `OWS "," OWS` list separators (empty elements allowed); whether any comma was seen.
    fn commas(&mut self) -> bool {
        let mut seen = false;
        loop {
            self.ows();
            if self.peek() != Some(b',') {
                return seen;
            }
            self.at += 1;
            seen = true;
        }
    }
}

/// Parses a `WWW-Authenticate` header value into its challenges. `invalid_challenge` for anything that is
/// not RFC 9110 syntax (a parameter named twice in one challenge included), or a value longer than
/// [`MAX_CHALLENGE_BYTES`].
pub fn parse_www_authenticate(value: &str) -> Result<Vec<Challenge>, Error> {
    let bad = Error::client(ErrorCode::InvalidChallenge);
    if value.len() > MAX_CHALLENGE_BYTES {
        return Err(bad);
    }
    let mut c = Cursor {
        s: value.as_bytes(),
        at: 0,
    };
    let mut out = Vec::new();
    c.commas();
    while c.peek().is_some() {
        let end = c.run(c.at, is_tchar);
        if end == c.at {
            return Err(bad);
        }
        let mut ch = Challenge {
            scheme: c.text(c.at, end),
            token68: None,
            params: Vec::new(),
        };
        c.at = end;
        let spaces = c.ows();
        if spaces > 0 && !matches!(c.peek(), None | Some(b',')) {
            if c.param_ahead() {
                loop {
                    let (name, value) = c.param().ok_or(bad.clone())?;
                    if ch.params.iter().any(|(n, _)| *n == name) {
                        return Err(bad);
                    }
                    ch.params.push((name, value));
                    let comma = c.commas();
                    if c.peek().is_none() {
                        break;
                    }
                    if !comma {
                        return Err(bad);
                    }
                    if !c.param_ahead() {
                        break; // the next challenge
                    }
                }
            } else {
                let end = c.run(c.at, is_token68);
                if end == c.at {
                    return Err(bad);
                }
                let end = c.run(end, |b| b == b'=');
                ch.token68 = Some(c.text(c.at, end));
                c.at = end;
                if !c.commas() && c.peek().is_some() {
                    return Err(bad);
                }
            }
        } else if !c.commas() && c.peek().is_some() {
            return Err(bad);
        }
        out.push(ch);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = Vec<(String, Vec<(String, String)>, Option<String>)>;

    fn one(v: &str) -> Parsed {
        parse_www_authenticate(v)
            .map(|cs| {
                cs.into_iter()
                    .map(|c| (c.scheme, c.params, c.token68))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn p(n: &str, v: &str) -> (String, String) {
        (String::from(n), String::from(v))
    }

    #[test]
    fn challenges() {
        let r = one(
            r#"Bearer realm="mcp", error="invalid_token", resource_metadata="https://a.example/.well-known/oauth-protected-resource", DPoP algs="ES256 EdDSA""#,
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, "Bearer");
        assert_eq!(
            r[0].1[2].1,
            "https://a.example/.well-known/oauth-protected-resource"
        );
        assert_eq!(r[1].0, "DPoP");
        assert_eq!(r[1].1, vec![p("algs", "ES256 EdDSA")]);
        // A token68 challenge, then one with parameters; case-insensitive names; escapes; empty elements.
        let r = one(r#"Negotiate abc+/==, , Bearer SCOPE = "a \"b\" c" ,error=insufficient_scope"#);
        assert_eq!(r[0].2.as_deref(), Some("abc+/=="));
        assert_eq!(
            r[1].1,
            vec![p("scope", r#"a "b" c"#), p("error", "insufficient_scope")]
        );
        let r = one("Basic, Bearer");
        assert_eq!((r[0].0.as_str(), r[1].0.as_str()), ("Basic", "Bearer"));
        assert_eq!(one("Bearer").len(), 1);
        assert_eq!(one("Bearer scope")[0].2.as_deref(), Some("scope")); // a token68
        assert_eq!(one(r#"Bearer scope="", error="x""#)[0].1[0].1, "");
    }

    #[test]
    fn refused() {
        for bad in [
            "=",
            "Bearer a=1, b=",
            r#"Bearer scope="unterminated"#,
            r#"Bearer a="x" b="y""#,
            r#"Bearer a="x", a="y""#,
            "Bearer a=x y",
            "Bearer abc def",
            "Bearer \"x\"",
            "Bearer a=\"\u{1}\"",
            "Bearer a=\"x\\\u{1}\"",
        ] {
            assert!(parse_www_authenticate(bad).is_err(), "{bad}");
        }
        let long = alloc::format!("Bearer scope=\"{}\"", "a".repeat(MAX_CHALLENGE_BYTES));
        assert!(parse_www_authenticate(&long).is_err());
    }
}
