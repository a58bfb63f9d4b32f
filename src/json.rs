//! A small strict JSON (RFC 8259) reader for token responses.
//!
//! The wasm build avoids `serde_json`, and the host's `JSON.parse` silently keeps the last of duplicate
//! members. This reader rejects duplicate members, lone surrogates, trailing data and nesting deeper than
//! [`MAX_DEPTH`]; numbers are kept as their source text so integer checks are exact.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ErrorCode};

/// The deepest nesting accepted; deeper input is rejected rather than recursed into.
pub(crate) const MAX_DEPTH: usize = 32;

/// The most members an object may have. It bounds the quadratic duplicate check (no sort, which would
/// bring panicking code into the wasm); a token response has about ten.
pub(crate) const MAX_MEMBERS: usize = 256;

/// A parsed JSON value.
#[derive(Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number's source text (validated against the grammar).
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in source order; names are unique.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `name` of an object.
    pub(crate) fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string member `name` of an object: `Ok(None)` when absent or `null`, `Err(())` for another type.
    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<&str>, ()> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s)),
            Some(_) => Err(()),
        }
    }

    /// The member `name` of an object, if it is a string.
    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.opt_str(name).ok().flatten()
    }

    /// [`Json::str`], owned.
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.str(name).map(String::from)
    }

    /// Whether each member of `names` is absent, `null` or a string. Readers check this first and then
    /// read with [`Json::str`], which cannot fail: one error path instead of one per member (smaller wasm).
    pub(crate) fn strings_typed(&self, names: &[&str]) -> bool {
        names.iter().all(|name| self.opt_str(name).is_ok())
    }
}

/// An object (or, with `optional`, `null` for an absent argument, read as an empty object).
pub(crate) fn object(text: &str, optional: bool, code: ErrorCode) -> Result<Json, Error> {
    match parse(text.as_bytes()) {
        Some(o @ Json::Object(_)) => Ok(o),
        Some(Json::Null) if optional => Ok(Json::Object(Vec::new())),
        _ => Err(Error::client(code)),
    }
}

/// A boolean member: `Ok(None)` when absent or `null` (the one null policy of these readers).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn opt_bool(o: &Json, name: &str, code: ErrorCode) -> Result<Option<bool>, Error> {
    match o.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::client(code)),
    }
}

/// A non-negative integer number up to `max` (the shell sends non-finite numbers as strings, so they fail).
pub(crate) fn opt_uint(
    o: &Json,
    name: &str,
    max: u64,
    code: ErrorCode,
) -> Result<Option<u64>, Error> {
    match o.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => match parse_uint(n.as_bytes()) {
            Some(v) if v <= max => Ok(Some(v)),
            _ => Err(Error::client(code)),
        },
        Some(_) => Err(Error::client(code)),
    }
}

/// A non-negative integer of 1–10 ASCII digits (no sign, fraction or exponent): at most about 136 years of
/// seconds, so the sum with a unix time cannot overflow.
pub(crate) fn parse_uint(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0')),
    )
}

/// Parses a complete JSON text. Leading and trailing whitespace is allowed; anything else is `None`.
pub(crate) fn parse(input: &[u8]) -> Option<Json> {
    let text = core::str::from_utf8(input).ok()?;
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let value = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(value)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Option<Json> {
        let end = self.i.checked_add(word.len())?;
        (self.s.get(self.i..end)? == word).then(|| {
            self.i = end;
            value
        })
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.ws();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Json::String),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'n' => self.literal(b"null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        if !self.eat(b'}') {
            loop {
                self.ws();
                let name = self.string()?;
                if !self.eat(b':') {
                    return None;
                }
                let value = self.value(depth)?;
                if members.len() >= MAX_MEMBERS || members.iter().any(|(n, _)| *n == name) {
                    return None;
                }
                members.push((name, value));
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }
        Some(Json::Object(members))
    }

    fn array(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut items = Vec::new();
        if !self.eat(b']') {
            loop {
                items.push(self.value(depth)?);
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }
        Some(Json::Array(items))
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s.get(int_start) == Some(&b'0')) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let text = core::str::from_utf8(self.s.get(start..self.i)?).ok()?;
        Some(Json::Number(String::from(text)))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = char::from(self.next()?).to_digit(16)?;
            v = v << 4 | d;
        }
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        if self.next()? != b'"' {
            return None;
        }
        let mut out = String::new();
        loop {
            // Copy the run of plain bytes at once (the input is valid UTF-8, and '"' and '\\' are ASCII).
            let rest = self.s.get(self.i..)?;
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            out.push_str(core::str::from_utf8(rest.get(..run)?).ok()?);
            self.i += run;
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => {}
                _ => return None, // a control character
            }
            let c = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4()?;
                    let code = if (0xD800..0xDC00).contains(&hi) {
                        if self.next()? != b'\\' || self.next()? != b'u' {
                            return None;
                        }
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    char::from_u32(code)?
                }
                _ => return None,
            };
            out.push(c);
        }
    }
}

