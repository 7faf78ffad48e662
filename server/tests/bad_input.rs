//! Bad input: every server function, called over real HTTP by a signed-out visitor, a client, an
//! analyst, a lead and an administrator, with generated garbage: malformed bodies (random bytes,
//! invalid UTF-8, truncated or garbled encodings, the other codec, wrong content types, nothing),
//! wrong-typed fields (text for numbers, numbers out of range, unknown enum values, structures for
//! scalars, missing fields), oversized values (100 KB to 1.9 MB) and bodies over the 2 MB limit,
//! unknown ids and stale versions. The well-formed calls of the authorization table are the
//! templates the generator garbles.
//!
//! Every answer must be a 2xx or a 4xx with a message in words, never a 5xx, a dropped
//! connection or a panic; a refused request must leave the database exactly as it was; and a
//! request that cannot be valid must be refused (an undecodable one with a 400).

mod common;

use app::backend::{self as backend};
use app::model::kb::Visibility;
use app::model::portal::{Decision, Whose};
use app::model::queue::{AssigneeFilter, FlagFilter, StatusView};
use app::model::shift::MAX_REPEAT_WEEKS;
use app::model::{AppError, PendingReason, Priority, Role, Urgency};
use common::calls::*;
use common::desk::*;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value};
use sqlx::{ConnectOptions, SqliteConnection};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use Who::*;

/// The people who send the garbage: one of each kind of session, and nobody.
const SENDERS: [Who; 5] = [Anon, Client, Analyst, Lead, Admin];
/// Generated requests per server function and sender (`BAD_INPUT_CASES` overrides).
const CASES_PER_CALL: usize = 10;
const LIMIT: usize = server::router::MAX_BODY_BYTES;

// ---------------------------------------------------------------- templates

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Form,
    Json,
}

impl Codec {
    fn content_type(self) -> &'static str {
        match self {
            Codec::Form => "application/x-www-form-urlencoded",
            Codec::Json => "application/json",
        }
    }

    /// A whole number as this codec carries it: a JSON number, or form text.
    fn number(self, x: i64) -> Value {
        match self {
            Codec::Json => Value::from(x),
            Codec::Form => Value::String(x.to_string()),
        }
    }
}

/// A well-formed call, as a tree the mutations can edit.
#[derive(Clone)]
struct Template {
    codec: Codec,
    args: Value,
}

impl Template {
    fn of(body: Body) -> Template {
        match body {
            Body::Form(text) => Template {
                codec: Codec::Form,
                args: parse_form(&text),
            },
            Body::Json(text) => Template {
                codec: Codec::Json,
                args: serde_json::from_str(&text).expect("template json"),
            },
        }
    }

    fn encode(&self, args: &Value, codec: Codec) -> Vec<u8> {
        match codec {
            Codec::Form => encode_form(args).into_bytes(),
            Codec::Json => serde_json::to_vec(args).expect("json"),
        }
    }

    /// Paths to every scalar of the arguments.
    fn leaves(&self) -> Vec<Vec<String>> {
        fn walk(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match v {
                Value::Object(m) => m.iter().for_each(|(k, v)| {
                    path.push(k.clone());
                    walk(v, path, out);
                    path.pop();
                }),
                Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| {
                    path.push(i.to_string());
                    walk(v, path, out);
                    path.pop();
                }),
                Value::Null => {}
                _ => out.push(path.clone()),
            }
        }
        let mut out = Vec::new();
        walk(&self.args, &mut Vec::new(), &mut out);
        out
    }
}

fn get<'a>(v: &'a Value, path: &[String]) -> &'a Value {
    v.pointer(&format!("/{}", path.join("/"))).expect("leaf")
}

fn slot<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Object(m) => m.get_mut(k).expect("leaf"),
        Value::Array(a) => &mut a[k.parse::<usize>().expect("index")],
        _ => unreachable!("leaves are reached through objects and arrays"),
    })
}

fn remove(v: &mut Value, path: &[String]) {
    let (last, parent) = path.split_last().expect("a leaf has a name");
    match slot(v, parent) {
        Value::Object(m) => {
            m.remove(last);
        }
        Value::Array(a) => {
            a.remove(last.parse::<usize>().expect("index"));
        }
        _ => {}
    }
}

