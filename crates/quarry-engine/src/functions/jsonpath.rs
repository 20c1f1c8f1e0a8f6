//! The JSONPath subset Kusto accepts in `extract_json`, `bag_has_key` and friends:
//! `$`, `.name`, `['name']`, `["name"]`, `[index]` (negative from the end).

/// One step down a dynamic value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    Index(i64),
}

/// Parses a JSONPath such as `$.a.b[0]['c d']`; None when it is not one.
pub fn parse_path(path: &str) -> Option<Vec<Step>> {
    let rest = path.trim().strip_prefix('$')?;
    let bytes = rest.as_bytes();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'.' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'.' && bytes[end] != b'[' {
                    end += 1;
                }
                if end == start {
                    return None;
                }
                steps.push(Step::Key(rest[start..end].to_string()));
                i = end;
            }
            b'[' => {
                let close = rest[i..].find(']')? + i;
                let inner = rest[i + 1..close].trim();
                let quoted = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
                match quoted {
                    Some(key) => steps.push(Step::Key(key.to_string())),
                    None => steps.push(Step::Index(inner.parse().ok()?)),
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// A bag key argument: a JSONPath when it starts with `$`, else one property name.
pub fn parse_key(key: &str) -> Option<Vec<Step>> {
    if key.starts_with('$') {
        parse_path(key)
    } else {
        Some(vec![Step::Key(key.to_string())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_into_steps() {
        assert_eq!(parse_path("$"), Some(vec![]));
        assert_eq!(
            parse_path("$.a['b c'][-1].d"),
            Some(vec![
                Step::Key("a".into()),
                Step::Key("b c".into()),
                Step::Index(-1),
                Step::Key("d".into())
            ])
        );
        assert_eq!(parse_path("a.b"), None);
        assert_eq!(parse_path("$.a[x]"), None);
        assert_eq!(parse_key("plain"), Some(vec![Step::Key("plain".into())]));
    }
}
