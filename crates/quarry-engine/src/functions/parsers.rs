//! Row kernels that take strings apart into dynamic values: URLs, query strings,
//! paths, CSV records, versions, command lines.

use serde_json::{Map, Value};

use super::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

fn arg<'a>(args: &[In<'a>], i: usize) -> In<'a> {
    args.get(i).copied().unwrap_or(In::Null)
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

fn query_bag(query: &str) -> Value {
    let mut bag = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        bag.insert(decode(k), Value::String(decode(v)));
    }
    Value::Object(bag)
}

/// `parse_url(url)`: the parts of an absolute URL; every part empty when the text is
/// not one.
pub fn parse_url<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let mut parts = [""; 7]; // scheme host port path user password fragment
    let mut query = "";
    if let Some((scheme, rest)) = text.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        parts[0] = scheme;
        let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        parts[6] = fragment;
        let (rest, q) = rest.split_once('?').unwrap_or((rest, ""));
        query = q;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        parts[3] = path;
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (&authority[..i], &authority[i + 1..]),
            None => ("", authority),
        };
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        parts[4] = user;
        parts[5] = password;
        let (host, port) = if hostport.starts_with('[') {
            match hostport.find(']') {
                Some(i) => (
                    &hostport[..=i],
                    hostport[i + 1..].strip_prefix(':').unwrap_or(""),
                ),
                None => (hostport, ""),
            }
        } else {
            hostport.split_once(':').unwrap_or((hostport, ""))
        };
        parts[1] = host;
        parts[2] = port;
    }
    let mut bag = Map::new();
    for (key, value) in ["Scheme", "Host", "Port", "Path", "Username", "Password"]
        .iter()
        .zip(&parts[..6])
    {
        bag.insert((*key).to_string(), Value::String((*value).to_string()));
    }
    bag.insert("Query Parameters".into(), query_bag(query));
    bag.insert("Fragment".into(), Value::String(parts[6].to_string()));
    Ok(Out::owned(Value::Object(bag).to_string()))
}

/// `parse_urlquery(query)`: `{"Query Parameters": {...}}`.
pub fn parse_urlquery<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let query = text.strip_prefix('?').unwrap_or(&text);
    let mut bag = Map::new();
    bag.insert("Query Parameters".into(), query_bag(query));
    Ok(Out::owned(Value::Object(bag).to_string()))
}

/// `parse_path(path)`: Windows, UNC, URI-style and POSIX paths.
pub fn parse_path<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r)) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()) => (s, r),
        _ => ("", text.as_ref()),
    };
    let bytes = rest.as_bytes();
    let root = if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        &rest[..2]
    } else {
        ""
    };
    // An alternate data stream: a ':' after the drive letter's.
    let (path, stream) = match rest[root.len()..].rfind(':') {
        Some(i) => (&rest[..root.len() + i], &rest[root.len() + i + 1..]),
        None => (rest, ""),
    };
    let (dir, file) = match path.rfind(['\\', '/']) {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    let dir_name = match dir.rfind(['\\', '/']) {
        Some(i) => &dir[i + 1..],
        None if dir == root => "",
        None => dir,
    };
    let extension = file.rfind('.').map_or("", |i| &file[i + 1..]);
    let mut bag = Map::new();
    for (k, v) in [
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", extension),
        ("AlternateDataStreamName", stream),
    ] {
        bag.insert(k.to_string(), Value::String(v.to_string()));
    }
    Ok(Out::owned(Value::Object(bag).to_string()))
}

/// `parse_csv(record)`: the fields of the first CSV record (RFC 4180 quoting).
pub fn parse_csv<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(Value::String(std::mem::take(&mut field))),
            ('\n' | '\r', false) => break,
            (other, _) => field.push(other),
        }
    }
    fields.push(Value::String(field));
    Ok(Out::owned(Value::Array(fields).to_string()))
}

/// `parse_version(text)`: up to four numeric parts of up to eight digits each, as one
/// decimal number (part 1 × 10^24 + part 2 × 10^16 + ...), returned as its digit text
/// for the planner to cast; null when malformed.
pub fn parse_version<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let parts: Vec<&str> = text.trim().split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return Ok(Out::Null);
    }
    let mut value: u128 = 0;
    for i in 0..4 {
        let part = match parts.get(i) {
            Some(p) => {
                if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Ok(Out::Null);
                }
                p.parse::<u128>().map_err(|e| e.to_string())?
            }
            None => 0,
        };
        value = value * 100_000_000 + part;
    }
    Ok(Out::owned(value.to_string()))
}

