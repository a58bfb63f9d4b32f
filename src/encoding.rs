//! `application/x-www-form-urlencoded` (WHATWG URL Standard §5) and base64url, without the `url` crate.

use alloc::string::String;
use alloc::vec::Vec;

/// `s` split around the first `byte` (ASCII), like `str::split_once` with a `char`, but by bytes: the
/// `char` pattern searchers cost more wasm than all the callers together.
pub(crate) fn split_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == byte)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// Whether `s` contains `byte` (ASCII).
pub(crate) fn has_byte(s: &str, byte: u8) -> bool {
    s.bytes().any(|b| b == byte)
}

/// A configured endpoint split for adding parameters: the URL before `?`, and its query without trailing
/// `&`s (which would leave an empty pair).
pub(crate) fn endpoint_query(endpoint: &str) -> (&str, &str) {
    let (base, query) = split_byte(endpoint, b'?').unwrap_or((endpoint, ""));
    let kept = query.len() - query.bytes().rev().take_while(|&b| b == b'&').count();
    (base, query.get(..kept).unwrap_or_default())
}

fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'A' + n - 10 })
}

/// Appends `value` percent-encoded exactly as the WHATWG `application/x-www-form-urlencoded` serializer
/// does: `*-._` and ASCII alphanumerics stay, a space becomes `+`, every other byte is `%XX`.
pub(crate) fn form_encode_into(out: &mut String, value: &str) {
    // Runs of unreserved bytes are copied at once (they are ASCII: every run ends on a boundary).
    let mut run = 0;
    for (i, &b) in value.as_bytes().iter().enumerate() {
        if matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_') {
            continue;
        }
        out.push_str(value.get(run..i).unwrap_or_default());
        run = i + 1;
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 15));
        }
    }
    out.push_str(value.get(run..).unwrap_or_default());
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
/// invalid UTF-8 becomes U+FFFD, as the WHATWG parser does. Works on bytes: no `str` slicing, so no
/// panicking path.
pub(crate) fn form_decode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_value);
                let lo = input.get(i + 2).copied().and_then(hex_value);
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
        Err(e) => lossy(e.as_bytes()),
    }
}

/// `String::from_utf8_lossy`, on `core::str::from_utf8` (which the wasm has anyway) instead of
/// `Utf8Chunks`: each maximal invalid subsequence becomes one U+FFFD, exactly as there and as in the WHATWG
/// UTF-8 decoder.
fn lossy(mut rest: &[u8]) -> String {
    let mut s = String::with_capacity(rest.len() + 2);
    loop {
        match core::str::from_utf8(rest) {
            Ok(valid) => {
                s.push_str(valid);
                return s;
            }
            Err(e) => {
                let valid = rest.get(..e.valid_up_to()).unwrap_or_default();
                s.push_str(core::str::from_utf8(valid).unwrap_or_default());
                s.push('\u{FFFD}');
                match e.error_len() {
                    Some(len) => rest = rest.get(e.valid_up_to() + len..).unwrap_or_default(),
                    None => return s,
                }
            }
        }
    }
}

/// Parses a form-urlencoded query (without `?`) into decoded pairs, in order. Empty sequences are skipped.
pub(crate) fn parse_form(query: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for pair in query.as_bytes().split(|&b| b == b'&') {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (pair.get(..at), pair.get(at + 1..)),
            None => (Some(pair), None),
        };
        if !pair.is_empty() {
            out.push((
                form_decode(name.unwrap_or_default()),
                form_decode(value.unwrap_or_default()),
            ));
        }
    }
    out
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 base64 encoding (a dozen lines instead of a general-purpose engine: we only ever encode).
fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    // Bytes first (the alphabet is ASCII), one string at the end.
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = b(0) << 16 | b(1) << 8 | b(2);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(
                    alphabet
                        .get((n >> shift & 63) as usize)
                        .copied()
                        .unwrap_or(b'A'),
                );
            } else if pad {
                out.push(b'=');
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Unpadded base64url (RFC 4648 §5).
pub(crate) fn base64url(bytes: &[u8]) -> String {
    base64(bytes, URL_SAFE, false)
}

/// Strict unpadded base64url decoding (RFC 4648 §5, as JWS uses it): no padding, no whitespace, no other
/// alphabet, and the unused trailing bits must be zero, so every byte string has exactly one encoding.
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes() {
        let v = URL_SAFE.iter().position(|&c| c == b)? as u32;
        acc = (acc << 6 | v) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    (acc & ((1 << bits) - 1) == 0).then_some(out)
}

/// Padded standard base64, for `Authorization: Basic`.
pub(crate) fn base64_standard(bytes: &[u8]) -> String {
    base64(bytes, STANDARD, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The callback parser decodes as the WHATWG `application/x-www-form-urlencoded` parser does
        /// (`form_urlencoded` implements it): `+`, valid and broken `%XX`, invalid UTF-8, empty sequences,
        /// `=` in values.
        #[test]
        fn parse_form_decodes_as_whatwg(query in "([a-z=&+%0-9a-fA-F]|%[89a-fA-F][0-9a-fA-F]|\\x{e9}){0,40}") {
            let whatwg: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            proptest::prop_assert_eq!(parse_form(&query), whatwg);
        }
    }

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
        assert_eq!(form_decode(b"a+b%2Bc"), "a b+c");
        assert_eq!(form_decode(b"%zz%4"), "%zz%4");
        assert_eq!(form_decode(b"%C3%A9"), "é");
        assert_eq!(form_decode(b"%FF"), "\u{FFFD}");
    }

    #[test]
    fn lossy_decoding_matches_the_standard_library() {
        let check =
            |bytes: &[u8]| assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        // Every one- and two-byte input, then three- to six-byte inputs mixing the interesting bytes
        // (continuations, overlong and surrogate leads, truncated sequences) with ASCII.
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
            }
        }
        let bytes = [
            b'a', 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0,
            0x9f,
        ];
        let mut x = 0x2545_f491_u32;
        for len in 3..=6 {
            for _ in 0..20_000 {
                let input: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        bytes[x as usize % bytes.len()]
                    })
                    .collect();
                check(&input);
            }
        }
        assert_eq!(
            form_decode(b"a%F0%9F%98b%ED%A0%80c"),
            "a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}c"
        );
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
    fn base64url_decoding_is_strict() {
        for bytes in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0xfb, 0xff, 0xfe],
        ] {
            assert_eq!(base64url_decode(&base64url(bytes)).as_deref(), Some(bytes));
        }
        // RFC 7515 A.1: the protected header.
        assert_eq!(
            base64url_decode("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9").as_deref(),
            Some(&b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"[..])
        );
        for bad in ["Zg==", "Zg=", "Z", "Zh", "Zm9v+", "Zm9v/", "Zm 9v", "Zm9\n"] {
            assert_eq!(base64url_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn base64_variants() {
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64_standard(&[0xfb, 0xff]), "+/8=");
        // RFC 4648 §10 test vectors.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_standard(input.as_bytes()), expected);
            assert_eq!(base64url(input.as_bytes()), expected.trim_end_matches('='));
        }
    }
}
