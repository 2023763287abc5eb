//! Go template builtins, and the Helm and Sprig functions charts use, with Go's and Sprig's
//! semantics (argument order, type rules, errors). Functions that need the template set
//! (`include`, `tpl`, `required`, `fail`) live in the executor.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::data::{Kind, Origin, Seg, Text, Val};
use super::gofmt;
use crate::source::Span;
use crate::value::Value;

#[derive(Debug)]
pub enum FuncError {
    /// Helm fails with this message.
    Error(String),
    /// aksguard does not implement this function.
    Unsupported,
}

type Result<T> = std::result::Result<T, FuncError>;

fn err<T>(message: impl Into<String>) -> Result<T> {
    Err(FuncError::Error(message.into()))
}

/// Functions whose value only the cluster, the clock or a random source knows.
fn unknowable(name: &str) -> Option<&'static str> {
    Some(match name {
        "lookup" => "`lookup` reads the live cluster, which a static scan cannot",
        "now" | "date" | "dateInZone" | "date_in_zone" | "unixEpoch" | "dateModify" | "ago"
        | "htmlDate" | "htmlDateInZone" => "the function reads the clock at install time",
        "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" | "randInt" | "randBytes"
        | "uuidv4" | "shuffle" => "the function returns a random value at install time",
        "genPrivateKey"
        | "genCA"
        | "genCAWithKey"
        | "genSelfSignedCert"
        | "genSelfSignedCertWithKey"
        | "genSignedCert"
        | "genSignedCertWithKey"
        | "derivePassword"
        | "encryptAES"
        | "decryptAES"
        | "bcrypt"
        | "htpasswd"
        | "randString" => "the function generates secrets at install time",
        "getHostByName" => "`getHostByName` resolves DNS at install time",
        _ => return None,
    })
}

/// Functions that accept unknown arguments and keep them inside their result.
fn passes_unknowns(name: &str) -> bool {
    matches!(
        name,
        "list"
            | "tuple"
            | "dict"
            | "append"
            | "push"
            | "prepend"
            | "set"
            | "merge"
            | "mergeOverwrite"
            | "toYaml"
            | "mustToYaml"
            | "toYamlPretty"
            | "concat"
            | "hasKey"
            | "get"
            | "pluck"
            | "index"
            | "ternary"
            | "first"
            | "last"
            | "dig"
            | "deepCopy"
            | "mustDeepCopy"
            | "default"
            | "coalesce"
    )
}

/// Functions that carry text through with the origin of each part.
fn keeps_segments(name: &str) -> bool {
    matches!(name, "nindent" | "indent" | "trim")
}

/// The reason of an unknown value printed inside text.
fn unknown_inside(value: &Val) -> Option<String> {
    match &value.kind {
        Kind::Str(text) => text.segs.iter().find_map(|seg| match &seg.origin {
            Origin::Unknown { reason, .. } => Some(reason.to_string()),
            _ => None,
        }),
        _ => None,
    }
}