/// `a[b][0]=x&c=y` as a tree of strings (the way serde_qs reads it).
fn parse_form(text: &str) -> Value {
    let mut root = Value::Object(Map::new());
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        let mut keys: Vec<String> = Vec::new();
        let (head, rest) = k.split_once('[').unwrap_or((&k, ""));
        keys.push(head.to_string());
        keys.extend(
            rest.trim_end_matches(']')
                .split("][")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        let mut at = &mut root;
        for (i, key) in keys.iter().enumerate() {
            let map = at.as_object_mut().expect("form keys nest objects");
            at = if i + 1 == keys.len() {
                map.insert(key.clone(), Value::String(v.clone()));
                break;
            } else {
                map.entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
            };
        }
    }
    root
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'[' | b']' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn encode_form(args: &Value) -> String {
    fn walk(v: &Value, key: &str, out: &mut Vec<String>) {
        let sub = |k: &str| {
            if key.is_empty() {
                k.to_string()
            } else {
                format!("{key}[{k}]")
            }
        };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, &sub(k), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &sub(&i.to_string()), out)),
            Value::Null => {}
            Value::String(s) => out.push(format!("{}={}", encode(key), encode(s))),
            other => out.push(format!("{}={}", encode(key), other)),
        }
    }
    let mut out = Vec::new();
    walk(args, "", &mut out);
    out.join("&")
}

// ---------------------------------------------------------------- what a leaf is

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The id of a record: a ticket number, a user, an organization, an article, a team...
    Id,
    Version,
    /// A whole number that is not an id, with the values it may take ([`INT_RANGES`]).
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    Enum,
    Text,
}

/// Every whole-number argument of the server functions that is not an id or a version, with the
/// values it may take: any number outside must be refused. A number argument missing here fails
/// the suite, so that a new one is checked from the start.
const INT_RANGES: &[(&str, i64, i64)] = &[
    ("stars", 1, 5),
    ("tier", 1, 3),
    ("repeat_weeks", 0, MAX_REPEAT_WEEKS as i64),
    ("warn_percent", 1, 99),
    // a target is at most a year (366 days) of minutes; response within resolution is checked too
    ("response_mins", 1, 366 * 24 * 60),
    ("resolution_mins", 1, 366 * 24 * 60),
    ("imap_port", 1, 65535),
    ("poll_secs", 5, 3600),
    // the Unprocessed list's pages, from 0
    ("page", 0, app::model::admin::MAX_HELD_PAGE),
    // an API token's life, from the profile page and Administration -> Integrations
    ("expires_in_days", 1, app::model::api_token::MAX_DAYS),
];

fn int_range(name: &str) -> Option<(i64, i64)> {
    INT_RANGES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, min, max)| (*min, *max))
}

fn enum_spellings() -> HashSet<String> {
    let mut all: Vec<Value> = Vec::new();
    let mut add = |v: Value| all.push(v);
    Priority::ALL.iter().for_each(|v| add(serde_json::json!(v)));
    Urgency::ALL.iter().for_each(|v| add(serde_json::json!(v)));
    PendingReason::ALL
        .iter()
        .for_each(|v| add(serde_json::json!(v)));
    Role::ALL.iter().for_each(|v| add(serde_json::json!(v)));
    app::model::api_token::TokenScope::ALL
        .iter()
        .for_each(|v| add(serde_json::json!(v)));
    StatusView::ALL
        .iter()
        .for_each(|v| add(serde_json::json!(v)));
    Whose::ALL.iter().for_each(|v| add(serde_json::json!(v)));
    FlagFilter::ALL
        .iter()
        .for_each(|v| add(serde_json::json!(v)));
    [
        AssigneeFilter::Anyone,
        AssigneeFilter::Me,
        AssigneeFilter::Unassigned,
    ]
    .iter()
    .for_each(|v| add(serde_json::json!(v)));
    [Decision::Approve]
        .iter()
        .for_each(|v| add(serde_json::json!(v)));
    [
        Visibility::Internal,
        Visibility::Clients,
        Visibility::Organization,
    ]
    .iter()
    .for_each(|v| add(serde_json::json!(v)));
    app::model::admin::WebhookKind::ALL
        .iter()
        .for_each(|v| add(serde_json::json!(v)));
    all.into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn kind_of(path: &[String], v: &Value, enums: &HashSet<String>) -> Kind {
    let name = path.last().map(String::as_str).unwrap_or("");
    let parent = path
        .len()
        .checked_sub(2)
        .map(|i| path[i].as_str())
        .unwrap_or("");
    let int = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s.len() <= 19 => s.parse::<i64>().ok(),
        _ => None,
    };
    let is_bool = matches!(v, Value::Bool(_)) || matches!(v.as_str(), Some("true" | "false"));
    let id_name = name == "id"
        || name == "number"
        || name.ends_with("_id")
        || (name.parse::<usize>().is_ok() && matches!(parent, "tickets" | "orgs" | "members"));
    match int {
        Some(_) if name == "version" => Kind::Version,
        Some(_) if id_name => Kind::Id,
        // undeclared numbers are reported by the suite; meanwhile any value may be valid
        Some(_) => {
            let (min, max) = int_range(name).unwrap_or((i64::MIN, i64::MAX));
            Kind::Int { min, max }
        }
        None if is_bool => Kind::Bool,
        None if v.as_str().is_some_and(|s| enums.contains(s)) => Kind::Enum,
        None => Kind::Text,
    }
}

// ---------------------------------------------------------------- mutations

