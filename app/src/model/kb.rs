//! The knowledge base: articles, who may read them, and the rules for writing one.

use super::ticket::named_enum;
use super::TicketNumber;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who may read an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The desk only.
    #[default]
    Internal,
    /// The desk and every client.
    Clients,
    /// The desk and one client organization.
    Organization,
}
named_enum!(Visibility, "visibility", {
    Internal => "internal", Clients => "clients", Organization => "organization"
});

impl Visibility {
    pub fn label(self) -> &'static str {
        match self {
            Visibility::Internal => "Internal (the desk only)",
            Visibility::Clients => "All clients",
            Visibility::Organization => "One client",
        }
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY_BYTES: usize = 100_000;
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG: usize = 30;
/// Longest search the knowledge base accepts (longer input is cut, never refused).
pub const MAX_QUERY: usize = 200;

/// What an author submits: a new article or a new version of one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Comma-separated.
    #[serde(default)]
    pub tags: String,
    pub visibility: Visibility,
    /// The client an `Organization` article is for (short code).
    #[serde(default)]
    pub org_code: Option<String>,
    /// The resolved ticket this article was written from.
    #[serde(default)]
    pub source_ticket: Option<i64>,
}

/// A draft that passed every rule: trimmed, tags normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidArticle {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub org_code: Option<String>,
}

impl ArticleDraft {
    /// Checks the draft; the message names the field in plain words. The form and the server
    /// both call this, so they say the same thing.
    pub fn validate(&self) -> Result<ValidArticle, String> {
        let title = self.title.trim();
        if title.chars().count() < 3 {
            return Err("Give the article a title of at least 3 characters.".into());
        }
        if title.chars().count() > MAX_TITLE {
            return Err(format!("Keep the title under {MAX_TITLE} characters."));
        }
        let body = self.body.trim();
        if body.is_empty() {
            return Err("Write the article's text.".into());
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(format!(
                "The text is too long ({} KB); keep it under {} KB.",
                body.len() / 1000,
                MAX_BODY_BYTES / 1000
            ));
        }
        let tags = parse_tags(&self.tags)?;
        let org_code = self
            .org_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_uppercase);
        let org_code = match (self.visibility, org_code) {
            (Visibility::Organization, None) => {
                return Err("Choose the client this article is for.".into())
            }
            (Visibility::Organization, code) => code,
            (_, _) => None,
        };
        Ok(ValidArticle {
            title: title.to_string(),
            body: body.to_string(),
            tags,
            visibility: self.visibility,
            org_code,
        })
    }
}

