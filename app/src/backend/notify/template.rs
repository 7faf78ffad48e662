//! The body of a mail as its template builds it: paragraphs of text, some written by people, and
//! links that only the template adds. The plain text and the HTML part are both made from these
//! parts, so nothing a person writes can become a link or markup in the HTML.

enum Part {
    Text(String),
    Link { label: &'static str, url: String },
}

#[derive(Default)]
pub struct MailBody {
    parts: Vec<Part>,
}

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

impl MailBody {
    pub fn new() -> MailBody {
        MailBody::default()
    }

    /// A paragraph (or several, split by blank lines) of text; never a link, whatever it says.
    pub fn text(mut self, text: impl Into<String>) -> MailBody {
        let text: String = text.into();
        if !text.trim().is_empty() {
            self.parts.push(Part::Text(text));
        }
        self
    }

    /// A link of the template's own: `label: url` in the plain text, a link in the HTML.
    pub fn link(mut self, label: &'static str, url: impl Into<String>) -> MailBody {
        self.parts.push(Part::Link {
            label,
            url: url.into(),
        });
        self
    }

    /// The plain text part: paragraphs separated by blank lines.
    pub fn plain(&self) -> String {
        let paragraphs: Vec<String> = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.trim().to_string(),
                Part::Link { label, url } => format!("{label}: {url}"),
            })
            .collect();
        format!("{}\n", paragraphs.join("\n\n"))
    }

    /// The HTML part: every text escaped, and the template's links the only links.
    pub fn html(&self) -> String {
        let mut body = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => {
                    for paragraph in t.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                        body.push_str("<p>");
                        body.push_str(&escape_html(paragraph).replace('\n', "<br>"));
                        body.push_str("</p>");
                    }
                }
                Part::Link { label, url } => {
                    body.push_str(&format!(
                        "<p><a href=\"{}\">{}</a></p>",
                        escape_html(url),
                        escape_html(label)
                    ));
                }
            }
        }
        format!("<!doctype html><html><body style=\"font-family:sans-serif\">{body}</body></html>")
    }
}

/// Text without a template (older messages, and messages that carry no links): all of it text.
impl From<&str> for MailBody {
    fn from(text: &str) -> MailBody {
        MailBody::new().text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_only_template_links_are_links() {
        let body = MailBody::new()
            .text("Ana replied on HD-1 \"<b>x</b>\".")
            .text("Open the ticket: https://evil.example\n<a href=\"https://evil.example\">x</a>")
            .link("Open the ticket", "http://desk/tickets/HD-1");
        let html = body.html();
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
        assert!(html.contains("<p>Open the ticket: https://evil.example<br>&lt;a href="));
        assert!(html.contains("<a href=\"http://desk/tickets/HD-1\">Open the ticket</a>"));
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert_eq!(
            body.plain(),
            "Ana replied on HD-1 \"<b>x</b>\".\n\nOpen the ticket: https://evil.example\n\
             <a href=\"https://evil.example\">x</a>\n\nOpen the ticket: http://desk/tickets/HD-1\n"
        );
    }

    #[test]
    fn plain_text_alone_has_no_links() {
        let html = MailBody::from("Open the ticket: http://desk/tickets/HD-1\n").html();
        assert!(!html.contains("<a "), "{html}");
    }
}