/// What a generated request must get besides "no 5xx, and no change when refused".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Must {
    /// May be valid after all (an optional field left out, text that is still text): any 2xx/4xx.
    Either,
    /// Cannot be valid (an unknown id, a stale version): some 4xx.
    BeRefused,
    /// Cannot even be decoded: 400.
    BeUnreadable,
}

#[derive(Debug, Clone)]
enum Mutation {
    Empty,
    RandomBytes(Vec<u8>),
    InvalidUtf8(Index, &'static [u8]),
    Truncate(Index),
    Garble(Index, &'static str),
    /// The arguments in the other codec, under the endpoint's content type.
    OtherCodec,
    /// Well-formed arguments under a content type that does not describe them.
    ContentType(Option<&'static str>),
    JsonScalar(&'static str),
    /// A leaf replaced by the `pick`-th bad value for its kind.
    Field(Index, Index),
    Remove(Index),
    Extra(String, String),
    Oversize(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let garbage: &'static [&'static str] =
        &["%", "%zz", "%E2%82", "&&==&", "[", "]]", "=%00", "\u{0}"];
    let bad_utf8: &'static [&'static [u8]] = &[
        b"\xff",
        b"\xc3\x28",
        b"\xed\xa0\x80",
        b"\xf8\x88\x80\x80\x80",
    ];
    prop_oneof![
        1 => Just(Mutation::Empty),
        2 => prop::collection::vec(any::<u8>(), 1..300).prop_map(Mutation::RandomBytes),
        2 => (any::<Index>(), prop::sample::select(bad_utf8)).prop_map(|(i, b)| Mutation::InvalidUtf8(i, b)),
        2 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), prop::sample::select(garbage)).prop_map(|(i, g)| Mutation::Garble(i, g)),
        1 => Just(Mutation::OtherCodec),
        1 => prop::sample::select(vec![
            None,
            Some("text/plain"),
            Some("application/xml"),
            Some("multipart/form-data"),
            Some("application/octet-stream"),
        ])
        .prop_map(Mutation::ContentType),
        1 => prop::sample::select(vec!["null", "[]", "\"text\"", "42", "{", "{\"a\":", "[{}]"])
            .prop_map(Mutation::JsonScalar),
        8 => (any::<Index>(), any::<Index>()).prop_map(|(l, p)| Mutation::Field(l, p)),
        2 => any::<Index>().prop_map(Mutation::Remove),
        1 => ("[a-z_]{1,12}", "[ -~]{0,20}").prop_map(|(k, v)| Mutation::Extra(k, v)),
        2 => (any::<Index>(), prop::sample::select(vec![100_000usize, 600_000, 1_900_000]))
            .prop_map(|(i, n)| Mutation::Oversize(i, n)),
    ]
}

/// The bad values for a leaf of a kind, and what each must get.
fn bad_values(kind: Kind, current: &Value, codec: Codec) -> Vec<(Value, Must)> {
    use Must::*;
    let s = |t: &str| Value::String(t.to_string());
    let raw = |t: &str| match codec {
        // numbers too large for serde_json's own types go into JSON as raw text
        Codec::Json => serde_json::from_str::<Value>(t).unwrap_or_else(|_| s(t)),
        Codec::Form => s(t),
    };
    let n = |i: i64| codec.number(i);
    // a structure where a scalar goes: serde_qs may read `x[a]=1` as a string, JSON never
    let nested = match codec {
        Codec::Json => BeUnreadable,
        Codec::Form => Either,
    };
    let mut out = vec![
        (serde_json::json!({"a": 1}), nested),
        (serde_json::json!([1, 2]), nested),
    ];
    let not_a_number = vec![
        (s("abc"), BeUnreadable),
        (s("1.5"), BeUnreadable),
        (s("0x10"), BeUnreadable),
        (raw("9223372036854775808"), BeUnreadable),
        (raw("-9223372036854775809"), BeUnreadable),
        (raw("1e400"), BeUnreadable),
    ];
    match kind {
        Kind::Id => {
            out.extend(not_a_number);
            for id in [987_654_321, i64::MAX, i64::MIN, -1, 0] {
                out.push((n(id), BeRefused));
            }
        }
        Kind::Version => {
            out.extend(not_a_number);
            let v = current
                .as_i64()
                .or_else(|| current.as_str().and_then(|t| t.parse().ok()))
                .unwrap_or(1);
            for stale in [v - 1, v + 1, v.saturating_add(1000), i64::MAX, i64::MIN] {
                out.push((n(stale), BeRefused));
            }
        }
        Kind::Int { min, max } => {
            out.extend(not_a_number);
            for x in [i64::MAX, i64::MIN, -1, 0, 256, 65_536] {
                let must = if (min..=max).contains(&x) {
                    Either
                } else {
                    BeRefused
                };
                out.push((n(x), must));
            }
            for x in out_of_range(min, max) {
                out.push((n(x), BeRefused));
            }
        }
        Kind::Bool => {
            out.push((s("maybe"), BeUnreadable));
            out.push((s("tru"), BeUnreadable));
            if codec == Codec::Json {
                out.push((s("true"), BeUnreadable));
                out.push((Value::from(1), BeUnreadable));
            }
        }
        Kind::Enum => {
            out.push((s("zebra"), BeUnreadable));
            out.push((s("P2 "), BeUnreadable));
            out.push((s("URGENT"), BeUnreadable));
            out.push((s(""), Either));
            if codec == Codec::Json {
                out.push((Value::from(3), BeUnreadable));
            }
        }
        Kind::Text => {
            for t in [
                "",
                " ",
                "\u{0}",
                "\r\n\t",
                "\u{202e}gnp.exe",
                "<script>alert(1)</script>",
                "' OR 1=1 --",
                "\"; DROP TABLE tickets; --",
                "🦀🦀🦀",
                "%00%ff",
                "NWL\u{0}",
                "a\u{0301}\u{0301}\u{0301}",
            ] {
                out.push((s(t), Either));
            }
            if codec == Codec::Json {
                out.push((Value::from(5), BeUnreadable));
                out.push((Value::Bool(true), BeUnreadable));
            }
        }
    }
    out
}

/// A long text that still looks like words to a search or a tokenizer.
/// The numbers just outside a range (none beyond the ends of i64).
fn out_of_range(min: i64, max: i64) -> Vec<i64> {
    [min.checked_sub(1), max.checked_add(1)]
        .into_iter()
        .flatten()
        .collect()
}

fn long_text(len: usize) -> String {
    let words = "lorem ipsum dolor sit amet printer vpn token laptop crash ";
    words.repeat(len / words.len() + 1)[..len].to_string()
}

/// A generated request: its body, content type, and what it must get.
struct Garbled {
    what: String,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    must: Must,
}

fn garble(t: &Template, m: &Mutation, enums: &HashSet<String>) -> Garbled {
    use Must::*;
    let own = Some(t.codec.content_type());
    let valid = t.encode(&t.args, t.codec);
    let json = t.codec == Codec::Json;
    let leaves = t.leaves();
    let g = |what: String, body: Vec<u8>, content_type, must| Garbled {
        what,
        body,
        content_type,
        must,
    };
    match m {
        Mutation::Empty => g(
            "empty body".into(),
            vec![],
            own,
            if json { BeUnreadable } else { Either },
        ),
        Mutation::RandomBytes(b) => {
            let must = if std::str::from_utf8(b).is_err() {
                BeUnreadable
            } else {
                Either
            };
            g(format!("{} random bytes", b.len()), b.clone(), own, must)
        }
        Mutation::InvalidUtf8(at, bytes) => {
            let mut body = valid.clone();
            body.splice(
                at.index(body.len() + 1)..at.index(body.len() + 1),
                bytes.iter().copied(),
            );
            g(
                format!("invalid UTF-8 {bytes:02x?}"),
                body,
                own,
                BeUnreadable,
            )
        }
        Mutation::Truncate(at) => {
            let cut = if valid.is_empty() {
                0
            } else {
                at.index(valid.len())
            };
            // a proper prefix of a JSON object never closes it
            g(
                format!("cut at {cut} of {}", valid.len()),
                valid[..cut].to_vec(),
                own,
                if json { BeUnreadable } else { Either },
            )
        }
        Mutation::Garble(at, with) => {
            let mut body = valid.clone();
            let i = at.index(body.len() + 1);
            body.splice(i..i, with.bytes());
            g(format!("{with:?} inserted at {i}"), body, own, Either)
        }
        Mutation::OtherCodec => {
            let other = if json { Codec::Form } else { Codec::Json };
            let body = t.encode(&t.args, other);
            // form text is never JSON (an empty form would be, but no JSON endpoint is argument-free)
            g(
                "the other codec".into(),
                body,
                own,
                if json { BeUnreadable } else { Either },
            )
        }
        Mutation::ContentType(c) => g(format!("content type {c:?}"), valid, *c, Either),
        Mutation::JsonScalar(text) => g(
            format!("JSON {text}"),
            text.as_bytes().to_vec(),
            own,
            // serde reads a struct from a sequence by position: `[{}]` is a well-formed call
            // of a function whose one argument has only optional fields
            if json && *text != "[{}]" {
                BeUnreadable
            } else {
                Either
            },
        ),
        Mutation::Field(leaf, pick) if !leaves.is_empty() => {
            let path = &leaves[leaf.index(leaves.len())];
            let mut args = t.args.clone();
            let current = get(&args, path).clone();
            let kind = kind_of(path, &current, enums);
            let values = bad_values(kind, &current, t.codec);
            let (value, must) = values[pick.index(values.len())].clone();
            let shown: String = value.to_string().chars().take(40).collect();
            *slot(&mut args, path) = value;
            g(
                format!("{} ({kind:?}) = {shown}", path.join(".")),
                t.encode(&args, t.codec),
                own,
                must,
            )
        }
        Mutation::Remove(leaf) if !leaves.is_empty() => {
            let path = &leaves[leaf.index(leaves.len())];
            let mut args = t.args.clone();
            remove(&mut args, path);
            g(
                format!("without {}", path.join(".")),
                t.encode(&args, t.codec),
                own,
                Either,
            )
        }
        Mutation::Oversize(leaf, len) => {
            let mut args = t.args.clone();
            let texts: Vec<_> = leaves
                .iter()
                .filter(|p| kind_of(p, get(&t.args, p), enums) == Kind::Text)
                .collect();
            let name = if texts.is_empty() {
                // nothing to fill: an argument that does not exist, as large
                args.as_object_mut()
                    .expect("arguments are an object")
                    .insert("filler".into(), Value::Null);
                vec!["filler".to_string()]
            } else {
                texts[leaf.index(texts.len())].clone()
            };
            *slot(&mut args, &name) = Value::String(long_text(*len));
            g(
                format!("{} of {len} bytes", name.join(".")),
                t.encode(&args, t.codec),
                own,
                Either,
            )
        }
        // argument-free calls: an unknown argument instead
        Mutation::Field(..) | Mutation::Remove(_) => extra(t, "surprise", "1"),
        Mutation::Extra(k, v) => extra(t, k, v),
    }
}

fn extra(t: &Template, k: &str, v: &str) -> Garbled {
    let mut args = t.args.clone();
    args.as_object_mut()
        .expect("arguments are an object")
        .insert(k.to_string(), Value::String(v.to_string()));
    Garbled {
        what: format!("extra {k}={v:?}"),
        body: t.encode(&args, t.codec),
        content_type: Some(t.codec.content_type()),
        must: Must::Either,
    }
}

// ---------------------------------------------------------------- the database's fingerprint

/// Columns the mail worker updates on its own, seconds after a successful change queued mail:
/// not something a request did. New or removed notifications still count.
const WORKER_COLUMNS: &[(&str, &str)] = &[
    ("notifications", "status"),
    ("notifications", "attempts"),
    ("notifications", "next_attempt_at"),
    ("notifications", "sent_at"),
    ("notifications", "last_error"),
    ("notifications", "lease_until"),
];

/// Every row of every table, hashed per table, read through a connection of its own: SQLite's
/// `data_version` on it moves whenever any other connection (the app's) commits, so the full
/// read is only redone when something was written.
struct Fingerprints {
    conn: SqliteConnection,
    queries: Vec<(String, String)>,
    version: i64,
    last: BTreeMap<String, (i64, u64)>,
}

impl Fingerprints {
    async fn open(file: &std::path::Path) -> Fingerprints {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .connect()
            .await
            .expect("own connection");
        // virtual tables are read through their shadow tables, which are ordinary ones
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        let mut queries = Vec::new();
        for table in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .expect("columns");
            let row = columns
                .iter()
                .filter(|c| !WORKER_COLUMNS.contains(&(table.as_str(), c.as_str())))
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join("||'|'||");
            queries.push((table.clone(), format!("SELECT {row} FROM \"{table}\"")));
        }
        let mut fp = Fingerprints {
            conn,
            queries,
            version: -1,
            last: BTreeMap::new(),
        };
        fp.current().await;
        fp
    }

