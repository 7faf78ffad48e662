//! Reading received mail as a help desk must: who sent it, whether a machine did, which ticket it
//! continues, and what the person actually wrote above the quoted history. Pure: the parser
//! (backend/mail/parse.rs) hands over header values and text, and this decides.

use super::ticket::{TicketNumber, Urgency, MAX_SUBJECT_CHARS, MAX_TEXT_BYTES};

/// How a machine, not a person, sent a message (RFC 3834 and the headers mail software uses in
/// practice). Nothing automatic is ever answered automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// An answer to a message: out-of-office, vacation notices, other desks' acknowledgements.
    /// Never opens a ticket.
    Reply,
    /// A delivery status notification (a bounce). Never opens a ticket.
    Bounce,
    /// Machine-made mail that may be real work: monitoring alerts, mailing lists, bulk senders.
    /// Opens tickets, but nobody answers it.
    Generated,
}

impl Automatic {
    /// Whether it may open a ticket at all.
    pub fn opens_tickets(self) -> bool {
        self == Automatic::Generated
    }

    pub fn describe(self) -> &'static str {
        match self {
            Automatic::Reply => "an automatic reply (out of office or similar)",
            Automatic::Bounce => "a delivery failure notice",
            Automatic::Generated => "machine-generated mail",
        }
    }
}

/// The headers that tell a machine's mail from a person's, as found on the message (values
/// lower-cased or not; absent headers are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals<'a> {
    pub auto_submitted: Option<&'a str>,
    pub precedence: Option<&'a str>,
    pub auto_response_suppress: Option<&'a str>,
    pub list_id: Option<&'a str>,
    /// `Return-Path`, as found: `<>` is the null sender of bounces and auto-replies.
    pub return_path: Option<&'a str>,
    /// The top-level content type, e.g. "multipart/report; report-type=delivery-status".
    pub content_type: Option<&'a str>,
    /// Microsoft's and others' out-of-office markers (`X-Autoreply`, `X-Autorespond`).
    pub x_autoreply: bool,
    pub from_address: &'a str,
    pub subject: &'a str,
}

/// What sent the message, if not a person.
pub fn automatic(s: &Signals<'_>) -> Option<Automatic> {
    let lower = |v: Option<&str>| v.map(|v| v.trim().to_ascii_lowercase());
    let content_type = lower(s.content_type).unwrap_or_default();
    let local_part = s
        .from_address
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/report") && content_type.contains("delivery-status")
        || local_part == "mailer-daemon"
        || local_part == "postmaster"
    {
        return Some(Automatic::Bounce);
    }
    let auto_submitted = lower(s.auto_submitted);
    let auto_submitted = auto_submitted.as_deref().map(|v| {
        // "auto-replied; owner-email=..." carries parameters after the keyword
        v.split(';').next().unwrap_or_default().trim().to_string()
    });
    if auto_submitted.as_deref() == Some("auto-replied")
        || s.x_autoreply
        || out_of_office(s.subject)
    {
        return Some(Automatic::Reply);
    }
    let precedence = lower(s.precedence);
    let bulk = matches!(precedence.as_deref(), Some("bulk" | "junk" | "list"));
    let null_sender = s.return_path.is_some_and(|p| matches!(p.trim(), "<>" | ""));
    if auto_submitted.as_deref().is_some_and(|v| v != "no")
        || bulk
        || s.auto_response_suppress.is_some()
        || s.list_id.is_some()
        || null_sender
    {
        return Some(Automatic::Generated);
    }
    None
}

/// Subjects that out-of-office notices carry when their sender sets no header.
fn out_of_office(subject: &str) -> bool {
    let s = subject.to_lowercase();
    [
        "out of office",
        "out of the office",
        "automatic reply",
        "auto-reply",
        "autoreply",
        "abwesenheitsnotiz",
        "réponse automatique",
        "respuesta automática",
    ]
    .iter()
    .any(|marker| s.contains(marker))
}

