//! Row kernels for encodings, compression, hashes and punycode.
//!
//! Failures to decode give an empty string, as Kusto's null string is empty.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

fn arg<'a>(args: &[In<'a>], i: usize) -> In<'a> {
    args.get(i).copied().unwrap_or(In::Null)
}

pub fn base64_encode_tostring<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(STANDARD.encode(arg(args, 0).str().as_bytes())))
}

/// Kusto accepts base64 with or without its `=` padding.
fn decode_b64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim();
    STANDARD.decode(trimmed).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed.trim_end_matches('='))
            .ok()
    })
}

/// Invalid base64 or bytes that are not UTF-8: empty.
pub fn base64_decode_tostring<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let decoded = decode_b64(&arg(args, 0).str()).and_then(|b| String::from_utf8(b).ok());
    Ok(Out::owned(decoded.unwrap_or_default()))
}

/// The bytes as a dynamic array of numbers; null when not base64.
pub fn base64_decode_toarray<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(match decode_b64(&arg(args, 0).str()) {
        Some(bytes) => Out::owned(serde_json::Value::from(bytes).to_string()),
        None => Out::Null,
    })
}

pub fn base64_encode_fromarray<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let serde_json::Value::Array(items) = sc.json(&arg(args, 0).str()) else {
        return Ok(Out::borrowed(""));
    };
    let bytes: Option<Vec<u8>> = items
        .iter()
        .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
        .collect();
    Ok(Out::owned(
        bytes.map(|b| STANDARD.encode(b)).unwrap_or_default(),
    ))
}

/// .NET's `Guid.ToByteArray` order: the first three groups little-endian.
fn guid_bytes(text: &str) -> Option<[u8; 16]> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut raw = [0u8; 16];
    for (i, b) in raw.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    raw[0..4].reverse();
    raw[4..6].reverse();
    raw[6..8].reverse();
    Some(raw)
}

pub fn base64_encode_fromguid<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(match guid_bytes(&arg(args, 0).str()) {
        Some(b) => Out::owned(STANDARD.encode(b)),
        None => Out::Null,
    })
}

pub fn base64_decode_toguid<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(mut b) = decode_b64(&arg(args, 0).str()).filter(|b| b.len() == 16) else {
        return Ok(Out::Null);
    };
    b[0..4].reverse();
    b[4..6].reverse();
    b[6..8].reverse();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(Out::owned(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )))
}

/// Unreserved characters (RFC 3986) stay; everything else is `%xx`, lower-case hex
/// as Kusto prints it.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

pub fn url_encode<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(percent_encode(&arg(args, 0).str())))
}

pub fn url_decode<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let decoded = percent_encoding::percent_decode_str(&text).decode_utf8();
    Ok(match decoded {
        Ok(s) => Out::owned(s.into_owned()),
        Err(_) => Out::Null,
    })
}

/// When deflate gains nothing (short inputs), the data are stored, as Kusto does.
fn deflate_raw(data: &[u8]) -> Result<Vec<u8>, String> {
    let run = |level| -> std::io::Result<Vec<u8>> {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), level);
        enc.write_all(data)?;
        enc.finish()
    };
    let compressed = run(flate2::Compression::fast()).map_err(|e| e.to_string())?;
    if compressed.len() >= data.len() {
        return run(flate2::Compression::none()).map_err(|e| e.to_string());
    }
    Ok(compressed)
}

pub fn gzip_compress<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let data = text.as_bytes();
    if data.is_empty() {
        return Ok(Out::borrowed(""));
    }
    // Header as Kusto writes it: no name, no mtime, OS "unknown".
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(deflate_raw(data)?);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend(crc.sum().to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    Ok(Out::owned(STANDARD.encode(out)))
}

pub fn zlib_compress<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let text = arg(args, 0).str();
    let data = text.as_bytes();
    if data.is_empty() {
        return Ok(Out::borrowed(""));
    }
    let mut out = vec![0x78, 0x01];
    out.extend(deflate_raw(data)?);
    out.extend(adler32(data).to_be_bytes());
    Ok(Out::owned(STANDARD.encode(out)))
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

fn inflate(text: &str, gzip: bool) -> Option<String> {
    let bytes = decode_b64(text)?;
    let mut out = String::new();
    let ok = if gzip {
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut out)
    } else {
        flate2::read::ZlibDecoder::new(&bytes[..]).read_to_string(&mut out)
    };
    ok.ok().map(|_| out)
}

pub fn gzip_decompress<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(
        inflate(&arg(args, 0).str(), true).unwrap_or_default(),
    ))
}

pub fn zlib_decompress<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(
        inflate(&arg(args, 0).str(), false).unwrap_or_default(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub fn hash_md5<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    use md5::Digest;
    Ok(Out::owned(hex(&md5::Md5::digest(
        arg(args, 0).str().as_bytes(),
    ))))
}

pub fn hash_sha1<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    use sha1::Digest;
    Ok(Out::owned(hex(&sha1::Sha1::digest(
        arg(args, 0).str().as_bytes(),
    ))))
}

pub fn hash_sha256<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    use sha2::Digest;
    Ok(Out::owned(hex(&sha2::Sha256::digest(
        arg(args, 0).str().as_bytes(),
    ))))
}