pub fn call(
    name: &str,
    args: &[Val],
    parse_yaml: &dyn Fn(&str) -> std::result::Result<Vec<Value>, String>,
) -> Result<Val> {
    super::data::reset_walk();
    if let Some(reason) = unknowable(name) {
        return Ok(Val::unknown(format!("{reason} ({name})")));
    }
    if !passes_unknowns(name) {
        if let Some(unknown) = args.iter().find(|a| a.unknown_reason().is_some()) {
            return Ok(unknown.clone());
        }
        // Text that holds an unknown value (an `include` that printed one) is unknown to any
        // function that reads its characters; only those that move text keep the parts apart.
        if !keeps_segments(name) {
            if let Some(reason) = args.iter().find_map(unknown_inside) {
                return Ok(Val::unknown(reason));
            }
        }
    }
    // Functions below that read their first argument without their own arity check.
    let needs_one = matches!(
        name,
        "first"
            | "mustFirst"
            | "last"
            | "mustLast"
            | "rest"
            | "mustRest"
            | "initial"
            | "mustInitial"
            | "reverse"
            | "mustReverse"
            | "uniq"
            | "mustUniq"
            | "compact"
            | "mustCompact"
    );
    if needs_one && args.is_empty() {
        return err(format!("wrong number of args for {name}: want 1 got 0"));
    }
    let arity = |n: usize| -> Result<()> {
        if args.len() == n {
            Ok(())
        } else {
            err(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            ))
        }
    };
    let s = |i: usize| -> String { args.get(i).map(strval).unwrap_or_default() };
    Ok(match name {
        // Go builtins.
        "not" => {
            arity(1)?;
            Val::bool(!args[0].truthy())
        }
        "eq" => {
            if args.len() < 2 {
                return err("missing argument for comparison");
            }
            let mut truth = false;
            for other in &args[1..] {
                if equal(&args[0], other)? {
                    truth = true;
                    break;
                }
            }
            Val::bool(truth)
        }
        "ne" => {
            arity(2)?;
            Val::bool(!equal(&args[0], &args[1])?)
        }
        "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            let ordering = compare(&args[0], &args[1])?;
            Val::bool(match name {
                "lt" => ordering.is_lt(),
                "le" => ordering.is_le(),
                "gt" => ordering.is_gt(),
                _ => ordering.is_ge(),
            })
        }
        "len" => {
            arity(1)?;
            Val::int(match &args[0].kind {
                Kind::Str(t) => t.s.len(),
                Kind::List(l) => l.len(),
                Kind::Map(m) => m.borrow().len(),
                Kind::Files(f) => f.len(),
                Kind::ApiVersions(v) => v.len(),
                _ => return err(format!("len of type {}", args[0].type_name())),
            } as i64)
        }
        "index" => {
            let Some((first, keys)) = args.split_first() else {
                return err("wrong number of args for index");
            };
            let mut item = first.clone();
            for key in keys {
                item = match (&item.kind, &key.kind) {
                    (Kind::Unknown(_), _) => item,
                    (Kind::Map(m), Kind::Str(k)) => {
                        m.borrow().get(&k.s).cloned().unwrap_or_else(Val::nil)
                    }
                    (Kind::Map(_), _) => return err("value has type int; should be string"),
                    (Kind::List(l), Kind::Int(i)) => {
                        match usize::try_from(*i).ok().and_then(|i| l.get(i)) {
                            Some(v) => v.clone(),
                            None => return err(format!("index out of range: {i}")),
                        }
                    }
                    (Kind::Str(t), Kind::Int(i)) => {
                        match usize::try_from(*i).ok().and_then(|i| t.s.as_bytes().get(i)) {
                            Some(b) => Val::int(*b as i64),
                            None => return err(format!("index out of range: {i}")),
                        }
                    }
                    (Kind::Nil, _) => return err("index of untyped nil"),
                    _ => return err(format!("can't index item of type {}", item.type_name())),
                };
            }
            item
        }
        "slice" => {
            let Some((first, bounds)) = args.split_first() else {
                return err("wrong number of args for slice");
            };
            let bounds: Vec<usize> = bounds.iter().map(|b| to_int(b).max(0) as usize).collect();
            match &first.kind {
                Kind::List(l) => {
                    let start = bounds.first().copied().unwrap_or(0);
                    let end = bounds.get(1).copied().unwrap_or(l.len());
                    if start > end || end > l.len() {
                        return err("slice: index out of range");
                    }
                    Val::list(l[start..end].to_vec())
                }
                Kind::Str(t) => {
                    let start = bounds.first().copied().unwrap_or(0);
                    let end = bounds.get(1).copied().unwrap_or(t.s.len());
                    match t.s.get(start..end) {
                        Some(part) => Val::str(part),
                        None => return err("slice: index out of range"),
                    }
                }
                _ => return err(format!("can't slice item of type {}", first.type_name())),
            }
        }
        "print" => Val::str(gofmt::sprint(args)),
        "println" => Val::str(format!(
            "{}\n",
            args.iter().map(gofmt::v).collect::<Vec<_>>().join(" ")
        )),
        "printf" => {
            let Some((format, rest)) = args.split_first() else {
                return err("wrong number of args for printf");
            };
            Val::str(gofmt::sprintf(&strval(format), rest))
        }
        "html" | "js" | "urlquery" | "call" => return Err(FuncError::Unsupported),

        // Sprig: defaults and logic.
        "default" => {
            let Some(default) = args.first() else {
                return err("wrong number of args for default");
            };
            match args.get(1) {
                Some(given) if !is_empty(given) => given.clone(),
                _ => default.clone(),
            }
        }
        "empty" => {
            arity(1)?;
            Val::bool(is_empty(&args[0]))
        }
        "coalesce" => args
            .iter()
            .find(|a| !is_empty(a))
            .cloned()
            .unwrap_or_else(Val::nil),
        "ternary" => {
            arity(3)?;
            if args[2].unknown_reason().is_some() {
                return Ok(args[2].clone());
            }
            let Kind::Bool(b) = args[2].kind else {
                return err("ternary: the condition is not a bool");
            };
            if b {
                args[0].clone()
            } else {
                args[1].clone()
            }
        }
        "fromYaml" | "fromJson" => {
            arity(1)?;
            let text = s(0);
            let parsed = if name == "fromJson" {
                crate::frontend::json::parse(crate::source::FileId(0), &text)
                    .map(|v| v.into_iter().collect::<Vec<_>>())
                    .map_err(|e| e.message)
            } else {
                parse_yaml(&text)
            };
            match parsed {
                Ok(documents) => match documents.into_iter().next() {
                    Some(value) => match super::data::from_value(&value).at(None) {
                        map @ Val {
                            kind: Kind::Map(_), ..
                        } => strip_spans(&map),
                        _ => Val::map(BTreeMap::new()),
                    },
                    None => Val::map(BTreeMap::new()),
                },
                Err(message) => {
                    let mut map = BTreeMap::new();
                    map.insert("Error".to_string(), Val::str(message));
                    Val::map(map)
                }
            }
        }
        "fromYamlArray" | "fromJsonArray" => {
            arity(1)?;
            let text = s(0);
            let parsed = if name == "fromJsonArray" {
                crate::frontend::json::parse(crate::source::FileId(0), &text)
                    .map(|v| v.into_iter().collect::<Vec<_>>())
                    .map_err(|e| e.message)
            } else {
                parse_yaml(&text)
            };
            match parsed.map(|d| d.into_iter().next()) {
                Ok(Some(value)) => match strip_spans(&super::data::from_value(&value)) {
                    list @ Val {
                        kind: Kind::List(_),
                        ..
                    } => list,
                    _ => Val::list(vec![Val::str(
                        "json: cannot unmarshal object into Go value of type []interface {}",
                    )]),
                },
                Ok(None) => Val::list(Vec::new()),
                Err(message) => Val::list(vec![Val::str(message)]),
            }
        }
        "toYaml" | "mustToYaml" | "toYamlPretty" => {
            arity(1)?;
            Val::text(to_yaml(&args[0]))
        }
        "toJson" | "mustToJson" | "toRawJson" | "mustToRawJson" => {
            arity(1)?;
            let mut out = String::new();
            to_json(&args[0], &mut out, !name.contains("Raw"));
            Val::str(out)
        }
        "toPrettyJson" | "mustToPrettyJson" => {
            arity(1)?;
            let mut out = String::new();
            to_json(&args[0], &mut out, true);
            let pretty = serde_json::from_str::<serde_json::Value>(&out)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(out);
            Val::str(pretty)
        }

        // Strings.
        "quote" => Val::str(
            args.iter()
                .filter(|a| !a.is_nil())
                .map(|a| gofmt::quote(&strval(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Val::str(
            args.iter()
                .filter(|a| !a.is_nil())
                .map(|a| format!("'{}'", strval(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "cat" => Val::str(
            args.iter()
                .filter(|a| !a.is_nil())
                .map(strval)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "nindent" | "indent" => {
            arity(2)?;
            let width = to_int(&args[0]).clamp(0, 10_000) as usize;
            let pad = " ".repeat(width);
            let text = text_of(&args[1]);
            let lines = text.s.bytes().filter(|b| *b == b'\n').count() + 1;
            if lines.saturating_mul(width).saturating_add(text.s.len()) > super::exec::MAX_OUTPUT {
                return err(format!(
                    "{name}: result larger than the bound of {} bytes",
                    super::exec::MAX_OUTPUT
                ));
            }
            let indented = text.indent_lines(&pad, true);
            if name == "nindent" {
                let mut out = Text::plain("\n");
                out.push_text(&indented);
                Val::text(out)
            } else {
                Val::text(indented)
            }
        }
        "trim" => {
            arity(1)?;
            let text = text_of(&args[0]);
            let start = text.s.len() - text.s.trim_start().len();
            let end = text.s.trim_end().len();
            Val::text(text.slice(start..end.max(start)))
        }
        "trimAll" => {
            arity(2)?;
            let cutset: Vec<char> = s(0).chars().collect();
            Val::str(s(1).trim_matches(|c| cutset.contains(&c)))
        }
        "trimPrefix" => {
            arity(2)?;
            let (prefix, text) = (s(0), s(1));
            Val::str(text.strip_prefix(prefix.as_str()).unwrap_or(&text))
        }
        "trimSuffix" => {
            arity(2)?;
            let (suffix, text) = (s(0), s(1));
            Val::str(text.strip_suffix(suffix.as_str()).unwrap_or(&text))
        }
        "upper" => Val::str(s(0).to_uppercase()),
        "lower" => Val::str(s(0).to_lowercase()),
        "title" => Val::str(title(&s(0))),
        "untitle" => Val::str({
            let text = s(0);
            let mut out = String::new();
            let mut start = true;
            for c in text.chars() {
                if start && !c.is_whitespace() {
                    out.extend(c.to_lowercase());
                } else {
                    out.push(c);
                }
                start = c.is_whitespace();
            }
            out
        }),
        "replace" => {
            arity(3)?;
            Val::str(s(2).replace(&s(0), &s(1)))
        }
        "contains" => {
            arity(2)?;
            Val::bool(s(1).contains(&s(0)))
        }
        "hasPrefix" => {
            arity(2)?;
            Val::bool(s(1).starts_with(&s(0)))
        }
        "hasSuffix" => {
            arity(2)?;
            Val::bool(s(1).ends_with(&s(0)))
        }
        "repeat" => {
            arity(2)?;
            let count = to_int(&args[0]).clamp(0, 100_000) as usize;
            let text = s(1);
            if text.len().saturating_mul(count) > super::exec::MAX_OUTPUT {
                return err("repeat: result too large");
            }
            Val::str(text.repeat(count))
        }
        "trunc" => {
            arity(2)?;
            let n = to_int(&args[0]);
            let text = s(1);
            let len = text.len() as i64;
            let part = if n < 0 {
                text.get((len + n).max(0) as usize..).unwrap_or(&text)
            } else {
                text.get(..(n.min(len)) as usize).unwrap_or(&text)
            };
            Val::str(part)
        }
        "substr" => {
            arity(3)?;
            let text = s(2);
            let (start, end) = (to_int(&args[0]), to_int(&args[1]));
            let len = text.len() as i64;
            let start = if start < 0 { 0 } else { start.min(len) };
            let end = if end < 0 || end > len { len } else { end };
            Val::str(
                text.get(start as usize..end.max(start) as usize)
                    .unwrap_or_default(),
            )
        }
        "nospace" => Val::str(
            s(0).chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        ),
        "kebabcase" | "snakecase" => {
            let sep = if name == "kebabcase" { '-' } else { '_' };
            Val::str(split_words(&s(0)).join(&sep.to_string()).to_lowercase())
        }
        "camelcase" => Val::str(
            s(0).split(['_', '-', ' '])
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<String>(),
        ),
        "atoi" => {
            arity(1)?;
            Val::int(s(0).trim().parse::<i64>().unwrap_or(0))
        }
        "base" | "dir" | "ext" | "clean" | "isAbs" => {
            arity(1)?;
            let path = s(0);
            match name {
                "base" => Val::str(go_base(&path)),
                "dir" => Val::str(go_clean(match path.rfind('/') {
                    Some(i) => &path[..i.max(usize::from(path.starts_with('/')))],
                    None => ".",
                })),
                "ext" => {
                    let base = path.rsplit('/').next().unwrap_or("");
                    Val::str(base.rfind('.').map_or("", |i| &base[i..]))
                }
                "clean" => Val::str(go_clean(&path)),
                _ => Val::bool(path.starts_with('/')),
            }
        }
        "all" => Val::bool(args.iter().all(|a| !is_empty(a))),
        "any" => Val::bool(args.iter().any(|a| !is_empty(a))),
        "deepEqual" => {
            arity(2)?;
            Val::bool(deep_equal(&args[0], &args[1]))
        }
        "abbrev" => {
            arity(2)?;
            let width = to_int(&args[0]);
            let text = s(1);
            let chars: Vec<char> = text.chars().collect();
            if width < 4 || chars.len() as i64 <= width {
                Val::str(text)
            } else {
                Val::str(chars[..(width as usize - 3)].iter().collect::<String>() + "...")
            }
        }
        "wrap" | "wrapWith" | "abbrevboth" | "initials" | "plural" | "swapcase" | "shuffle_" => {
            return Err(FuncError::Unsupported)
        }
        "split" => {
            arity(2)?;
            let mut map = BTreeMap::new();
            for (i, part) in s(1).split(s(0).as_str()).enumerate() {
                map.insert(format!("_{i}"), Val::str(part));
            }
            Val::map(map)
        }
        "splitList" => {
            arity(2)?;
            Val::list(s(1).split(s(0).as_str()).map(Val::str).collect())
        }
        "splitn" => {
            arity(3)?;
            let mut map = BTreeMap::new();
            let n = to_int(&args[1]).max(0) as usize;
            for (i, part) in s(2).splitn(n, s(0).as_str()).enumerate() {
                map.insert(format!("_{i}"), Val::str(part));
            }
            Val::map(map)
        }
        "join" => {
            arity(2)?;
            let items: Vec<String> = match &args[1].kind {
                Kind::List(items) => items.iter().map(strval).collect(),
                Kind::Nil => Vec::new(),
                _ => vec![strval(&args[1])],
            };
            Val::str(items.join(&s(0)))
        }
        "sortAlpha" => {
            arity(1)?;
            let mut items: Vec<String> = list_of(&args[0])?.iter().map(strval).collect();
            items.sort();
            Val::list(items.into_iter().map(Val::str).collect())
        }
        "toString" => {
            arity(1)?;
            let mut value = Val::str(strval(&args[0]));
            value.at = args[0].at;
            value
        }
        "toStrings" => {
            arity(1)?;
            Val::list(
                list_of(&args[0])?
                    .iter()
                    .map(|v| Val::str(strval(v)))
                    .collect(),
            )
        }
        "regexMatch" | "mustRegexMatch" => {
            arity(2)?;
            Val::bool(regex(&s(0))?.is_match(&s(1)))
        }
        "regexFind" | "mustRegexFind" => {
            arity(2)?;
            Val::str(
                regex(&s(0))?
                    .find(&s(1))
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default(),
            )
        }
        "regexFindAll" | "mustRegexFindAll" => {
            arity(3)?;
            let n = to_int(&args[2]);
            let text = s(1);
            let found = regex(&s(0))?
                .find_iter(&text)
                .map(|m| Val::str(m.as_str()))
                .collect::<Vec<_>>();
            let found = if n >= 0 {
                found.into_iter().take(n as usize).collect()
            } else {
                found
            };
            Val::list(found)
        }
        "regexReplaceAll" | "mustRegexReplaceAll" => {
            arity(3)?;
            let replacement = go_expand(&s(2));
            Val::str(
                regex(&s(0))?
                    .replace_all(&s(1), replacement.as_str())
                    .into_owned(),
            )
        }
        "regexReplaceAllLiteral" | "mustRegexReplaceAllLiteral" => {
            arity(3)?;
            Val::str(
                regex(&s(0))?
                    .replace_all(&s(1), regex::NoExpand(&s(2)))
                    .into_owned(),
            )
        }
        "regexSplit" | "mustRegexSplit" => {
            arity(3)?;
            let text = s(1);
            let n = to_int(&args[2]);
            let re = regex(&s(0))?;
            let parts: Vec<Val> = if n < 0 {
                re.split(&text).map(Val::str).collect()
            } else {
                re.splitn(&text, n as usize).map(Val::str).collect()
            };
            Val::list(parts)
        }
        "b64enc" => Val::str(crate::encoding::base64_encode(s(0).as_bytes())),
        "b64dec" => Val::str(match base64_decode(&s(0)) {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => "illegal base64 data".to_string(),
        }),
        "sha256sum" => Val::str(crate::encoding::sha256_hex(s(0).as_bytes())),
        "sha1sum" => Val::str(crate::encoding::sha1_hex(s(0).as_bytes())),
        "adler32sum" => Val::str({
            let (mut a, mut b) = (1u32, 0u32);
            for byte in s(0).bytes() {
                a = (a + byte as u32) % 65521;
                b = (b + a) % 65521;
            }
            ((b << 16) | a).to_string()
        }),
        "semverCompare" => {
            arity(2)?;
            let Some(version) = semver_parse(&s(1)) else {
                return err(format!("invalid semantic version {:?}", s(1)));
            };
            Val::bool(semver_satisfies(&s(0), &version)?)
        }
        "semver" | "mustSemver" => {
            arity(1)?;
            let text = s(0);
            let Some(version) = semver_parse(&text) else {
                return err(format!("invalid semantic version {text:?}"));
            };
            let metadata = text
                .split_once('+')
                .map(|(_, m)| m.to_string())
                .unwrap_or_default();
            let [major, minor, patch] = version.numbers;
            let mut shown = format!("{major}.{minor}.{patch}");
            if !version.pre.is_empty() {
                shown.push_str(&format!("-{}", version.pre));
            }
            if !metadata.is_empty() {
                shown.push_str(&format!("+{metadata}"));
            }
            Val::new(Kind::Struct(Rc::new(super::data::Struct {
                type_name: "*semver.Version",
                shown: Some(shown),
                fields: BTreeMap::from([
                    ("Major".to_string(), Val::int(major as i64)),
                    ("Minor".to_string(), Val::int(minor as i64)),
                    ("Patch".to_string(), Val::int(patch as i64)),
                    ("Prerelease".to_string(), Val::str(version.pre.clone())),
                    ("Metadata".to_string(), Val::str(metadata)),
                    ("Original".to_string(), Val::str(text.clone())),
                ]),
            })))
        }
        "regexQuoteMeta" => {
            arity(1)?;
            let mut out = String::new();
            for c in s(0).chars() {
                if "\\.+*?()|[]{}^$".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            Val::str(out)
        }

        // Numbers.
        "int" | "int64" => {
            arity(1)?;
            Val::int(to_int(&args[0]))
        }
        "float64" => {
            arity(1)?;
            Val::float(to_float(&args[0]))
        }
        "add" => Val::int(args.iter().map(to_int).fold(0i64, i64::wrapping_add)),
        "add1" => Val::int(to_int(args.first().unwrap_or(&Val::int(0))).wrapping_add(1)),
        "sub" => {
            arity(2)?;
            Val::int(to_int(&args[0]).wrapping_sub(to_int(&args[1])))
        }
        "mul" => Val::int(args.iter().map(to_int).fold(1i64, i64::wrapping_mul)),
        "div" | "mod" => {
            arity(2)?;
            let (a, b) = (to_int(&args[0]), to_int(&args[1]));
            if b == 0 {
                return err("runtime error: integer divide by zero");
            }
            Val::int(if name == "div" {
                a.wrapping_div(b)
            } else {
                a.wrapping_rem(b)
            })
        }
        "max" | "min" => {
            let values: Vec<i64> = args.iter().map(to_int).collect();
            let pick = if name == "max" {
                values.iter().max()
            } else {
                values.iter().min()
            };
            Val::int(pick.copied().unwrap_or(0))
        }
        "addf" => Val::float(args.iter().map(to_float).sum()),
        "subf" => Val::float(
            args.iter()
                .map(to_float)
                .reduce(|a, b| a - b)
                .unwrap_or(0.0),
        ),
        "mulf" => Val::float(args.iter().map(to_float).product()),
        "divf" => Val::float(
            args.iter()
                .map(to_float)
                .reduce(|a, b| a / b)
                .unwrap_or(0.0),
        ),
        "floor" => Val::float(to_float(args.first().unwrap_or(&Val::nil())).floor()),
        "ceil" => Val::float(to_float(args.first().unwrap_or(&Val::nil())).ceil()),
        "round" => Val::float(to_float(args.first().unwrap_or(&Val::nil())).round()),
        "until" => {
            arity(1)?;
            let n = to_int(&args[0]).clamp(0, 100_000);
            Val::list((0..n).map(Val::int).collect())
        }
        "untilStep" => {
            arity(3)?;
            let (start, stop, step) = (to_int(&args[0]), to_int(&args[1]), to_int(&args[2]));
            let mut items = Vec::new();
            let mut i = start;
            while step != 0
                && ((step > 0 && i < stop) || (step < 0 && i > stop))
                && items.len() < 100_000
            {
                items.push(Val::int(i));
                i += step;
            }
            Val::list(items)
        }
        "seq" => return Err(FuncError::Unsupported),

        // Lists.
        "list" | "tuple" => Val::list(args.to_vec()),
        "append" | "push" | "mustAppend" | "mustPush" => {
            arity(2)?;
            let mut items = list_of(&args[0])?;
            items.push(args[1].clone());
            Val::list(items)
        }
        "prepend" | "mustPrepend" => {
            arity(2)?;
            let mut items = list_of(&args[0])?;
            items.insert(0, args[1].clone());
            Val::list(items)
        }
        "concat" => {
            let mut items = Vec::new();
            for arg in args {
                items.extend(list_of(arg)?);
            }
            Val::list(items)
        }
        "first" | "mustFirst" => list_of(&args[0])?.first().cloned().unwrap_or_else(Val::nil),
        "last" | "mustLast" => list_of(&args[0])?.last().cloned().unwrap_or_else(Val::nil),
        "rest" | "mustRest" => Val::list(list_of(&args[0])?.into_iter().skip(1).collect()),
        "initial" | "mustInitial" => {
            let mut items = list_of(&args[0])?;
            items.pop();
            Val::list(items)
        }
        "reverse" | "mustReverse" => {
            let mut items = list_of(&args[0])?;
            items.reverse();
            Val::list(items)
        }
        "has" | "mustHas" => {
            arity(2)?;
            let items = list_of(&args[1])?;
            Val::bool(items.iter().any(|i| deep_equal(i, &args[0])))
        }
        "without" | "mustWithout" => {
            let Some((list, remove)) = args.split_first() else {
                return err("wrong number of args for without");
            };
            Val::list(
                list_of(list)?
                    .into_iter()
                    .filter(|i| !remove.iter().any(|r| deep_equal(i, r)))
                    .collect(),
            )
        }
        "uniq" | "mustUniq" => {
            let mut out: Vec<Val> = Vec::new();
            for item in list_of(&args[0])? {
                if !out.iter().any(|o| deep_equal(o, &item)) {
                    out.push(item);
                }
            }
            Val::list(out)
        }
        "compact" | "mustCompact" => Val::list(
            list_of(&args[0])?
                .into_iter()
                .filter(|i| !is_empty(i))
                .collect(),
        ),

        // Dictionaries.
        "dict" => {
            let mut map = BTreeMap::new();
            for pair in args.chunks(2) {
                let key = strval(&pair[0]);
                map.insert(key, pair.get(1).cloned().unwrap_or_else(Val::nil));
            }
            Val::map(map)
        }
        "hasKey" => {
            arity(2)?;
            let map = map_of(&args[0])?;
            let found = map.borrow().contains_key(&s(1));
            Val::bool(found)
        }
        "get" => {
            arity(2)?;
            let map = map_of(&args[0])?;
            let found = map.borrow().get(&s(1)).cloned();
            found.unwrap_or_else(|| Val::str(""))
        }
        "set" => {
            arity(3)?;
            let map = map_of(&args[0])?;
            map.borrow_mut().insert(s(1), args[2].clone());
            args[0].clone()
        }
        "unset" => {
            arity(2)?;
            let map = map_of(&args[0])?;
            map.borrow_mut().remove(&s(1));
            args[0].clone()
        }
        "keys" => {
            let mut keys = Vec::new();
            for arg in args {
                keys.extend(map_of(arg)?.borrow().keys().cloned());
            }
            Val::list(keys.into_iter().map(Val::str).collect())
        }
        "values" => {
            arity(1)?;
            let map = map_of(&args[0])?;
            let values: Vec<Val> = map.borrow().values().cloned().collect();
            Val::list(values)
        }
        "pluck" => {
            let Some((key, maps)) = args.split_first() else {
                return err("wrong number of args for pluck");
            };
            let key = strval(key);
            let mut found = Vec::new();
            for map in maps {
                if let Some(v) = map_of(map)?.borrow().get(&key) {
                    found.push(v.clone());
                }
            }
            Val::list(found)
        }
        "pick" | "omit" => {
            let Some((map, keys)) = args.split_first() else {
                return err(format!("wrong number of args for {name}"));
            };
            let keys: Vec<String> = keys.iter().map(strval).collect();
            let map = map_of(map)?;
            let picked = map
                .borrow()
                .iter()
                .filter(|(k, _)| keys.contains(k) == (name == "pick"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Val::map(picked)
        }
        "dig" => {
            if args.len() < 3 {
                return err("wrong number of args for dig");
            }
            let (map, rest) = args.split_last().unwrap_or((&args[0], &[]));
            let (default, keys) = rest.split_last().unwrap_or((&args[0], &[]));
            let mut current = map.clone();
            for key in keys {
                let next = match &current.kind {
                    Kind::Map(m) => m.borrow().get(&strval(key)).cloned(),
                    _ => None,
                };
                match next {
                    Some(v) => current = v,
                    None => return Ok(default.clone()),
                }
            }
            current
        }
        "merge" | "mustMerge" | "mergeOverwrite" | "mustMergeOverwrite" => {
            let Some((dst, sources)) = args.split_first() else {
                return err(format!("wrong number of args for {name}"));
            };
            let dst_map = map_of(dst)?;
            let overwrite = name.contains("Overwrite");
            for src in sources {
                let src_map = map_of(src)?;
                let src_entries: Vec<(String, Val)> = src_map
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                merge_into(&dst_map, src_entries, overwrite, 0);
            }
            dst.clone()
        }
        "deepCopy" | "mustDeepCopy" => {
            arity(1)?;
            args[0].deep_copy()
        }

        // Types.
        "kindOf" => Val::str(args.first().map_or("invalid", Val::kind_name)),
        "kindIs" => {
            arity(2)?;
            Val::bool(s(0) == args[1].kind_name())
        }
        "typeOf" => Val::str(args.first().map_or("<nil>", Val::type_name)),
        "typeIs" => {
            arity(2)?;
            Val::bool(s(0) == args[1].type_name())
        }
        "typeIsLike" => {
            arity(2)?;
            let t = args[1].type_name();
            Val::bool(s(0) == t || s(0) == format!("*{t}"))
        }
        _ => return Err(FuncError::Unsupported),
    })
}

/// Go's `path.Base`.
fn go_base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Clean`: `.` and `..` resolved lexically, duplicate slashes dropped.
fn go_clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn strip_spans(value: &Val) -> Val {
    let mut copy = value.deep_copy();
    fn walk(v: &mut Val, depth: usize) {
        v.at = None;
        if depth > 200 || !super::data::walk_step() {
            return;
        }
        match &mut v.kind {
            Kind::List(items) => {
                let mut new: Vec<Val> = items.iter().cloned().collect();
                new.iter_mut().for_each(|x| walk(x, depth + 1));
                *items = Rc::new(new);
            }
            Kind::Map(m) => m.borrow_mut().values_mut().for_each(|x| walk(x, depth + 1)),
            _ => {}
        }
    }
    walk(&mut copy, 0);
    copy
}

/// Deep-merge `src` into `dst` as mergo does for Sprig: maps merge key by key; without
/// `overwrite` a key `dst` already has a non-empty value for keeps it.
fn merge_into(
    dst: &Rc<RefCell<BTreeMap<String, Val>>>,
    src: Vec<(String, Val)>,
    overwrite: bool,
    depth: usize,
) {
    for (key, value) in src {
        if !super::data::walk_step() {
            return;
        }
        let existing = dst.borrow().get(&key).cloned();
        match &existing {
            Some(Val {
                kind: Kind::Map(dst_child),
                ..
            }) if depth < 100 => {
                if let Kind::Map(src_child) = &value.kind {
                    let entries: Vec<(String, Val)> = src_child
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    merge_into(dst_child, entries, overwrite, depth + 1);
                } else if overwrite && !is_empty(&value) {
                    dst.borrow_mut().insert(key, value);
                }
            }
            Some(current) => {
                if (overwrite && !is_empty(&value)) || is_empty(current) {
                    dst.borrow_mut().insert(key, value);
                }
            }
            None => {
                dst.borrow_mut().insert(key, value);
            }
        }
    }
}

fn list_of(value: &Val) -> Result<Vec<Val>> {
    match &value.kind {
        Kind::List(items) => Ok(items.as_ref().clone()),
        Kind::ApiVersions(items) => Ok(items.iter().map(|s| Val::str(s.clone())).collect()),
        Kind::Nil => Ok(Vec::new()),
        _ => err(format!("cannot find a list in type {}", value.type_name())),
    }
}

fn map_of(value: &Val) -> Result<Rc<RefCell<BTreeMap<String, Val>>>> {
    match &value.kind {
        Kind::Map(map) => Ok(map.clone()),
        _ => err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            value.type_name()
        )),
    }
}

fn text_of(value: &Val) -> Text {
    match &value.kind {
        Kind::Str(text) => {
            let mut text = text.as_ref().clone();
            if text.segs.is_empty() {
                if let Some(at) = value.at {
                    text.segs.push(Seg {
                        range: 0..text.s.len(),
                        origin: Origin::Value {
                            value: at,
                            action: Span::default(),
                        },
                    });
                }
            }
            text
        }
        _ => {
            let mut text = Text::plain(strval(value));
            if let Some(at) = value.at {
                text.segs.push(Seg {
                    range: 0..text.s.len(),
                    origin: Origin::Value {
                        value: at,
                        action: Span::default(),
                    },
                });
            }
            text
        }
    }
}

/// Sprig's `strval`: strings as they are, everything else as `%v`.
pub fn strval(value: &Val) -> String {
    match &value.kind {
        Kind::Str(t) => t.s.clone(),
        _ => gofmt::v(value),
    }
}

/// Sprig's `empty`: nil, false, 0, and empty strings and collections; structs never.
pub fn is_empty(value: &Val) -> bool {
    match &value.kind {
        Kind::Struct(_) | Kind::Unknown(_) => false,
        _ => !value.truthy(),
    }
}

/// `cast.ToInt64`: numbers truncated, strings parsed (base prefixes allowed), else 0.
fn to_int(value: &Val) -> i64 {
    match &value.kind {
        Kind::Int(n) => *n,
        Kind::Float(f) if f.is_finite() => *f as i64,
        Kind::Bool(b) => *b as i64,
        Kind::Str(t) => {
            let s = t.s.trim();
            let s = s.strip_suffix(".0").unwrap_or(s);
            let (negative, body) = match s.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, s.strip_prefix('+').unwrap_or(s)),
            };
            let lower = body.to_ascii_lowercase();
            let parsed = if let Some(hex) = lower.strip_prefix("0x") {
                i64::from_str_radix(hex, 16).ok()
            } else if let Some(bin) = lower.strip_prefix("0b") {
                i64::from_str_radix(bin, 2).ok()
            } else if let Some(oct) = lower.strip_prefix("0o") {
                i64::from_str_radix(oct, 8).ok()
            } else if lower.len() > 1 && lower.starts_with('0') {
                i64::from_str_radix(&lower[1..], 8).ok()
            } else {
                lower.parse::<i64>().ok()
            };
            parsed.map_or(0, |n| if negative { -n } else { n })
        }
        _ => 0,
    }
}

fn to_float(value: &Val) -> f64 {
    match &value.kind {
        Kind::Int(n) => *n as f64,
        Kind::Float(f) => *f,
        Kind::Bool(b) => *b as i64 as f64,
        Kind::Str(t) => t.s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

#[derive(PartialEq)]
enum Basic {
    Bool,
    Int,
    Float,
    Str,
    Nil,
    Other,
}

fn basic(value: &Val) -> Basic {
    match value.kind {
        Kind::Bool(_) => Basic::Bool,
        Kind::Int(_) => Basic::Int,
        Kind::Float(_) => Basic::Float,
        Kind::Str(_) => Basic::Str,
        Kind::Nil => Basic::Nil,
        _ => Basic::Other,
    }
}

/// Go's `eq` on two values: basic kinds must match (an int never equals a float64, it is an
/// error), nil equals only nil, maps and lists cannot be compared.
fn equal(a: &Val, b: &Val) -> Result<bool> {
    let (ka, kb) = (basic(a), basic(b));
    if ka != kb {
        if ka == Basic::Nil || kb == Basic::Nil {
            return Ok(false);
        }
        return err("incompatible types for comparison");
    }
    Ok(match (&a.kind, &b.kind) {
        (Kind::Bool(x), Kind::Bool(y)) => x == y,
        (Kind::Int(x), Kind::Int(y)) => x == y,
        (Kind::Float(x), Kind::Float(y)) => x == y,
        (Kind::Str(x), Kind::Str(y)) => x.s == y.s,
        (Kind::Nil, Kind::Nil) => true,
        _ => {
            return err(format!(
                "non-comparable types {}: {}",
                gofmt::v(a),
                a.type_name()
            ))
        }
    })
}

fn compare(a: &Val, b: &Val) -> Result<std::cmp::Ordering> {
    match (&a.kind, &b.kind) {
        (Kind::Int(x), Kind::Int(y)) => Ok(x.cmp(y)),
        (Kind::Float(x), Kind::Float(y)) => x
            .partial_cmp(y)
            .ok_or(FuncError::Error("NaN comparison".into())),
        (Kind::Str(x), Kind::Str(y)) => Ok(x.s.cmp(&y.s)),
        _ if basic(a) != basic(b) => err("incompatible types for comparison"),
        _ => err("invalid type for comparison"),
    }
}

/// `reflect.DeepEqual`, as Sprig's `has`/`without`/`uniq` use it.
fn deep_equal(a: &Val, b: &Val) -> bool {
    deep_equal_at(a, b, 0)
}

fn deep_equal_at(a: &Val, b: &Val, depth: usize) -> bool {
    if depth > 200 || !super::data::walk_step() {
        return false;
    }
    let deep_equal = |p: &Val, q: &Val| deep_equal_at(p, q, depth + 1);
    match (&a.kind, &b.kind) {
        (Kind::List(x), Kind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Kind::Map(x), Kind::Map(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        _ => equal(a, b).unwrap_or(false),
    }
}

fn title(s: &str) -> String {
    let mut out = String::new();
    let mut previous_letter = false;
    for c in s.chars() {
        if !previous_letter && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in s.chars() {
        if c == '_' || c == '-' || c.is_whitespace() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn regex(pattern: &str) -> Result<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| FuncError::Error(format!("error parsing regexp: {e}")))
}

/// Go's `Regexp.Expand` template syntax (`$1`, `${name}`) as the regex crate reads it: the same,
/// except that Go takes the longest name after `$`, which `${}` makes explicit here.
fn go_expand(replacement: &str) -> String {
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$'
            && chars
                .peek()
                .is_some_and(|n| n.is_alphanumeric() || *n == '_')
        {
            let mut name = String::new();
            while let Some(&n) = chars.peek() {
                if n.is_alphanumeric() || n == '_' {
                    name.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push_str(&format!("${{{name}}}"));
        } else {
            out.push(c);
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = crate::encoding::base64_digit(c)?;
        buffer = buffer << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// A semantic version as Masterminds/semver reads it (a leading `v`, missing minor/patch).
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    numbers: [u64; 3],
    pre: String,
}

pub fn semver_parse(text: &str) -> Option<Version> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let text = text.split('+').next()?;
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, pre.to_string()),
        None => (text, String::new()),
    };
    let mut numbers = [0u64; 3];
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for (i, part) in parts.iter().enumerate() {
        numbers[i] = part.parse().ok()?;
    }
    Some(Version { numbers, pre })
}

fn version_cmp(a: &Version, b: &Version) -> std::cmp::Ordering {
    a.numbers
        .cmp(&b.numbers)
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => {
                let mut x = a.pre.split('.');
                let mut y = b.pre.split('.');
                loop {
                    match (x.next(), y.next()) {
                        (None, None) => break std::cmp::Ordering::Equal,
                        (None, Some(_)) => break std::cmp::Ordering::Less,
                        (Some(_), None) => break std::cmp::Ordering::Greater,
                        (Some(p), Some(q)) => {
                            let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                                (Ok(m), Ok(n)) => m.cmp(&n),
                                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                                _ => p.cmp(q),
                            };
                            if o.is_ne() {
                                break o;
                            }
                        }
                    }
                }
            }
        })
}

/// Masterminds/semver constraints: `||` of comma- or space-separated comparisons (`>=`, `<`,
/// `=`, `!=`, `~`, `^`, `x` wildcards). A prerelease version satisfies a comparison only when
/// the constraint has a prerelease too (`>=1.19-0`), as Masterminds does.
fn semver_satisfies(constraint: &str, version: &Version) -> Result<bool> {
    for alternative in constraint.split("||") {
        let mut all = true;
        let mut any_term = false;
        let normalised = alternative.replace(", ", ",").replace(' ', ",");
        let mut terms: Vec<String> = Vec::new();
        for piece in normalised.split(',').filter(|p| !p.is_empty()) {
            // `>= 1.2` was split from its operator by the space.
            if let Some(previous) = terms.last_mut() {
                if previous.chars().all(|c| "<>=!~^".contains(c)) {
                    previous.push_str(piece);
                    continue;
                }
            }
            terms.push(piece.to_string());
        }
        for term in &terms {
            any_term = true;
            if !semver_term(term, version)? {
                all = false;
                break;
            }
        }
        if any_term && all {
            return Ok(true);
        }
    }
    Ok(false)
}

fn semver_term(term: &str, version: &Version) -> Result<bool> {
    let op_len = term.chars().take_while(|c| "<>=!~^".contains(*c)).count();
    let (op, rest) = term.split_at(op_len);
    let rest = rest.trim();
    let wildcard = |s: &str| s == "x" || s == "X" || s == "*";
    let parts: Vec<&str> = rest
        .trim_start_matches('v')
        .split(['-', '+'])
        .next()
        .unwrap_or("")
        .split('.')
        .collect();
    let specified = parts
        .iter()
        .take_while(|p| !wildcard(p) && !p.is_empty())
        .count();
    let base_text = parts[..specified].join(".");
    let pre = rest
        .split_once('-')
        .map(|(_, p)| p.to_string())
        .unwrap_or_default();
    let base = if specified == 0 {
        Version {
            numbers: [0, 0, 0],
            pre: String::new(),
        }
    } else {
        let mut v = semver_parse(&base_text)
            .ok_or_else(|| FuncError::Error(format!("improper constraint: {term}")))?;
        v.pre = pre.clone();
        v
    };
    if !version.pre.is_empty() && pre.is_empty() {
        return Ok(false);
    }
    let cmp = version_cmp(version, &base);
    let bump = |level: usize| -> Version {
        let mut n = base.numbers;
        n[level] += 1;
        for x in n.iter_mut().skip(level + 1) {
            *x = 0;
        }
        Version {
            numbers: n,
            pre: String::new(),
        }
    };
    let below = |upper: &Version| version_cmp(version, upper).is_lt();
    Ok(match op {
        "" | "=" | "==" if specified < 3 => {
            if specified == 0 {
                true
            } else {
                cmp.is_ge() && below(&bump(specified - 1))
            }
        }
        "" | "=" | "==" => cmp.is_eq(),
        "!=" => !cmp.is_eq(),
        ">" => cmp.is_gt(),
        ">=" | "=>" => cmp.is_ge(),
        "<" => cmp.is_lt(),
        "<=" | "=<" => cmp.is_le(),
        "~" | "~>" => cmp.is_ge() && below(&bump(if specified >= 2 { 1 } else { 0 })),
        "^" => {
            let level = if base.numbers[0] > 0 || specified == 1 {
                0
            } else if base.numbers[1] > 0 || specified == 2 {
                1
            } else {
                2
            };
            cmp.is_ge() && below(&bump(level))
        }
        _ => return err(format!("improper constraint: {term}")),
    })
}

/// `toYaml` as Helm does it (`sigs.k8s.io/yaml`: through JSON, so keys sorted, then go-yaml
/// v2's style), without the final newline. Values read from the chart's values keep their
/// origin, so a scalar `toYaml` printed still points at its values line.
pub fn to_yaml(value: &Val) -> Text {
    let mut out = Text::default();
    emit(&mut out, value, 0, Context::Top, 0);
    while out.s.ends_with('\n') {
        out.s.pop();
    }
    let len = out.s.len();
    for seg in &mut out.segs {
        seg.range.end = seg.range.end.min(len);
        seg.range.start = seg.range.start.min(len);
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Top,
    MapValue,
    ListItem,
}

fn is_block(value: &Val) -> bool {
    match &value.kind {
        Kind::Map(m) => !m.borrow().is_empty(),
        Kind::List(l) => !l.is_empty(),
        Kind::Struct(s) => !s.fields.is_empty(),
        Kind::Files(f) => !f.is_empty(),
        _ => false,
    }
}

fn map_entries(value: &Val) -> Vec<(String, Val)> {
    match &value.kind {
        Kind::Map(m) => m
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Kind::Struct(s) => s
            .fields
            .iter()
            .map(|(k, v)| {
                let mut key = k.clone();
                if let Some(first) = key.get(..1) {
                    key = first.to_lowercase() + &key[1..];
                }
                (key, v.clone())
            })
            .collect(),
        Kind::Files(f) => f
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Val::str(crate::encoding::base64_encode(v.as_bytes())),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn emit(out: &mut Text, value: &Val, indent: usize, context: Context, depth: usize) {
    if depth > 200 || !super::data::walk_step() || out.s.len() > super::exec::MAX_OUTPUT {
        out.s.push_str("null\n");
        return;
    }
    let pad = " ".repeat(indent);
    match &value.kind {
        Kind::Map(_) | Kind::Struct(_) | Kind::Files(_) if is_block(value) => {
            for (i, (key, item)) in map_entries(value).iter().enumerate() {
                if !(i == 0 && context == Context::ListItem) {
                    out.s.push_str(&pad);
                }
                out.s.push_str(&scalar_string(key, indent));
                out.s.push(':');
                match &item.kind {
                    Kind::List(_) if is_block(item) => {
                        out.s.push('\n');
                        emit(out, item, indent, Context::MapValue, depth + 1);
                    }
                    _ if is_block(item) => {
                        out.s.push('\n');
                        emit(out, item, indent + 2, Context::MapValue, depth + 1);
                    }
                    _ => {
                        out.s.push(' ');
                        emit_scalar(out, item, indent + 2);
                        out.s.push('\n');
                    }
                }
            }
        }
        Kind::List(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if !(i == 0 && context == Context::ListItem) {
                    out.s.push_str(&pad);
                }
                out.s.push_str("- ");
                if is_block(item) {
                    emit(out, item, indent + 2, Context::ListItem, depth + 1);
                } else {
                    emit_scalar(out, item, indent + 2);
                    out.s.push('\n');
                }
            }
        }
        _ => {
            emit_scalar(out, value, indent + 2);
            out.s.push('\n');
        }
    }
}

fn emit_scalar(out: &mut Text, value: &Val, indent: usize) {
    let start = out.s.len();
    let text = match &value.kind {
        Kind::Nil => "null".to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(n) => n.to_string(),
        Kind::Float(f) => {
            let json = gofmt::float_json(*f);
            if json.contains(['.', 'e']) {
                gofmt::float_g(*f)
            } else {
                json
            }
        }
        Kind::Str(t) => scalar_string(&t.s, indent.saturating_sub(2)),
        Kind::Map(_) | Kind::Struct(_) | Kind::Files(_) => "{}".to_string(),
        Kind::List(_) | Kind::ApiVersions(_) => "[]".to_string(),
        Kind::Unknown(reason) => {
            out.push_with(
                super::exec::UNKNOWN_PLACEHOLDER,
                Some(Origin::Unknown {
                    reason: reason.clone(),
                    action: Span::default(),
                }),
            );
            return;
        }
    };
    out.s.push_str(&text);
    if let Some(at) = value.at {
        out.segs.push(Seg {
            range: start..out.s.len(),
            // The action that prints the text is filled in when it is printed.
            origin: Origin::Value {
                value: at,
                action: Span::default(),
            },
        });
    }
}

/// A string as go-yaml v2 writes it: plain when it reads back as the same string, double
/// quoted when it would read as another type, single quoted when it holds indicators, a
/// literal block when it spans lines.
fn scalar_string(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.chars().any(|c| c.is_control() && c != '\n') {
        let chomp = if !s.ends_with('\n') {
            "-"
        } else if s.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        let indicator = if s.starts_with(' ') { "2" } else { "" };
        let pad = " ".repeat(indent + 2);
        let mut out = format!("|{indicator}{chomp}");
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
        return out;
    }
    if s.is_empty() || resolves_to_non_string(s) {
        return gofmt::quote(s);
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return gofmt::quote(s);
    }
    let first = s.chars().next().unwrap_or(' ');
    let needs_quotes = "-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !(matches!(first, '-' | '?' | ':') && s.len() > 1 && !s[1..].starts_with(' '))
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains('\t');
    if needs_quotes {
        return format!("'{}'", s.replace('\'', "''"));
    }
    s.to_string()
}

/// Whether a plain scalar would read as something other than a string (YAML 1.1 as go-yaml
/// v2 resolves it: `yes`/`on` are booleans, `0x1F` an int, `1e3` a float).
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
        ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s).replace('_', "");
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = lower.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    if lower.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // Floats: digits with one dot and an optional exponent; also base-60 (`1:20`).
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut chars = lower.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            seen_digit = true;
        } else if c == '.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        chars.next();
    }
    let rest: String = chars.collect();
    if !seen_digit {
        return false;
    }
    if rest.is_empty() {
        return seen_dot;
    }
    if let Some(exp) = rest.strip_prefix('e') {
        let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
        return !exp.is_empty() && exp.chars().all(|c| c.is_ascii_digit());
    }
    lower.contains(':')
        && lower
            .split(':')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// `encoding/json` as Sprig's `toJson` uses it: keys sorted, `<`, `>`, `&` escaped.
fn to_json(value: &Val, out: &mut String, escape_html: bool) {
    to_json_at(value, out, escape_html, 0)
}

fn to_json_at(value: &Val, out: &mut String, escape_html: bool, depth: usize) {
    if depth > 200 || !super::data::walk_step() || out.len() > super::exec::MAX_OUTPUT {
        out.push_str("null");
        return;
    }
    let to_json =
        |v: &Val, out: &mut String, escape_html: bool| to_json_at(v, out, escape_html, depth + 1);
    match &value.kind {
        Kind::Nil | Kind::Unknown(_) => out.push_str("null"),
        Kind::Bool(b) => out.push_str(&b.to_string()),
        Kind::Int(n) => out.push_str(&n.to_string()),
        Kind::Float(f) => out.push_str(&gofmt::float_json(*f)),
        Kind::Str(t) => json_string(&t.s, out, escape_html),
        Kind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(item, out, escape_html);
            }
            out.push(']');
        }
        Kind::ApiVersions(items) => to_json(
            &Val::list(items.iter().map(|s| Val::str(s.clone())).collect()),
            out,
            escape_html,
        ),
        Kind::Map(_) | Kind::Struct(_) | Kind::Files(_) => {
            out.push('{');
            for (i, (key, item)) in map_entries(value).iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(key, out, escape_html);
                out.push(':');
                to_json(item, out, escape_html);
            }
            out.push('}');
        }
    }
}

fn json_string(s: &str, out: &mut String, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_yaml(_: &str) -> std::result::Result<Vec<Value>, String> {
        Err("no yaml".into())
    }

    fn call_ok(name: &str, args: &[Val]) -> Val {
        call(name, args, &no_yaml).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    #[test]
    fn eq_follows_go_types() {
        assert!(matches!(
            call("eq", &[Val::int(1), Val::float(1.0)], &no_yaml),
            Err(FuncError::Error(_))
        ));
        assert!(matches!(
            call_ok("eq", &[Val::nil(), Val::str("a")]).kind,
            Kind::Bool(false)
        ));
        assert!(matches!(
            call_ok("eq", &[Val::str("a"), Val::str("b"), Val::str("a")]).kind,
            Kind::Bool(true)
        ));
        assert!(matches!(
            call("lt", &[Val::bool(true), Val::bool(false)], &no_yaml),
            Err(FuncError::Error(_))
        ));
    }

    #[test]
    fn sprig_argument_orders() {
        assert_eq!(
            call_ok("base", &[Val::str("a/b/c.yaml")]).as_str(),
            Some("c.yaml")
        );
        assert_eq!(
            call_ok("dir", &[Val::str("a/b/c.yaml")]).as_str(),
            Some("a/b")
        );
        assert_eq!(
            call_ok("ext", &[Val::str("a/b/c.yaml")]).as_str(),
            Some(".yaml")
        );
        assert_eq!(
            call_ok("clean", &[Val::str("a//b/../c/.")]).as_str(),
            Some("a/c")
        );
        assert_eq!(call_ok("atoi", &[Val::str("42")]).kind_name(), "int");
        assert_eq!(
            call_ok("abbrev", &[Val::int(5), Val::str("hello world")]).as_str(),
            Some("he...")
        );
        assert_eq!(
            call_ok("sha1sum", &[Val::str("abc")]).as_str(),
            Some("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
        assert_eq!(
            call_ok("trimPrefix", &[Val::str("-"), Val::str("-a")]).as_str(),
            Some("a")
        );
        assert_eq!(
            call_ok("replace", &[Val::str("a"), Val::str("b"), Val::str("aa")]).as_str(),
            Some("bb")
        );
        assert_eq!(
            call_ok("default", &[Val::str("d"), Val::str("")]).as_str(),
            Some("d")
        );
        assert_eq!(
            call_ok("default", &[Val::str("d"), Val::bool(false)]).as_str(),
            Some("d")
        );
        assert_eq!(
            call_ok("ternary", &[Val::str("y"), Val::str("n"), Val::bool(false)]).as_str(),
            Some("n")
        );
        assert_eq!(
            call_ok("quote", &[Val::float(1000000.0)]).as_str(),
            Some("\"1e+06\"")
        );
        assert_eq!(
            call_ok("b64enc", &[Val::str("hello")]).as_str(),
            Some("aGVsbG8=")
        );
        assert_eq!(
            call_ok("b64dec", &[Val::str("aGVsbG8=")]).as_str(),
            Some("hello")
        );
        assert_eq!(
            call_ok("sha256sum", &[Val::str("abc")]).as_str(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            call_ok(
                "regexReplaceAll",
                &[Val::str("a(x*)b"), Val::str("-ab-axxb-"), Val::str("${1}W")]
            )
            .as_str(),
            Some("-W-xxW-")
        );
        assert_eq!(call_ok("int", &[Val::str("012")]).kind_name(), "int");
    }

    #[test]
    fn semver_constraints() {
        let check = |c: &str, v: &str| semver_satisfies(c, &semver_parse(v).unwrap()).unwrap();
        assert!(check(">=1.19-0", "v1.30.0"));
        assert!(check(">=1.19-0", "1.21.0-gke.1"));
        assert!(!check(">=1.19", "1.21.0-gke.1"));
        assert!(!check("<1.19", "1.30.0"));
        assert!(check(">= 1.2, < 2", "1.5.0"));
        assert!(check("~1.2", "1.2.9"));
        assert!(!check("~1.2", "1.3.0"));
        assert!(check("^1.2", "1.9.0"));
        assert!(check("<1.0 || >=2.0", "2.1.0"));
    }

    #[test]
    fn to_yaml_matches_go_yaml_style() {
        let mut inner = BTreeMap::new();
        inner.insert("enabled".to_string(), Val::bool(false));
        inner.insert(
            "list".to_string(),
            Val::list(vec![Val::str("a"), Val::str("true")]),
        );
        let mut map = BTreeMap::new();
        map.insert("b".to_string(), Val::map(inner));
        map.insert("a".to_string(), Val::float(1000000.0));
        map.insert("c".to_string(), Val::str("x: y"));
        map.insert("d".to_string(), Val::str("line1\nline2\n"));
        map.insert("e".to_string(), Val::map(BTreeMap::new()));
        assert_eq!(
            to_yaml(&Val::map(map)).s,
            "a: 1000000\nb:\n  enabled: false\n  list:\n  - a\n  - \"true\"\nc: 'x: y'\nd: |\n  line1\n  line2\ne: {}"
        );
        let items = Val::list(vec![Val::map(BTreeMap::from([
            ("k".to_string(), Val::int(1)),
            ("l".to_string(), Val::int(2)),
        ]))]);
        assert_eq!(to_yaml(&items).s, "- k: 1\n  l: 2");
    }

    #[test]
    fn merge_keeps_destination_unless_overwriting() {
        let dst = Val::map(BTreeMap::from([("a".to_string(), Val::int(1))]));
        let src = Val::map(BTreeMap::from([
            ("a".to_string(), Val::int(2)),
            ("b".to_string(), Val::int(3)),
        ]));
        let merged = call_ok("merge", &[dst.clone(), src.clone()]);
        let Kind::Map(m) = &merged.kind else { panic!() };
        assert!(matches!(m.borrow()["a"].kind, Kind::Int(1)));
        assert!(matches!(m.borrow()["b"].kind, Kind::Int(3)));
        let over = call_ok("mergeOverwrite", &[dst, src]);
        let Kind::Map(m) = &over.kind else { panic!() };
        assert!(matches!(m.borrow()["a"].kind, Kind::Int(2)));
    }
}