/// The ticket number a subject names with its tag: `[HD-1234]`, anywhere in the subject.
pub fn subject_tag(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(start) = rest.find('[') {
        rest = &rest[start + 1..];
        if let Some(end) = rest.find(']') {
            if let Ok(number) = rest[..end].trim().parse::<TicketNumber>() {
                return Some(number.0);
            }
        }
    }
    None
}

/// The subject with reply/forward prefixes and our tag taken off, for a new ticket's subject.
pub fn clean_subject(subject: &str) -> String {
    let mut s: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    loop {
        let trimmed = s.trim_start();
        let lower = trimmed.to_lowercase();
        let prefix = ["re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "tr:"]
            .iter()
            .find(|p| lower.starts_with(*p));
        match prefix {
            Some(p) => s = trimmed[p.len()..].to_string(),
            None => break,
        }
    }
    if let Some(number) = subject_tag(&s) {
        s = s.replace(&format!("[{}]", TicketNumber(number)), "");
    }
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.chars().take(MAX_SUBJECT_CHARS).collect()
}

/// A message's text split into what the person wrote now and the history they quoted below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub reply: String,
    pub quoted: Option<String>,
}

/// Cuts off the quoted history: an "On … wrote:" line (Gmail, Apple Mail, Thunderbird), Outlook's
/// "From: … Sent: …" header block or "-----Original Message-----", and a run of `>` lines that
/// lasts to the end. What precedes them is the reply; a message that is nothing but quote keeps
/// its text as the reply.
pub fn split_quoted(text: &str) -> Split {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let cut = (0..lines.len()).find(|&i| starts_history(&lines, i));
    let Some(cut) = cut else {
        return Split {
            reply: text.trim().to_string(),
            quoted: None,
        };
    };
    let reply = lines[..cut].join("\n").trim().to_string();
    let quoted = lines[cut..].join("\n").trim().to_string();
    if reply.is_empty() {
        return Split {
            reply: text.trim().to_string(),
            quoted: None,
        };
    }
    Split {
        reply,
        quoted: (!quoted.is_empty()).then_some(quoted),
    }
}

fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    let lower = line.to_lowercase();
    if lower.starts_with("-----original message-----")
        || lower.starts_with("-------- original message --------")
        || lower.starts_with("---------- forwarded message")
    {
        return true;
    }
    // "On Tue, 8 Dec 2026 at 10:02, Ana <ana@x.com> wrote:", possibly wrapped over two lines
    let joined = match lines.get(i + 1) {
        Some(next) => format!("{lower} {}", next.trim().to_lowercase()),
        None => lower.clone(),
    };
    let wrote = ["wrote", "schrieb", "écrit", "escribió", "skrev"];
    let attribution = |l: &str| {
        ["on ", "am ", "le ", "el ", "den "]
            .iter()
            .any(|p| l.starts_with(p))
            && l.ends_with(':')
            && wrote.iter().any(|w| l.contains(w))
    };
    if attribution(&lower) || attribution(&joined) && !lower.ends_with(':') {
        return true;
    }
    // Outlook: "From: Name <addr>" followed within a few lines by "Sent:" (or "Date:")
    if lower.starts_with("from:") {
        let window = &lines[i + 1..lines.len().min(i + 5)];
        if window.iter().any(|l| {
            let l = l.trim().to_lowercase();
            l.starts_with("sent:") || l.starts_with("date:")
        }) {
            return true;
        }
    }
    // a run of quoted lines (blank lines allowed) to the end of the message
    line.starts_with('>')
        && lines[i..]
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
}

/// Keeps a mail's text within what a ticket holds, saying where the rest is.
pub fn fit_text(text: &str) -> String {
    if text.len() <= MAX_TEXT_BYTES {
        return text.to_string();
    }
    let note = "\n\n[The message was longer; the rest is in the original message.]";
    let mut end = MAX_TEXT_BYTES - note.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{note}", &text[..end])
}