/// `hash(value[, mod])`: XXH64 (seed 0) of the value's text, as a signed long; with
/// `mod`, the unsigned hash modulo `mod`.
pub fn hash_xxhash64<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    hash_with_mod(
        twox_hash::XxHash64::oneshot(0, arg(args, 0).str().as_bytes()),
        args,
    )
}

fn hash_with_mod<'a>(h: u64, args: &[In<'a>]) -> R<'a> {
    if args.len() > 1 {
        return Ok(match arg(args, 1).i64() {
            Some(m) if m > 0 => Out::I64((h % m as u64) as i64),
            _ => Out::Null,
        });
    }
    Ok(Out::I64(h as i64))
}

/// `hash()` of a number-like value hashes its 8 little-endian bytes (datetimes and
/// timespans as .NET ticks, which the planner passes), as Kusto does.
pub fn hash_xxhash64_i64<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(v) = arg(args, 0).i64() else {
        return Ok(Out::Null);
    };
    hash_with_mod(twox_hash::XxHash64::oneshot(0, &v.to_le_bytes()), args)
}

pub fn hash_xxhash64_f64<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(v) = arg(args, 0).f64() else {
        return Ok(Out::Null);
    };
    hash_with_mod(twox_hash::XxHash64::oneshot(0, &v.to_le_bytes()), args)
}

pub fn punycode_from_string<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_str(idna::punycode::encode_str(
        &arg(args, 0).str(),
    )))
}

pub fn punycode_to_string<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_str(idna::punycode::decode_to_string(
        &arg(args, 0).str(),
    )))
}

/// Labels split on the dots IDNA recognises (`.`, `。`, `．`, `｡`), joined with `.`.
fn labels(domain: &str) -> impl Iterator<Item = &str> {
    domain.split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'])
}

pub fn punycode_domain_to_string<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let domain = arg(args, 0).str();
    let mut parts = Vec::new();
    for label in labels(&domain) {
        if label.is_ascii() {
            parts.push(label.to_string());
        } else {
            match idna::punycode::encode_str(label) {
                Some(enc) => parts.push(format!("xn--{enc}")),
                None => return Ok(Out::Null),
            }
        }
    }
    Ok(Out::owned(parts.join(".")))
}

pub fn punycode_domain_from_string<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let domain = arg(args, 0).str();
    let mut parts = Vec::new();
    for label in labels(&domain) {
        match label.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("xn--") => {
                match idna::punycode::decode_to_string(&label[4..]) {
                    Some(dec) => parts.push(dec),
                    None => return Ok(Out::Null),
                }
            }
            _ => parts.push(label.to_string()),
        }
    }
    Ok(Out::owned(parts.join(".")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    fn s(v: &str) -> In<'_> {
        In::Str(v)
    }
    fn text(o: Result<Out<'static>, String>) -> String {
        match o {
            Ok(Out::Str(s)) => s.into_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn base64_round_trips_and_rejects_bad_input() {
        assert_eq!(
            text(run1(base64_encode_tostring, &[s("Quarry")])),
            "UXVhcnJ5"
        );
        assert_eq!(
            text(run1(base64_decode_tostring, &[s("UXVhcnJ5")])),
            "Quarry"
        );
        assert_eq!(text(run1(base64_decode_tostring, &[s("!!")])), "");
        assert_eq!(text(run1(base64_decode_tostring, &[In::Null])), "");
        assert_eq!(text(run1(base64_decode_toarray, &[s("AQI=")])), "[1,2]");
        assert_eq!(text(run1(base64_encode_fromarray, &[s("[1,2]")])), "AQI=");
        let g = "00112233-4455-6677-8899-aabbccddeeff";
        let enc = text(run1(base64_encode_fromguid, &[s(g)]));
        assert_eq!(text(run1(base64_decode_toguid, &[s(&enc)])), g);
    }

    #[test]
    fn compression_round_trips() {
        let long = "abc".repeat(100);
        for input in ["x", long.as_str()] {
            let gz = text(run1(gzip_compress, &[s(input)]));
            assert_eq!(text(run1(gzip_decompress, &[s(&gz)])), input);
            let z = text(run1(zlib_compress, &[s(input)]));
            assert_eq!(text(run1(zlib_decompress, &[s(&z)])), input);
        }
        assert_eq!(text(run1(gzip_decompress, &[s("nope")])), "");
    }

    #[test]
    fn hashes_and_urls() {
        assert_eq!(
            text(run1(hash_md5, &[s("")])),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            text(run1(hash_sha1, &[s("abc")])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(run1(hash_xxhash64, &[s(""), In::I64(0)]), Ok(Out::Null));
        assert_eq!(
            run1(hash_xxhash64, &[s("")]),
            Ok(Out::I64(0xef46db3751d8e999_u64 as i64))
        );
        assert_eq!(text(run1(url_encode, &[s("a b/é")])), "a%20b%2f%c3%a9");
        assert_eq!(text(run1(url_decode, &[s("a%20b%2F%c3%a9")])), "a b/é");
    }

    #[test]
    fn punycode() {
        assert_eq!(
            text(run1(punycode_from_string, &[s("bücher")])),
            "bcher-kva"
        );
        assert_eq!(text(run1(punycode_to_string, &[s("bcher-kva")])), "bücher");
        assert_eq!(
            text(run1(punycode_domain_to_string, &[s("bücher.de")])),
            "xn--bcher-kva.de"
        );
        assert_eq!(
            text(run1(punycode_domain_from_string, &[s("xn--bcher-kva.de")])),
            "bücher.de"
        );
    }
}