    async fn data_version(&mut self) -> i64 {
        sqlx::query_scalar("PRAGMA data_version")
            .fetch_one(&mut self.conn)
            .await
            .expect("data_version")
    }

    async fn read(&mut self) -> BTreeMap<String, (i64, u64)> {
        let mut out = BTreeMap::new();
        for (table, sql) in &self.queries {
            let rows: Vec<Option<String>> = sqlx::query_scalar(sql)
                .fetch_all(&mut self.conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            let mut h = std::collections::hash_map::DefaultHasher::new();
            rows.hash(&mut h);
            out.insert(table.clone(), (rows.len() as i64, h.finish()));
        }
        out
    }

    /// The fingerprint now (read again only if something was committed since the last read).
    async fn current(&mut self) -> BTreeMap<String, (i64, u64)> {
        let version = self.data_version().await;
        if version != self.version {
            self.last = self.read().await;
            self.version = version;
        }
        self.last.clone()
    }

    /// Waits until nothing has been written for a while (the background workers are idle).
    async fn settle(&mut self) {
        let mut version = self.data_version().await;
        for _ in 0..50 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let now = self.data_version().await;
            if now == version {
                break;
            }
            version = now;
        }
    }
}

fn changed(
    before: &BTreeMap<String, (i64, u64)>,
    after: &BTreeMap<String, (i64, u64)>,
    ignore: &[&str],
) -> Vec<String> {
    after
        .iter()
        .filter(|(t, v)| !ignore.contains(&t.as_str()) && before.get(*t) != Some(*v))
        .map(|(t, (n, _))| format!("{t} ({} -> {n} rows)", before.get(t).map_or(0, |b| b.0)))
        .collect()
}

