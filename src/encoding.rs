//! `application/x-www-form-urlencoded` (WHATWG URL Standard §5) and base64url, without the `url` crate.

use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;

fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'A' + n - 10 })
}

/// Appends `value` percent-encoded exactly as the WHATWG `application/x-www-form-urlencoded` serializer
/// does: `*-._` and ASCII alphanumerics stay, a space becomes `+`, every other byte is `%XX`.
pub(crate) fn form_encode_into(out: &mut String, value: &str) {
    for &b in value.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(hex_digit(b >> 4));
                out.push(hex_digit(b & 15));
            }
        }
    }
}

/// Builds a form body or query from pairs, in order.
#[derive(Default)]
pub(crate) struct FormSerializer {
    out: String,
}

impl FormSerializer {
    /// Continues an existing query (without `?`).
    pub(crate) fn with_prefix(prefix: String) -> Self {
        FormSerializer { out: prefix }
    }

    pub(crate) fn append(&mut self, name: &str, value: &str) -> &mut Self {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        form_encode_into(&mut self.out, name);
        self.out.push('=');
        form_encode_into(&mut self.out, value);
        self
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form-urlencoded name or value: `+` is a space, valid `%XX` is a byte, anything else stays;
/// invalid UTF-8 becomes U+FFFD, as the WHATWG parser does.
pub(crate) fn form_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            _ => out.push(b),
        }
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Parses a form-urlencoded query (without `?`) into decoded pairs, in order. Empty sequences are skipped.
pub(crate) fn parse_form(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((n, v)) => (form_decode(n), form_decode(v)),
            None => (form_decode(pair), String::new()),
        })
        .collect()
}

/// Unpadded base64url (RFC 4648 §5).
pub(crate) fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Padded standard base64, for `Authorization: Basic`.
pub(crate) fn base64_standard(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        form_encode_into(&mut out, s);
        out
    }

    #[test]
    fn encodes_like_url_search_params() {
        // Expected values are what `new URLSearchParams({v}).toString()` prints.
        assert_eq!(enc("a b+c&d=e"), "a+b%2Bc%26d%3De");
        assert_eq!(enc("*-._~!'()"), "*-._%7E%21%27%28%29");
        assert_eq!(
            enc("https://app.example/cb?x=1"),
            "https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1"
        );
        assert_eq!(enc("é€😀"), "%C3%A9%E2%82%AC%F0%9F%98%80");
        assert_eq!(enc(""), "");
    }

    #[test]
    fn decodes_like_url_search_params() {
        assert_eq!(form_decode("a+b%2Bc"), "a b+c");
        assert_eq!(form_decode("%zz%4"), "%zz%4");
        assert_eq!(form_decode("%C3%A9"), "é");
        assert_eq!(form_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn parses_pairs() {
        let p = parse_form("a=1&&b&c=%3D=&=x");
        let expected = [("a", "1"), ("b", ""), ("c", "=="), ("", "x")];
        assert_eq!(p.len(), expected.len());
        for ((n, v), (en, ev)) in p.iter().zip(expected) {
            assert_eq!((n.as_str(), v.as_str()), (en, ev));
        }
    }

    #[test]
    fn base64_variants() {
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_standard(&[0xfb, 0xff]), "+/8=");
    }
}