/// Whether the mail reads urgent: one of the desk's keywords in its subject or first lines.
pub fn urgency_of(subject: &str, text: &str, keywords: &[&str]) -> Urgency {
    let head: String = text.chars().take(500).collect();
    let haystack = format!("{subject}\n{head}").to_lowercase();
    let words: Vec<&str> = haystack
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // a keyword of one word matches a whole word ("down", not "download"); longer ones as text
    let urgent = keywords.iter().any(|k| {
        let k = k.trim().to_lowercase();
        if k.contains(' ') {
            haystack.contains(&k)
        } else {
            !k.is_empty() && words.contains(&k.as_str())
        }
    });
    if urgent {
        Urgency::Urgent
    } else {
        Urgency::NotUrgent
    }
}

/// The words that make mail urgent unless the desk configures others.
pub const URGENT_WORDS: &[&str] = &["urgent", "asap", "emergency", "down", "outage", "critical"];

/// A Message-ID as stored: without angle brackets or surrounding space, lower-cased domain kept
/// as sent (comparisons are exact, as mail clients copy ids verbatim).
pub fn normalize_message_id(raw: &str) -> Option<String> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty() && id.len() <= 998 && !id.chars().any(|c| c.is_whitespace() || c.is_control()))
        .then(|| id.to_string())
}

