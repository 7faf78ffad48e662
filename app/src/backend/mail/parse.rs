//! One received message, read with a real MIME parser (mail-parser): multipart, charsets,
//! RFC 2047 encoded words and file names, quoted-printable and base64, HTML-only mail as text.

use crate::model::mail::{self, Automatic, Signals};
use mail_parser::{MessageParser, MimeHeaders};

/// What the desk reads off a message.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub message_id: Option<String>,
    /// `In-Reply-To` then `References`, newest first: the messages this one answers.
    pub answers: Vec<String>,
    /// Lower case.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub automatic: Option<Automatic>,
    pub files: Vec<IncomingFile>,
}

#[derive(Debug, Clone)]
pub struct IncomingFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads `raw`; Err says, in words for the Unprocessed list, why it could not be read.
pub fn parse(raw: &[u8]) -> Result<Incoming, String> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.parts.is_empty() && !m.root_part().headers.is_empty())
        .ok_or("it is not an e-mail message (no headers could be read)")?;
    let from = message.from().and_then(|f| f.first());
    let from_address = from
        .and_then(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| a.contains('@') && !a.chars().any(|c| c.is_whitespace() || c.is_control()));
    let from_name = from
        .and_then(|a| a.name())
        .map(|n| n.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let subject = message.subject().unwrap_or_default().to_string();
    let header = |name: &'static str| message.header_raw(name).map(str::trim);
    let content_type = message.content_type().map(|ct| match ct.subtype() {
        Some(sub) => {
            let report = ct.attribute("report-type").unwrap_or_default();
            format!("{}/{sub}; report-type={report}", ct.ctype())
        }
        None => ct.ctype().to_string(),
    });
    let return_path = match message.return_path() {
        mail_parser::HeaderValue::Text(t) => Some(t.to_string()),
        mail_parser::HeaderValue::TextList(l) => l.first().map(|t| t.to_string()),
        mail_parser::HeaderValue::Empty => None,
        _ => header("Return-Path").map(str::to_string),
    }
    .or_else(|| header("Return-Path").map(str::to_string));
    let automatic = mail::automatic(&Signals {
        auto_submitted: header("Auto-Submitted"),
        precedence: header("Precedence"),
        auto_response_suppress: header("X-Auto-Response-Suppress"),
        list_id: header("List-Id"),
        return_path: return_path.as_deref(),
        content_type: content_type.as_deref(),
        x_autoreply: header("X-Autoreply").is_some() || header("X-Autorespond").is_some(),
        from_address: from_address.as_deref().unwrap_or_default(),
        subject: &subject,
    });
    let ids = |value: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        value
            .as_text_list()
            .unwrap_or_default()
            .iter()
            .filter_map(|id| mail::normalize_message_id(id))
            .collect()
    };
    let mut answers = ids(message.in_reply_to());
    let mut references = ids(message.references());
    references.reverse();
    for id in references {
        if !answers.contains(&id) {
            answers.push(id);
        }
    }
    // a bounce names the message that failed in the copy it carries
    if automatic == Some(Automatic::Bounce) {
        for part in message.attachments().filter(|p| p.is_message()) {
            if let Some(id) = part
                .message()
                .and_then(|m| m.message_id())
                .and_then(mail::normalize_message_id)
            {
                answers.push(id);
            }
        }
    }
    answers.truncate(50);
    let text = message
        .body_text(0)
        .map(|t| t.replace('\0', ""))
        .unwrap_or_default();
    let files = message
        .attachments()
        .filter(|part| !part.is_message() || part.attachment_name().is_some())
        .enumerate()
        .map(|(i, part)| IncomingFile {
            name: part
                .attachment_name()
                .map(str::to_string)
                .unwrap_or_else(|| format!("attachment-{}", i + 1)),
            bytes: part.contents().to_vec(),
        })
        .collect();
    Ok(Incoming {
        message_id: message.message_id().and_then(mail::normalize_message_id),
        answers,
        from_address,
        from_name,
        subject,
        text,
        automatic,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_message_is_read() {
        let raw = b"From: Ana Costa <Ana@Contoso.com>\r\nTo: desk@msp.example\r\nSubject: =?UTF-8?Q?Drucker_kaputt_=E2=80=93_bitte?=\r\nMessage-ID: <abc@contoso.com>\r\nIn-Reply-To: <n-1@frontline>\r\nReferences: <first@x> <n-1@frontline>\r\n\r\nHello\r\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.from_address.as_deref(), Some("ana@contoso.com"));
        assert_eq!(m.from_name.as_deref(), Some("Ana Costa"));
        assert_eq!(m.subject, "Drucker kaputt – bitte");
        assert_eq!(m.message_id.as_deref(), Some("abc@contoso.com"));
        assert_eq!(m.answers, ["n-1@frontline", "first@x"]);
        assert_eq!(m.text.trim(), "Hello");
        assert_eq!(m.automatic, None);
    }

    #[test]
    fn html_only_mail_becomes_text_and_files_keep_their_names() {
        let raw = concat!(
            "From: a@b.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n",
            "--B\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
            "<p>Gr=FC=DFe <b>aus</b> K=F6ln</p>\r\n",
            "--B\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?UmVjaG51bmcucGRm?=\"\r\n",
            "Content-Disposition: attachment; filename=\"=?UTF-8?B?UmVjaG51bmcucGRm?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            "JVBERi0=\r\n--B--\r\n"
        );
        let m = parse(raw.as_bytes()).unwrap();
        assert!(m.text.contains("Grüße aus Köln"), "{}", m.text);
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].name, "Rechnung.pdf");
        assert_eq!(m.files[0].bytes, b"%PDF-");
    }

    #[test]
    fn bounces_and_auto_replies_are_recognised() {
        let dsn = b"From: MAILER-DAEMON@mx.example\r\nReturn-Path: <>\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"X\"\r\n\r\n--X\r\n\r\nfailed\r\n--X--\r\n";
        assert_eq!(parse(dsn).unwrap().automatic, Some(Automatic::Bounce));
        let ooo = b"From: ana@contoso.com\r\nAuto-Submitted: auto-replied\r\nSubject: Out of Office\r\n\r\nAway\r\n";
        assert_eq!(parse(ooo).unwrap().automatic, Some(Automatic::Reply));
        let alert = b"From: zabbix@mon.contoso.com\r\nAuto-Submitted: auto-generated\r\nSubject: Disk full\r\n\r\nSRV1\r\n";
        assert_eq!(parse(alert).unwrap().automatic, Some(Automatic::Generated));
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert!(parse(b"").is_err());
        // no sender address: read, but without one
        let m = parse(b"Subject: hi\r\n\r\nbody").unwrap();
        assert_eq!(m.from_address, None);
    }
}
