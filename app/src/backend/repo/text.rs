//! What people type, made safe to search with: LIKE patterns and full-text queries (FTS5 on
//! SQLite, `tsquery` on PostgreSQL).

use crate::backend::db::Dialect;

/// A LIKE pattern (with `ESCAPE '\\'`) matching text that contains `needle` as written.
pub fn like_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The words of a search, each matched as a prefix. Whatever the user typed, only words reach
/// the query (quotes, operators and punctuation never pass through as syntax).
#[derive(Debug, PartialEq, Eq)]
pub struct Terms {
    words: Vec<String>,
    any: bool,
}

/// At most this many words count: a pasted paragraph is not a search.
const MOST_WORDS: usize = 12;

impl Terms {
    /// Every word of `input`. `None` when no word is left.
    pub fn all(input: &str) -> Option<Terms> {
        Terms::of(input, 1, false)
    }

    /// Any of the words of `input` of three letters or more (a problem being described).
    pub fn any(input: &str) -> Option<Terms> {
        Terms::of(input, 3, true)
    }

    fn of(input: &str, shortest: usize, any: bool) -> Option<Terms> {
        let words: Vec<String> = input
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= shortest)
            .take(MOST_WORDS)
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then_some(Terms { words, any })
    }

    /// The query in `dialect`: `"vpn"* "token"*` for FTS5's MATCH, `vpn:* & token:*` for
    /// PostgreSQL's `to_tsquery` (the words are alphanumeric, so neither sees syntax in them).
    pub fn query(&self, dialect: Dialect) -> String {
        let (term, all, any): (fn(&String) -> String, _, _) = match dialect {
            Dialect::Sqlite => (|w| format!("\"{w}\"*"), " ", " OR "),
            Dialect::Postgres => (|w| format!("{w}:*"), " & ", " | "),
        };
        let terms: Vec<String> = self.words.iter().map(term).collect();
        terms.join(if self.any { any } else { all })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts5(input: &str) -> Option<String> {
        Terms::all(input).map(|t| t.query(Dialect::Sqlite))
    }

    #[test]
    fn search_text_becomes_a_safe_prefix_query() {
        assert_eq!(fts5("vpn drops").as_deref(), Some("\"vpn\"* \"drops\"*"));
        assert_eq!(
            fts5("\"printer\" OR NEAR(x)").as_deref(),
            Some("\"printer\"* \"or\"* \"near\"* \"x\"*")
        );
        assert_eq!(
            fts5("Müller-Lüdenscheidt").as_deref(),
            Some("\"müller\"* \"lüdenscheidt\"*")
        );
        assert_eq!(fts5("  ***  \"\" () "), None);
        assert_eq!(fts5(&"a ".repeat(100)).unwrap().matches('*').count(), 12);
    }

    #[test]
    fn postgres_gets_the_same_words_as_a_tsquery() {
        let q = |input: &str| Terms::all(input).map(|t| t.query(Dialect::Postgres));
        assert_eq!(q("vpn drops").as_deref(), Some("vpn:* & drops:*"));
        assert_eq!(
            q("'a' & !b | c:* <-> (d)").as_deref(),
            Some("a:* & b:* & c:* & d:*")
        );
        assert_eq!(q("Müller").as_deref(), Some("müller:*"));
    }

    #[test]
    fn any_word_queries_keep_only_longer_words() {
        let any = Terms::any("my VPN \"token\" OR x").unwrap();
        assert_eq!(any.query(Dialect::Sqlite), "\"vpn\"* OR \"token\"*");
        assert_eq!(any.query(Dialect::Postgres), "vpn:* | token:*");
        assert_eq!(Terms::any("a b"), None);
    }
}