/// `parse_command_line(cmd, "windows")`: the arguments as `CommandLineToArgvW` splits
/// them (backslashes double only before a quote; `""` inside quotes is a quote).
pub fn parse_command_line<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let kind = arg(args, 1).str();
    if !kind.eq_ignore_ascii_case("windows") {
        return Err(format!(
            "parse_command_line(): unsupported parser '{kind}' (only \"windows\")"
        ));
    }
    let text = arg(args, 0).str();
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut arg = String::new();
        if first {
            // The program name: quotes delimit, backslashes are literal.
            first = false;
            if chars[i] == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    arg.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && chars[i] != ' ' && chars[i] != '\t' {
                    arg.push(chars[i]);
                    i += 1;
                }
            }
            out.push(Value::String(arg));
            continue;
        }
        let mut in_quotes = false;
        while i < chars.len() {
            let c = chars[i];
            if (c == ' ' || c == '\t') && !in_quotes {
                break;
            }
            if c == '\\' {
                let mut n = 0;
                while i < chars.len() && chars[i] == '\\' {
                    n += 1;
                    i += 1;
                }
                if i < chars.len() && chars[i] == '"' {
                    arg.extend(std::iter::repeat_n('\\', n / 2));
                    if n % 2 == 1 {
                        arg.push('"');
                        i += 1;
                    }
                } else {
                    arg.extend(std::iter::repeat_n('\\', n));
                }
                continue;
            }
            if c == '"' {
                if in_quotes && chars.get(i + 1) == Some(&'"') {
                    arg.push('"');
                    i += 2;
                    continue;
                }
                in_quotes = !in_quotes;
                i += 1;
                continue;
            }
            arg.push(c);
            i += 1;
        }
        out.push(Value::String(arg));
    }
    Ok(Out::owned(Value::Array(out).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    fn s(v: &str) -> In<'_> {
        In::Str(v)
    }
    fn json(o: Result<Out<'static>, String>) -> Value {
        match o {
            Ok(Out::Str(s)) => serde_json::from_str(&s).unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    #[test]
    fn urls_and_queries() {
        let v = json(run1(
            parse_url,
            &[s("https://u:p@example.com:8443/a/b?x=1&y=%20#top")],
        ));
        assert_eq!(v["Host"], "example.com");
        assert_eq!(v["Port"], "8443");
        assert_eq!(v["Path"], "/a/b");
        assert_eq!(v["Username"], "u");
        assert_eq!(v["Query Parameters"]["y"], " ");
        assert_eq!(v["Fragment"], "top");
        let q = json(run1(parse_urlquery, &[s("a=1&b=two")]));
        assert_eq!(q["Query Parameters"]["b"], "two");
    }

    #[test]
    fn paths() {
        let v = json(run1(parse_path, &[s(r"D:\data\logs\app.log.1")]));
        assert_eq!(v["RootPath"], "D:");
        assert_eq!(v["DirectoryPath"], r"D:\data\logs");
        assert_eq!(v["DirectoryName"], "logs");
        assert_eq!(v["Extension"], "1");
        let v = json(run1(parse_path, &[s("c:/x/y.txt:ads")]));
        assert_eq!(v["AlternateDataStreamName"], "ads");
        assert_eq!(v["Filename"], "y.txt");
    }

    #[test]
    fn csv_versions_command_lines() {
        assert_eq!(
            json(run1(parse_csv, &[s(r#"a,"b,""c""",d"#)])),
            serde_json::json!(["a", "b,\"c\"", "d"])
        );
        assert_eq!(
            run1(parse_version, &[s("1.2")]),
            Ok(Out::owned("1000000020000000000000000".into()))
        );
        assert_eq!(run1(parse_version, &[s("1.x")]), Ok(Out::Null));
        assert_eq!(
            json(run1(
                parse_command_line,
                &[s(r#""C:\p q\a.exe" -x "two words" a\\"b"#), s("windows")]
            )),
            serde_json::json!([r"C:\p q\a.exe", "-x", "two words", r#"a\b"#])
        );
    }
}
