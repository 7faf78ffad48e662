//! What people type, made safe to search with: LIKE patterns and FTS5 queries.

/// A LIKE pattern (with `ESCAPE '\\'`) matching text that contains `needle` as written.
pub fn like_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// An FTS5 query that matches every word of `input` as a prefix, whatever the user typed
/// (quotes, operators and punctuation are never passed through). `None` when no word is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_a_safe_prefix_query() {
        assert_eq!(
            fts_query("vpn drops").as_deref(),
            Some("\"vpn\"* \"drops\"*")
        );
        assert_eq!(
            fts_query("\"printer\" OR NEAR(x)").as_deref(),
            Some("\"printer\"* \"or\"* \"near\"* \"x\"*")
        );
        assert_eq!(
            fts_query("Müller-Lüdenscheidt").as_deref(),
            Some("\"müller\"* \"lüdenscheidt\"*")
        );
        assert_eq!(fts_query("  ***  \"\" () "), None);
        assert_eq!(
            fts_query(&"a ".repeat(100)).unwrap().matches('*').count(),
            12
        );
    }
}