/// Writes a JSON object, member by member (the npm package's wasm core answers its JavaScript shell in
/// JSON text, read there with the host's `JSON.parse`).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) struct ObjectWriter(String);

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl ObjectWriter {
    pub(crate) fn new() -> Self {
        ObjectWriter(String::from("{"))
    }

    /// Starts a member: its name (written as is: names are ASCII literals) and the colon.
    fn name(&mut self, name: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(name);
        self.0.push_str("\":");
        &mut self.0
    }

    pub(crate) fn str(&mut self, name: &str, value: &str) -> &mut Self {
        write_string(self.name(name), value);
        self
    }

    /// Absent values are left out.
    pub(crate) fn opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(name, v);
        }
        self
    }

    pub(crate) fn uint(&mut self, name: &str, value: u64) -> &mut Self {
        write_uint(self.name(name), value);
        self
    }

    pub(crate) fn opt_uint(&mut self, name: &str, value: Option<u64>) -> &mut Self {
        if let Some(v) = value {
            self.uint(name, v);
        }
        self
    }

    pub(crate) fn bool(&mut self, name: &str, value: bool) -> &mut Self {
        self.name(name)
            .push_str(if value { "true" } else { "false" });
        self
    }

    /// A member whose value is JSON text already (validated by the caller).
    pub(crate) fn raw(&mut self, name: &str, json: &str) -> &mut Self {
        self.name(name).push_str(json);
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON array of strings.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn string_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        write_string(&mut s, item);
    }
    s.push(']');
    s
}

/// A JSON string literal: quotes, backslashes and control characters escaped.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn write_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Runs that need no escaping are copied at once ('"', '\\' and the controls are ASCII, so every
    // run ends on a character boundary).
    let mut run = 0;
    for (i, b) in value.bytes().enumerate() {
        if b != b'"' && b != b'\\' && b >= 0x20 {
            continue;
        }
        out.push_str(value.get(run..i).unwrap_or_default());
        run = i + 1;
        out.push('\\');
        match b {
            b'"' | b'\\' => out.push(char::from(b)),
            _ => {
                out.push_str("u00");
                for nibble in [b >> 4, b & 15] {
                    out.push(char::from(
                        HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                    ));
                }
            }
        }
    }
    out.push_str(value.get(run..).unwrap_or_default());
    out.push('"');
}

/// Decimal digits, without `core::fmt`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn write_uint(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    fn p(s: &str) -> Option<Json> {
        parse(s.as_bytes())
    }

    #[test]
    fn writes_objects_the_reader_reads_back() {
        let mut w = ObjectWriter::new();
        w.str("s", "a\"b\\c\u{1}\n\u{7f}é")
            .opt_str("none", None)
            .uint("zero", 0)
            .uint("max", u64::MAX)
            .opt_uint("n", Some(1_700_000_000))
            .bool("t", true)
            .raw("raw", "[1,{}]");
        let text = w.finish();
        assert_eq!(
            parse(text.as_bytes()),
            Some(Json::Object(alloc::vec![
                ("s".into(), Json::String("a\"b\\c\u{1}\n\u{7f}é".into())),
                ("zero".into(), Json::Number("0".into())),
                ("max".into(), Json::Number("18446744073709551615".into())),
                ("n".into(), Json::Number("1700000000".into())),
                ("t".into(), Json::Bool(true)),
                (
                    "raw".into(),
                    Json::Array(alloc::vec![
                        Json::Number("1".into()),
                        Json::Object(alloc::vec![])
                    ])
                ),
            ]))
        );
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }

    #[test]
    fn parses_objects_and_values() {
        let v = p(r#" {"a":"x\u00e9\ud83d\ude00\n","b":[1,-2.5e+3,true,false,null],"c":{}} "#);
        let v = v.unwrap_or(Json::Null);
        assert_eq!(v.get("a"), Some(&Json::String(String::from("xé😀\n"))));
        assert!(matches!(v.get("b"), Some(Json::Array(items)) if items.len() == 5));
        assert_eq!(v.get("c"), Some(&Json::Object(Vec::new())));
        assert_eq!(p("0"), Some(Json::Number(String::from("0"))));
        assert_eq!(p("\"\""), Some(Json::String(String::new())));
    }

    #[test]
    fn rejects_what_rfc8259_rejects() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "NaN",
            "'a'",
            "{a:1}",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "{} x",
            "tru",
            "nul",
            "[1 2]",
            "\"abc",
        ] {
            assert_eq!(p(bad), None, "{bad:?} should be rejected");
        }
        assert_eq!(parse(b"\"\xff\""), None);
    }

    #[test]
    fn rejects_duplicate_members() {
        assert_eq!(p(r#"{"a":1,"a":2}"#), None);
        assert_eq!(p(r#"{"a":1,"b":{"c":1,"c":1}}"#), None);
        assert!(p(r#"{"a":1,"A":2}"#).is_some());
    }

    #[test]
    fn limits_members() {
        let members = |n: usize| {
            (0..n)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert!(p(&format!("{{{}}}", members(MAX_MEMBERS))).is_some());
        assert_eq!(p(&format!("{{{}}}", members(MAX_MEMBERS + 1))), None);
    }

    #[test]
    fn limits_depth_without_recursing_forever() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(p(&ok).is_some());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(p(&deep), None);
        assert_eq!(p(&"[".repeat(100_000)), None);
    }
}