// ---------------------------------------------------------------- sending

enum Answer {
    Status(u16, String),
    /// The connection broke or nothing came back: a panic or a crash.
    Nothing(String),
}

async fn send(desk: &Desk, path: &str, g: &Garbled, session: Option<&str>) -> Answer {
    let mut req = desk
        .http
        .post(desk.app.url(&format!("/api/{path}")))
        .header("Origin", format!("http://{}", desk.app.addr))
        .body(g.body.clone());
    if let Some(ct) = g.content_type {
        req = req.header("Content-Type", ct);
    }
    if let Some(token) = session {
        req = req.header(
            "Cookie",
            format!("{}={token}", backend::auth::SESSION_COOKIE),
        );
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            match res.text().await {
                Ok(text) => Answer::Status(status, text),
                Err(e) => Answer::Nothing(format!("{status}, then the body broke: {e}")),
            }
        }
        Err(e) => Answer::Nothing(e.to_string()),
    }
}

/// A body over the limit, its length announced up front or found only while reading (chunked).
/// Raw HTTP, the answer read while the body is still being written: a chunked body is refused at
/// the limit without being read to its end, which the test client would report as a failed send.
async fn send_over_limit(
    desk: &Desk,
    path: &str,
    content_type: &str,
    session: Option<&str>,
    chunked: bool,
) -> Answer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = match tokio::net::TcpStream::connect(desk.app.addr).await {
        Ok(s) => s,
        Err(e) => return Answer::Nothing(e.to_string()),
    };
    let (mut reader, mut writer) = stream.into_split();
    let cookie = session
        .map(|t| format!("Cookie: {}={t}\r\n", backend::auth::SESSION_COOKIE))
        .unwrap_or_default();
    let length = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", LIMIT + 1)
    };
    let head = format!(
        "POST /api/{path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: {content_type}\r\n{cookie}{length}\r\nConnection: close\r\n\r\n",
        addr = desk.app.addr
    );
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent <= LIMIT {
            let n = if chunked {
                chunk.len()
            } else {
                chunk.len().min(LIMIT + 1 - sent)
            };
            if chunked {
                writer.write_all(format!("{n:x}\r\n").as_bytes()).await?;
            }
            writer.write_all(&chunk[..n]).await?;
            if chunked {
                writer.write_all(b"\r\n").await?;
            }
            sent += n;
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        // Dropping the writer would half-close the connection, and the server drops a
        // connection whose client stopped sending before its answer went out. A browser keeps
        // it open: so does this, until the answer is read and the task aborted.
        std::future::pending::<()>().await;
        std::io::Result::Ok(())
    });
    let mut answer = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let reading = async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
            // headers and as much body as they announce: enough
            let text = String::from_utf8_lossy(&answer);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let announced = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().to_string())
                    })
                    .and_then(|v| v.parse::<usize>().ok());
                if announced.is_some_and(|n| body.len() >= n) {
                    break;
                }
            }
        }
    };
    let timed_out = tokio::time::timeout(std::time::Duration::from_secs(20), reading)
        .await
        .is_err();
    writing.abort();
    let text = String::from_utf8_lossy(&answer).into_owned();
    match text.split(' ').nth(1).and_then(|s| s.parse::<u16>().ok()) {
        Some(s) => Answer::Status(s, text.split("\r\n\r\n").nth(1).unwrap_or("").to_string()),
        None => Answer::Nothing(format!("no HTTP answer (timed out: {timed_out}): {text:?}")),
    }
}

