//! Markdown from users, rendered to HTML that is safe to show: pulldown-cmark renders, ammonia
//! removes anything that could run or restyle the page (scripts, event handlers, styles, iframes).

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(
        &mut raw,
        readable_links(Parser::new_ext(markdown, options)).into_iter(),
    );
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"])
        .clean(&raw)
        .to_string()
}

/// Images become links to them, and a link without words reads as its address.
///
/// Pages show only the desk's own images (the CSP's `img-src` is `'self'`) and the desk hosts
/// none of its users' (screenshots are attachments), so an image in an article or a reply could
/// only ever show broken, without the text a screen reader needs. The link reads as the image's
/// description. Images written as HTML are removed by the sanitizer.
fn readable_links<'a>(parsed: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut events = Vec::new();
    let mut open = Vec::new();
    for event in parsed {
        match event {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                open.push((events.len(), dest_url.clone()));
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                open.push((events.len(), dest_url.clone()));
                events.push(event);
            }
            Event::End(TagEnd::Image | TagEnd::Link) => {
                if let Some((start, dest_url)) = open.pop() {
                    if start + 1 == events.len() {
                        events.push(Event::Text(dest_url));
                    }
                }
                events.push(Event::End(TagEnd::Link));
            }
            other => events.push(other),
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn renders_markdown() {
        assert_eq!(
            to_safe_html("**bold** and `code`"),
            "<p><strong>bold</strong> and <code>code</code></p>\n"
        );
        assert!(to_safe_html("- a\n- b").contains("<li>a</li>"));
    }

    #[test]
    fn strips_anything_that_runs() {
        for attack in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<div style=\"position:fixed\">x</div>",
        ] {
            let html = to_safe_html(attack);
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "<iframe",
                "onload",
                "style=",
            ] {
                assert!(!html.to_lowercase().contains(bad), "{attack:?} -> {html:?}");
            }
        }
    }

    #[test]
    fn images_become_links_and_every_link_has_words() {
        let described = to_safe_html("See ![the printer's menu](https://example.com/menu.png).");
        assert_eq!(
            described,
            "<p>See <a href=\"https://example.com/menu.png\" rel=\"noopener noreferrer nofollow\">\
             the printer's menu</a>.</p>\n"
        );

        // without a description the link reads as the address, as a link without words does
        for bare in [
            "![](https://example.com/menu.png)",
            "[](https://example.com/menu.png)",
        ] {
            let html = to_safe_html(bare);
            assert!(html.contains(">https://example.com/menu.png</a>"), "{html}");
        }

        // images written as HTML are removed, whatever they carry
        let html = to_safe_html("<img src=\"/logo.png\" alt=\"logo\"> text");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("text"), "{html}");
    }

    #[test]
    fn links_open_safely() {
        let html = to_safe_html("[docs](https://example.com)");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }
}