/// Tags from "VPN, remote access ,vpn": lower case, trimmed, without repeats, in order.
pub fn parse_tags(raw: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(',').map(|t| t.trim().to_lowercase()) {
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > MAX_TAG {
            return Err(format!("Keep each tag under {MAX_TAG} characters."));
        }
        tags.push(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("Use at most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

/// A search hit or a list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    /// A piece of the text around the matched words, HTML-escaped, matches in `<mark>`.
    pub snippet_html: String,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub updated_at: i64,
    pub helpful: i64,
    pub not_helpful: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbPage {
    pub articles: Vec<ArticleSummary>,
    /// The search as understood (trimmed), if any.
    pub query: Option<String>,
    pub may_write: bool,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleVersion {
    pub version: i64,
    pub title: String,
    pub edited_by: String,
    pub edited_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedTicket {
    pub number: TicketNumber,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    /// The Markdown, for editing (writers only; empty for readers).
    pub body: String,
    /// Rendered and sanitized.
    pub body_html: String,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub org_code: Option<String>,
    pub org_name: Option<String>,
    pub author: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub my_vote: Option<bool>,
    pub may_edit: bool,
    /// Newest first (writers only).
    pub versions: Vec<ArticleVersion>,
    /// Tickets the article helped with (staff only).
    pub tickets: Vec<LinkedTicket>,
    pub now: i64,
}

/// A new article written from a resolved ticket: the problem and the resolution, to edit.
pub fn draft_from_ticket(
    number: TicketNumber,
    subject: &str,
    problem: &str,
    resolution: &str,
) -> ArticleDraft {
    ArticleDraft {
        title: subject.trim().to_string(),
        body: format!(
            "## Problem\n\n{}\n\n## Solution\n\n{}\n",
            problem.trim(),
            resolution.trim()
        ),
        tags: String::new(),
        visibility: Visibility::Internal,
        org_code: None,
        source_ticket: Some(number.0),
    }
}

/// The ids of knowledge articles a message links to (`/kb/42`), each once, in order.
pub fn linked_article_ids(text: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices("/kb/") {
        let digits: String = text[at + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .take(18)
            .collect();
        if let Ok(id) = digits.parse::<i64>() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// A Markdown link to an article, for a reply.
pub fn article_link(id: i64, title: &str) -> String {
    let title: String = title
        .chars()
        .map(|c| if matches!(c, '[' | ']') { ' ' } else { c })
        .collect();
    format!("[{}](/kb/{id})", title.trim())
}

/// Reading text from the start of an article's Markdown (or from an FTS5 snippet of it): the
/// markup people would not see when reading (`#`, `*`, `_`, backticks, `>`, list bullets, link
/// targets) left out, whitespace collapsed, and at most `max` characters, cut between words.
pub fn plain_excerpt(markdown: &str, max: usize) -> String {
    let mut text = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let line = line.trim_start();
        let line = line.trim_start_matches(['#', '>']).trim_start();
        let line = match line.split_once(' ') {
            Some((bullet, rest)) if bullet == "-" || bullet == "*" || bullet == "+" => rest,
            Some((num, rest))
                if num.ends_with('.')
                    && num[..num.len() - 1].chars().all(|c| c.is_ascii_digit())
                    && num.len() > 1 =>
            {
                rest
            }
            _ => line,
        };
        text.push_str(line);
        text.push(' ');
    }
    // [label](target) reads as its label, an image as its alt text; emphasis marks go, but not
    // the underscore inside file_name
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let (prev, next) = (
            i.checked_sub(1).map(|p| chars[p]),
            chars.get(i + 1).copied(),
        );
        let inside_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match chars[i] {
            '`' => {}
            '*' | '_' if !(inside_word(prev) && inside_word(next)) => {}
            '!' if next == Some('[') => {}
            '[' => {}
            ']' if next == Some('(') => {
                while i < chars.len() && chars[i] != ')' {
                    i += 1;
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let mut excerpt = String::new();
    for word in words {
        let extra = word.chars().count() + usize::from(!excerpt.is_empty());
        if excerpt.chars().count() + extra > max {
            excerpt.push('…');
            return excerpt;
        }
        if !excerpt.is_empty() {
            excerpt.push(' ');
        }
        excerpt.push_str(word);
    }
    excerpt
}

/// Turns an FTS5 snippet marked with `\u{2}` (match start) and `\u{3}` (match end) into HTML:
/// everything escaped, matches in `<mark>`. Unbalanced markers cannot open a tag that stays open.
pub fn snippet_to_html(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len() + 16);
    let mut open = false;
    for c in marked.chars() {
        match c {
            '\u{2}' if !open => {
                out.push_str("<mark>");
                open = true;
            }
            '\u{3}' if open => {
                out.push_str("</mark>");
                open = false;
            }
            '\u{2}' | '\u{3}' => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ArticleDraft {
        ArticleDraft {
            title: "  Reset a VPN token ".into(),
            body: "1. Open the portal".into(),
            tags: "VPN, remote access ,vpn,,".into(),
            visibility: Visibility::Clients,
            org_code: Some("nwl".into()),
            source_ticket: None,
        }
    }

    #[test]
    fn a_valid_draft_is_trimmed_and_its_tags_normalized() {
        let a = draft().validate().unwrap();
        assert_eq!(a.title, "Reset a VPN token");
        assert_eq!(a.tags, vec!["vpn", "remote access"]);
        assert_eq!(a.org_code, None, "only one-client articles keep a client");
        let one = ArticleDraft {
            visibility: Visibility::Organization,
            ..draft()
        };
        assert_eq!(one.validate().unwrap().org_code.as_deref(), Some("NWL"));
    }

    #[test]
    fn bad_drafts_are_refused_in_plain_words() {
        let cases = [
            (
                ArticleDraft {
                    title: "ab".into(),
                    ..draft()
                },
                "title",
            ),
            (
                ArticleDraft {
                    title: "x".repeat(MAX_TITLE + 1),
                    ..draft()
                },
                "title",
            ),
            (
                ArticleDraft {
                    body: " \n ".into(),
                    ..draft()
                },
                "text",
            ),
            (
                ArticleDraft {
                    body: "x".repeat(MAX_BODY_BYTES + 1),
                    ..draft()
                },
                "too long",
            ),
            (
                ArticleDraft {
                    tags: "a".repeat(MAX_TAG + 1),
                    ..draft()
                },
                "tag",
            ),
            (
                ArticleDraft {
                    tags: (0..11).map(|i| i.to_string()).collect::<Vec<_>>().join(","),
                    ..draft()
                },
                "at most",
            ),
            (
                ArticleDraft {
                    visibility: Visibility::Organization,
                    org_code: Some(" ".into()),
                    ..draft()
                },
                "client",
            ),
        ];
        for (d, words) in cases {
            let err = d.validate().unwrap_err();
            assert!(err.contains(words), "{err} should mention {words}");
        }
    }

    #[test]
    fn excerpts_read_as_text_and_end_between_words() {
        assert_eq!(
            plain_excerpt("## Reset a *VPN* token\n\n1. Open [the portal](https://x.example)\n- Choose `reset`", 200),
            "Reset a VPN token Open the portal Choose reset"
        );
        assert_eq!(plain_excerpt("one two three four", 12), "one two…");
        assert_eq!(
            plain_excerpt("![screenshot](a.png) done", 50),
            "screenshot done"
        );
        assert_eq!(
            plain_excerpt("3 * 4 = 12, file_name ok", 50),
            "3 4 = 12, file_name ok"
        );
        assert_eq!(plain_excerpt("", 10), "");
        assert_eq!(
            plain_excerpt("\u{2}VPN\u{3} *token*", usize::MAX),
            "\u{2}VPN\u{3} token"
        );
    }

    #[test]
    fn snippets_escape_everything_but_their_marks() {
        assert_eq!(
            snippet_to_html("reset the \u{2}VPN\u{3} <script>"),
            "reset the <mark>VPN</mark> &lt;script&gt;"
        );
        assert_eq!(snippet_to_html("\u{3}a\u{2}b"), "a<mark>b</mark>");
        assert_eq!(snippet_to_html("\"'&"), "&quot;&#39;&amp;");
    }

    #[test]
    fn replies_link_articles_by_their_address() {
        assert_eq!(
            linked_article_ids("See [VPN](/kb/12) and https://desk/kb/7, again /kb/12; not /kb/x"),
            vec![12, 7]
        );
        assert!(linked_article_ids("no links").is_empty());
        assert_eq!(article_link(3, "Fix [it]"), "[Fix  it](/kb/3)");
    }

    #[test]
    fn an_article_from_a_ticket_carries_problem_and_solution() {
        let d = draft_from_ticket(
            TicketNumber(42),
            " Printer jams ",
            "It jams.",
            "Cleaned it.",
        );
        assert_eq!(d.title, "Printer jams");
        assert!(
            d.body.contains("## Problem\n\nIt jams.")
                && d.body.contains("## Solution\n\nCleaned it.")
        );
        assert_eq!(d.source_ticket, Some(42));
        assert_eq!(d.visibility, Visibility::Internal);
    }
}