/// A refusal names its reason in words, in the app's error shape.
fn says_why(text: &str) -> Result<(), String> {
    match serde_json::from_str::<AppError>(text) {
        Ok(AppError::Internal | AppError::Network) => Err("an internal error".into()),
        Ok(err) if err.to_string().trim().is_empty() => Err("an empty message".into()),
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "no error message: {:?}",
            text.chars().take(120).collect::<String>()
        )),
    }
}

/// Someone the call is meant for (it succeeds for them when well formed), if anyone.
fn meant_for(case: &Case) -> Option<Who> {
    match case.expect {
        Expect::Allowed(who)
        | Expect::AllowedElseInvalid(who, _)
        | Expect::AllowedElse(who, _, _)
        | Expect::Reaches(who, _) => SENDERS.into_iter().find(|w| who.contains(w)),
        Expect::Everyone(_) => Some(Anon),
    }
}

/// The template of a call and the session to send it with.
async fn prepare(desk: &Desk, case: &Case, who: Who, seq: usize) -> (Template, Option<String>) {
    if matches!(case.setup, Setup::OwnSession) {
        let call = Call {
            fx: &desk.fx,
            number: 0,
            version: 0,
            token: String::new(),
            shift: 0,
            window: 0,
            seq,
        };
        return (
            Template::of((case.body)(&call)),
            own_session(desk, who).await,
        );
    }
    let (call, session) = desk.prepare(case, who, seq).await;
    settle(desk).await;
    (Template::of((case.body)(&call)), session)
}