/// The domain of an address, lower-cased.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('>').to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals<'a>(from: &'a str, subject: &'a str) -> Signals<'a> {
        Signals {
            from_address: from,
            subject,
            ..Default::default()
        }
    }

    #[test]
    fn people_are_not_machines() {
        assert_eq!(automatic(&signals("ana@contoso.com", "VPN is down")), None);
        let mut s = signals("ana@contoso.com", "VPN");
        s.auto_submitted = Some("no");
        assert_eq!(automatic(&s), None);
    }

    #[test]
    fn auto_replies_bounces_and_generated_mail_are_told_apart() {
        let mut s = signals("ana@contoso.com", "Re: [HD-12] VPN");
        s.auto_submitted = Some("auto-replied; owner-email=ana@contoso.com");
        assert_eq!(automatic(&s), Some(Automatic::Reply));
        assert_eq!(
            automatic(&signals("ana@contoso.com", "Automatic reply: [HD-12] VPN")),
            Some(Automatic::Reply)
        );
        let mut s = signals("ana@contoso.com", "Hi");
        s.x_autoreply = true;
        assert_eq!(automatic(&s), Some(Automatic::Reply));
        let mut s = signals("MAILER-DAEMON@mx.example", "Undelivered Mail");
        assert_eq!(automatic(&s), Some(Automatic::Bounce));
        s.from_address = "postmaster@contoso.com";
        assert_eq!(automatic(&s), Some(Automatic::Bounce));
        let mut s = signals("bounces@x.com", "Delivery Status Notification (Failure)");
        s.content_type = Some("multipart/report; report-type=delivery-status; boundary=x");
        assert_eq!(automatic(&s), Some(Automatic::Bounce));
        for (name, set) in [
            ("auto-generated", 0),
            ("bulk", 1),
            ("list", 1),
            ("junk", 1),
            ("All", 2),
            ("<list.x.com>", 3),
            ("<>", 4),
        ] {
            let mut s = signals("zabbix@monitor.contoso.com", "Disk full on SRV1");
            match set {
                0 => s.auto_submitted = Some(name),
                1 => s.precedence = Some(name),
                2 => s.auto_response_suppress = Some(name),
                3 => s.list_id = Some(name),
                _ => s.return_path = Some(name),
            }
            assert_eq!(automatic(&s), Some(Automatic::Generated), "{name}");
        }
        assert!(Automatic::Generated.opens_tickets());
        assert!(!Automatic::Reply.opens_tickets());
        assert!(!Automatic::Bounce.opens_tickets());
    }

    #[test]
    fn the_subject_tag_names_a_ticket() {
        assert_eq!(subject_tag("Re: [HD-1234] VPN drops"), Some(1234));
        assert_eq!(subject_tag("[ext] Re: VPN [HD-77]"), Some(77));
        assert_eq!(subject_tag("[hd-5] lower case"), Some(5));
        assert_eq!(subject_tag("HD-1234 without brackets"), None);
        assert_eq!(subject_tag("[HD-] [HD-x] [HD-0"), None);
        assert_eq!(subject_tag("no tag"), None);
    }

    #[test]
    fn subjects_lose_prefixes_and_the_tag() {
        assert_eq!(clean_subject("RE: Fwd: [HD-9] Printer jam"), "Printer jam");
        assert_eq!(clean_subject("AW: WG: Drucker"), "Drucker");
        assert_eq!(clean_subject("Line\r\nbreak"), "Line break");
        assert_eq!(
            clean_subject(&"x".repeat(500)).chars().count(),
            MAX_SUBJECT_CHARS
        );
    }

    #[test]
    fn gmail_apple_and_outlook_quotes_are_cut() {
        let gmail = "Thanks, that fixed it.\n\nOn Tue, 8 Dec 2026 at 10:02, Help Desk <desk@msp.example> wrote:\n> Please restart.\n> Bye";
        let s = split_quoted(gmail);
        assert_eq!(s.reply, "Thanks, that fixed it.");
        assert!(s.quoted.unwrap().starts_with("On Tue"));

        let wrapped = "Still broken.\n\nOn Tue, 8 Dec 2026 at 10:02, Help Desk\n<desk@msp.example> wrote:\n\n> Please restart.";
        assert_eq!(split_quoted(wrapped).reply, "Still broken.");

        let apple = "Works now\n\n> On 8 Dec 2026, at 10:02, Help Desk <desk@msp.example> wrote:\n> \n> Please restart.";
        assert_eq!(split_quoted(apple).reply, "Works now");

        let outlook = "Yes please go ahead.\n\nFrom: Help Desk <desk@msp.example>\nSent: Tuesday, December 8, 2026 10:02 AM\nTo: Ana\nSubject: [HD-3] VPN\n\nPlease restart.";
        let s = split_quoted(outlook);
        assert_eq!(s.reply, "Yes please go ahead.");
        assert!(s.quoted.unwrap().contains("Please restart."));

        let original = "ok\n-----Original Message-----\nFrom: x";
        assert_eq!(split_quoted(original).reply, "ok");

        let german = "Danke!\n\nAm 08.12.2026 um 10:02 schrieb Help Desk <desk@msp.example>:\n> Bitte neu starten.";
        let s = split_quoted(german);
        assert_eq!(s.reply, "Danke!");
        assert!(s.quoted.unwrap().starts_with("Am 08.12.2026"));
    }

    #[test]
    fn inline_answers_and_pure_quotes_keep_their_text() {
        let inline = "> Which printer?\nThe one on floor 2.\n> Since when?\nMonday.";
        let s = split_quoted(inline);
        assert_eq!(s.reply, inline);
        assert_eq!(s.quoted, None);
        let only_quote = "> just a quote";
        assert_eq!(split_quoted(only_quote).reply, "> just a quote");
        assert_eq!(split_quoted("plain").quoted, None);
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_TEXT_BYTES);
        let fit = fit_text(&long);
        assert!(fit.len() <= MAX_TEXT_BYTES);
        assert!(fit.ends_with("original message.]"));
        assert_eq!(fit_text("short"), "short");
    }

    #[test]
    fn urgency_comes_from_keywords() {
        assert_eq!(urgency_of("Server DOWN", "", URGENT_WORDS), Urgency::Urgent);
        assert_eq!(
            urgency_of("Question", "when is the training?", URGENT_WORDS),
            Urgency::NotUrgent
        );
        assert_eq!(urgency_of("x", "y", &[]), Urgency::NotUrgent);
        assert_eq!(
            urgency_of("Download link", "after shutdown", URGENT_WORDS),
            Urgency::NotUrgent
        );
        assert_eq!(
            urgency_of("x", "the site is down!", &["site is down"]),
            Urgency::Urgent
        );
    }

    #[test]
    fn message_ids_and_domains_are_normalized() {
        assert_eq!(
            normalize_message_id(" <abc@x.com> ").as_deref(),
            Some("abc@x.com")
        );
        assert_eq!(normalize_message_id("<>"), None);
        assert_eq!(normalize_message_id("a b@x"), None);
        assert_eq!(domain_of("Ana@Contoso.COM").as_deref(), Some("contoso.com"));
        assert_eq!(domain_of("nobody"), None);
    }
}
