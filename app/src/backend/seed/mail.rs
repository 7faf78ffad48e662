//! The demo desk's e-mail: a mailbox, the client firms' mail domains, and a few messages taken
//! in through the real ingest path, so the demo shows mail-born tickets with their originals, a
//! reply threaded by mail, an alert from a monitoring tool, and mail waiting in Unprocessed.

use super::cast;
use crate::backend::clock::ManualClock;
use crate::backend::mail::{ingest, Arrival};
use crate::backend::repo::{mail as repo, orgs};
use crate::backend::state::AppState;
use crate::model::time::{HOUR, MINUTE};
use crate::model::AppResult;
use std::sync::Arc;

/// The demo mailbox; its address is where the desk's answers say to reply.
pub const MAILBOX: &str = "Service desk";
pub const MAILBOX_ADDRESS: &str = "servicedesk@frontline.example";

/// (minutes before now, message) in the order they arrive.
fn messages() -> Vec<(i64, String)> {
    let jo = cast::CLIENT;
    let kim = cast::OTHER_CLIENT;
    vec![
        (
            3 * HOUR / MINUTE,
            format!(
                "From: Jo Bauer <{jo}>\r\nTo: {MAILBOX_ADDRESS}\r\nSubject: Outlook keeps asking for my password\r\n\
                 Message-ID: <demo-outlook-1@northwind.example>\r\nDate: Mon, 7 Dec 2026 08:10:00 +0100\r\n\
                 MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                 Hello,\r\n\r\nsince this morning Outlook asks for my password every few minutes. \
                 I type it and it asks again.\r\n\r\nJo\r\n"
            ),
        ),
        (
            2 * HOUR / MINUTE,
            format!(
                "From: Jo Bauer <{jo}>\r\nTo: {MAILBOX_ADDRESS}\r\nSubject: Re: Outlook keeps asking for my password\r\n\
                 Message-ID: <demo-outlook-2@northwind.example>\r\nIn-Reply-To: <demo-outlook-1@northwind.example>\r\n\
                 References: <demo-outlook-1@northwind.example>\r\n\
                 MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                 Now my phone asks too.\r\n\r\nOn Mon, 7 Dec 2026 at 08:10, Jo Bauer <{jo}> wrote:\r\n\
                 > since this morning Outlook asks for my password every few minutes.\r\n"
            ),
        ),
        (
            50,
            "From: Zabbix <zabbix@northwind.example>\r\nTo: servicedesk@frontline.example\r\n\
             Subject: PROBLEM: Free disk space is less than 10% on NWL-FS01\r\nAuto-Submitted: auto-generated\r\n\
             Message-ID: <zabbix-4711@northwind.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n\
             Trigger: Free disk space is less than 10% on volume D:\r\nSeverity: High\r\nHost: NWL-FS01\r\n"
                .to_string(),
        ),
        (
            20,
            format!(
                "From: Kim Tanaka <{kim}>\r\nTo: {MAILBOX_ADDRESS}\r\nSubject: =?UTF-8?Q?Label_printer_=E2=80=93_error_E07?=\r\n\
                 Message-ID: <demo-label-1@contoso.example>\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"demo\"\r\n\r\n--demo\r\n\
                 Content-Type: text/html; charset=utf-8\r\n\r\n\
                 <p>The label printer at the <b>front desk</b> shows error E07 and prints nothing.</p>\
                 <p>Photo attached.</p>\r\n--demo\r\n\
                 Content-Type: image/png; name=\"printer.png\"\r\nContent-Transfer-Encoding: base64\r\n\
                 Content-Disposition: attachment; filename=\"printer.png\"\r\n\r\n\
                 iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\r\n\
                 --demo--\r\n"
            ),
        ),
        (
            12,
            "From: Alex <alex@fresh-start.example>\r\nTo: servicedesk@frontline.example\r\n\
             Subject: Can you look after our ten laptops?\r\nMessage-ID: <demo-prospect@fresh-start.example>\r\n\r\n\
             Hi, we are a new office of ten people and need IT support. Who do we talk to?\r\n"
                .to_string(),
        ),
        (
            5,
            format!(
                "From: Jo Bauer <{jo}>\r\nTo: {MAILBOX_ADDRESS}\r\nSubject: Automatic reply: Team lunch\r\n\
                 Auto-Submitted: auto-replied\r\nMessage-ID: <demo-ooo@northwind.example>\r\n\r\n\
                 I am out of the office until Wednesday.\r\n"
            ),
        ),
    ]
}

/// Sets up the demo mailbox and domains and takes the demo messages in at their times, ending
/// at `now`. Returns how many messages were taken in.
pub async fn seed_mail(state: &AppState, now: i64) -> AppResult<usize> {
    let clock = ManualClock::new(now);
    let mut state = state.clone();
    state.clock = Arc::new(clock.clone());
    let mut conn = state.pool.acquire().await?;
    let mailbox = repo::add_piped_mailbox(&mut conn, MAILBOX, MAILBOX_ADDRESS, now).await?;
    for (domain, code) in [
        ("northwind.example", cast::CLIENT_ORG),
        ("contoso.example", cast::OTHER_CLIENT_ORG),
    ] {
        if let Some(org) = orgs::find_id_by_code(&mut conn, code).await? {
            repo::add_domain(&mut conn, domain, org, now).await?;
        }
    }
    drop(conn);
    let arrival = Arrival {
        mailbox_id: Some(mailbox),
        imap: None,
    };
    let messages = messages();
    for (minutes_ago, raw) in &messages {
        clock.set(now - minutes_ago * MINUTE);
        ingest(&state, arrival, raw.as_bytes()).await?;
    }
    Ok(messages.len())
}