/// Does now what the background workers would do moments after a set-up changed a ticket (SLA
/// alerts, mail and its "notification sent" events), so that none of it lands in the middle of
/// the next request and passes for its doing.
async fn settle(desk: &Desk) {
    let state = &desk.app.state;
    app::backend::sla_engine::raise_due(state)
        .await
        .expect("SLA alerts");
    let deliverer =
        app::backend::notify::mailer::Deliverer::new(&state.settings.notify).expect("mail sink");
    for _ in 0..400 {
        app::backend::notify::worker::deliver_due(state, &deliverer)
            .await
            .expect("mail");
        // what the worker itself has in hand is finished once nothing is left sending
        let busy: i64 = app::pool_run!(state.pool, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE status IN ('pending', 'sending')
             AND next_attempt_at <= $1",
        )
        .bind(state.now())
        .fetch_one(c).await)
        .expect("outbox");
        if busy == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the outbox never drained");
}

/// A session of `who`'s own for one call, straight into the table (signing in through the app
/// would count every bad password the generator tries against the account's rate limit).
async fn own_session(desk: &Desk, who: Who) -> Option<String> {
    let email = desk.email(who)?;
    let pool = &desk.app.state.pool;
    let user_id: i64 =
        app::pool_run!(pool, c => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(c).await)
        .expect("user");
    let token = backend::auth::new_token();
    let now = desk.app.state.now();
    backend::repo::sessions::insert(
        &mut pool.acquire().await.expect("connection"),
        &backend::repo::sessions::NewSession {
            id_hash: &backend::auth::token_hash(&token),
            user_id,
            created_at: now,
            // as long as the app gives, or its first use would extend it: a write of its own
            expires_at: now + desk.app.state.settings.session_ttl_secs,
            ip: None,
            user_agent: None,
        },
    )
    .await
    .expect("session");
    Some(token)
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
}

// ---------------------------------------------------------------- the suite

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_bad_request_gets_a_5xx_or_changes_anything() {
    count_panics();
    let started = Instant::now();
    let desk = desk().await;
    let per_call = std::env::var("BAD_INPUT_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES_PER_CALL);
    let enums = enum_spellings();

    // one template per server function; the table names them all (the matrix checks that too)
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let mut seen = BTreeSet::new();
    let mut cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| seen.insert(c.path))
        .collect();
    // ending sessions and deactivating the spare records last, as the matrix does
    cases.sort_by_key(|c| match c.path {
        "sign_out" => 2,
        "admin/set_org_active" | "admin/set_user_active" => 1,
        _ => 0,
    });
    let missing: Vec<_> = registered
        .iter()
        .filter(|p| !cases.iter().any(|c| c.path == p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "server functions with no template: {missing:?}"
    );

    let mut fp = Fingerprints::open(&desk.app.state.pool.sqlite_file().expect("SQLite")).await;
    fp.settle().await;
    let mut runner = TestRunner::deterministic();
    let strategy = mutation();
    let mut wrong: Vec<String> = Vec::new();
    let mut undeclared = BTreeSet::new();
    let mut exercised = BTreeSet::new();
    let (mut sent, mut accepted, mut seq) = (0usize, 0usize, 0usize);

    for case in &cases {
        let mut codec = Codec::Form;
        for who in SENDERS {
            let mut fresh = true;
            let (mut template, mut session) = (None, None);
            for _ in 0..per_call {
                if fresh {
                    seq += 1;
                    let (t, s) = prepare(&desk, case, who, seq).await;
                    undeclared.extend(
                        t.leaves()
                            .into_iter()
                            .filter(|p| {
                                matches!(kind_of(p, get(&t.args, p), &enums), Kind::Int { .. })
                            })
                            .filter_map(|p| p.last().cloned())
                            .filter(|name| int_range(name).is_none())
                            .map(|name| format!("{}: {name}", case.path)),
                    );
                    codec = t.codec;
                    (template, session) = (Some(t), s);
                    fresh = false;
                }
                let template = template.as_ref().expect("prepared");
                let m = strategy
                    .new_tree(&mut runner)
                    .expect("a mutation")
                    .current();
                let g = garble(template, &m, &enums);
                let before = fp.current().await;
                let answer = send(&desk, case.path, &g, session.as_deref()).await;
                sent += 1;
                exercised.insert(case.path);
                let label = format!("{:<26} {who:?} [{}]", case.path, g.what);
                let (status, text) = match answer {
                    Answer::Status(s, t) => (s, t),
                    Answer::Nothing(e) => {
                        wrong.push(format!("{label}: no answer ({e})"));
                        continue;
                    }
                };
                match status {
                    200..=299 => {
                        accepted += 1;
                        if g.must != Must::Either {
                            wrong
                                .push(format!("{label}: accepted ({status}) what cannot be valid"));
                        }
                        // it may have changed the ticket, the token...: start again from a fresh set-up
                        fresh = true;
                    }
                    400..=499 => {
                        if g.must == Must::BeUnreadable && status != 400 {
                            wrong.push(format!(
                                "{label}: {status} for an unreadable request, not 400"
                            ));
                        }
                        if let Err(why) = says_why(&text) {
                            wrong.push(format!("{label}: {status} with {why}"));
                        }
                        let after = fp.current().await;
                        // a refused sign-in is counted towards the rate limit: that is its purpose
                        let ignore: &[&str] = if case.path == "sign_in" {
                            &["login_failures"]
                        } else {
                            &[]
                        };
                        let diff = changed(&before, &after, ignore);
                        if !diff.is_empty() {
                            wrong.push(format!(
                                "{label}: refused with {status} but changed {diff:?}"
                            ));
                        }
                    }
                    _ => {
                        let text: String = text.chars().take(160).collect();
                        wrong.push(format!("{label}: {status} {text}"));
                    }
                }
            }
        }

        // every number just outside its range, from someone the call is meant for
        if let Some(who) = meant_for(case) {
            seq += 1;
            let (t, session) = prepare(&desk, case, who, seq).await;
            for path in t.leaves() {
                let Kind::Int { min, max } = kind_of(&path, get(&t.args, &path), &enums) else {
                    continue;
                };
                for x in out_of_range(min, max) {
                    let mut args = t.args.clone();
                    *slot(&mut args, &path) = t.codec.number(x);
                    let g = Garbled {
                        what: format!("{} = {x}, out of range", path.join(".")),
                        body: t.encode(&args, t.codec),
                        content_type: Some(t.codec.content_type()),
                        must: Must::BeRefused,
                    };
                    let before = fp.current().await;
                    let answer = send(&desk, case.path, &g, session.as_deref()).await;
                    sent += 1;
                    let label = format!("{:<26} {who:?} [{}]", case.path, g.what);
                    match answer {
                        Answer::Status(400..=499, text) => {
                            if let Err(why) = says_why(&text) {
                                wrong.push(format!("{label}: refused with {why}"));
                            }
                            let diff = changed(&before, &fp.current().await, &[]);
                            if !diff.is_empty() {
                                wrong.push(format!("{label}: refused but changed {diff:?}"));
                            }
                        }
                        Answer::Status(status, text) => wrong.push(format!(
                            "{label}: {status}, not refused {}",
                            text.chars().take(120).collect::<String>()
                        )),
                        Answer::Nothing(e) => wrong.push(format!("{label}: no answer ({e})")),
                    }
                }
            }
        }

        // over the limit: announced up front, and found only while reading
        let session = desk.session(Admin);
        let ct = codec.content_type();
        let before = fp.current().await;
        for (how, chunked) in [("announced", false), ("chunked", true)] {
            let answer = send_over_limit(&desk, case.path, ct, session.as_deref(), chunked).await;
            sent += 1;
            match answer {
                Answer::Status(413, text) => {
                    if let Err(why) = says_why(&text) {
                        wrong.push(format!(
                            "{:<26} [{how} body over the limit]: 413 with {why}",
                            case.path
                        ));
                    }
                }
                Answer::Status(s, t) => wrong.push(format!(
                    "{:<26} [{how} body over the limit]: {s}, not 413 {}",
                    case.path,
                    t.chars().take(120).collect::<String>()
                )),
                Answer::Nothing(e) => wrong.push(format!(
                    "{:<26} [{how} body over the limit]: no answer ({e})",
                    case.path
                )),
            }
        }
        let diff = changed(&before, &fp.current().await, &[]);
        if !diff.is_empty() {
            wrong.push(format!(
                "{:<26} [over the limit]: changed {diff:?}",
                case.path
            ));
        }

        let health = desk.http.get(desk.app.url("/healthz")).send().await;
        assert!(
            health.is_ok_and(|r| r.status() == 200),
            "the server stopped answering after {}",
            case.path
        );
    }

    assert!(
        undeclared.is_empty(),
        "number arguments with no declared range in INT_RANGES: {undeclared:?}"
    );
    let not_exercised: Vec<_> = registered
        .iter()
        .filter(|p| !exercised.contains(p.as_str()))
        .collect();
    assert!(not_exercised.is_empty(), "never called: {not_exercised:?}");
    let panics = PANICS.load(Ordering::SeqCst);
    eprintln!(
        "bad input: {sent} requests to {} server functions, {accepted} accepted, in {:.1}s",
        registered.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        wrong.is_empty() && panics == 0,
        "{} of {sent} bad requests answered wrongly, {panics} panics:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
