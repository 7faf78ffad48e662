//! What a ticket's mail says. Staff get one line per step ("Ana Costa replied on HD-12"); the
//! requester gets mail written for them: the acknowledgement of a new request with the desk's
//! commitment, who took it, a question waiting on them, the resolution and how to reopen it.
//! Every subject starts with the ticket's tag, `[HD-12]`, by which an answer finds its ticket.

use super::template::MailBody;
use crate::backend::repo::tickets::TicketRecord;
use crate::model::admin::{format_hhmm, WEEKDAY_NAMES};
use crate::model::sla::SlaPolicy;
use crate::model::timeline::describe;
use crate::model::{EventData, EventKind, TicketNumber};
use chrono::TimeZone;
use chrono_tz::Tz;

/// The subject of a mail about ticket `t`: its tag, then what happened.
pub fn subject(t: &TicketRecord, what: &str) -> String {
    format!("[{}] {what}", TicketNumber(t.number))
}

/// A mail about ticket `t`, ready for the outbox.
pub struct TicketMail {
    pub subject: String,
    pub body: MailBody,
}

fn link(t: &TicketRecord, base_url: &str) -> String {
    format!("{base_url}/tickets/{}", TicketNumber(t.number))
}

/// The one line a step is told in, to staff (and to the requester for steps without a mail of
/// their own): "Ana Costa replied on HD-12 "Printer out of toner"." and the step's text.
pub fn step_mail(
    t: &TicketRecord,
    kind: EventKind,
    data: &EventData,
    actor_name: &str,
    body: Option<&str>,
    base_url: &str,
) -> TicketMail {
    let number = TicketNumber(t.number);
    let what = describe(kind, data);
    let mut mail = MailBody::new().text(format!(
        "{actor_name} {what} on {number} \"{}\".",
        t.subject
    ));
    if let Some(body) = body {
        mail = mail.text(body);
    }
    TicketMail {
        subject: subject(t, &format!("{}: {actor_name} {what}", t.subject)),
        body: mail.link("Open the ticket", link(t, base_url)),
    }
}

/// What the requester is told of a step, when it is written for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToRequester {
    /// The request was received; `taken_by` logged it and works it (a call logged by staff).
    Acknowledgement { taken_by: Option<String> },
    /// Someone is working on the request now.
    Taken { by: String },
    /// The desk waits for an answer from the requester.
    WaitingOnYou,
    /// Resolved; `on_first_contact` when on the call that raised it.
    Resolution { on_first_contact: bool },
}

impl ToRequester {
    pub fn mail(
        &self,
        t: &TicketRecord,
        actor_name: &str,
        body: Option<&str>,
        commitment: Option<&str>,
        base_url: &str,
    ) -> TicketMail {
        let number = TicketNumber(t.number);
        let about = format!("{number} \"{}\"", t.subject);
        let (subject_line, mut mail) = match self {
            ToRequester::Acknowledgement { taken_by } => {
                let (opening, next) = match taken_by {
                    Some(name) => (
                        format!("{name} logged your call as {about} and is working on it."),
                        format!("{name} will keep you informed by mail as the work goes on."),
                    ),
                    None => (
                        format!("We received your request; its number is {about}."),
                        "An analyst of the desk takes it up next; you will hear by mail who is \
                         working on it, and of every answer."
                            .to_string(),
                    ),
                };
                let mut mail = MailBody::new().text(opening).text(next);
                if let Some(commitment) = commitment {
                    mail = mail.text(commitment);
                }
                (format!("We received your request: {}", t.subject), mail)
            }
            ToRequester::Taken { by } => (
                format!("{by} is working on your request: {}", t.subject),
                MailBody::new().text(format!(
                    "{by} is working on your request {about}. You will hear of every answer by mail."
                )),
            ),
            ToRequester::WaitingOnYou => (
                format!("We need your answer: {}", t.subject),
                MailBody::new()
                    .text(format!(
                        "{actor_name} needs something from you to go on with your request {about}:"
                    ))
                    .text(body.unwrap_or("Please see the ticket."))
                    .text(
                        "Reply to this mail, or on the ticket's page: your answer puts the \
                         request back into work.",
                    ),
            ),
            ToRequester::Resolution { on_first_contact } => {
                let opening = if *on_first_contact {
                    format!("{actor_name} logged your call as {about} and resolved it on the call.")
                } else {
                    format!("{actor_name} resolved your request {about}.")
                };
                (
                    format!("Resolved: {}", t.subject),
                    MailBody::new().text(opening).text(body.unwrap_or("")).text(
                        "If the problem is not solved, reply to this mail within 7 days and the \
                         request reopens.",
                    ),
                )
            }
        };
        if !matches!(self, ToRequester::Resolution { .. }) {
            mail = mail.text(format!(
                "To add anything, reply to this mail and keep [{number}] in the subject."
            ));
        }
        TicketMail {
            subject: subject(t, &subject_line),
            body: mail.link("Open the request", link(t, base_url)),
        }
    }
}

/// The steps of one change, as far as they decide what the requester is told.
#[derive(Debug, Clone, Copy, Default)]
pub struct Change<'a> {
    /// The change raised the ticket.
    pub raised: bool,
    /// The change raised and resolved the ticket at once (a call resolved on the spot).
    pub resolved_at_once: bool,
    /// Whoever claimed the ticket in the change (a call logged by staff).
    pub claimed_by: Option<&'a str>,
}

/// The mail written for the requester about a public step, if the step has one: a raised
/// ticket is acknowledged (unless it came from machine-sent mail, or the same change resolved it
/// and the resolution says so), a claim in the change that logged a call is in its
/// acknowledgement already.
pub fn to_requester(
    kind: EventKind,
    data: &EventData,
    actor_name: &str,
    change: &Change<'_>,
) -> Option<ToRequester> {
    Some(match kind {
        EventKind::Created => {
            if data.automatic == Some(true) || change.resolved_at_once {
                return None;
            }
            ToRequester::Acknowledgement {
                taken_by: change.claimed_by.map(str::to_string),
            }
        }
        EventKind::Claimed if !change.raised => ToRequester::Taken {
            by: actor_name.to_string(),
        },
        EventKind::Assigned => ToRequester::Taken {
            by: data.to_user.clone().unwrap_or_else(|| "An analyst".into()),
        },
        EventKind::StatusChanged
            if data.to_status.as_deref() == Some("pending")
                && data.reason.as_deref() == Some("customer") =>
        {
            ToRequester::WaitingOnYou
        }
        EventKind::Resolved => ToRequester::Resolution {
            on_first_contact: change.raised,
        },
        _ => return None,
    })
}

/// A local date and time as the acknowledgement says it: "Tuesday 8 December, 10:30
/// (Europe/Berlin)".
pub fn local_time(tz: Tz, at: i64) -> String {
    match tz.timestamp_opt(at, 0).single() {
        Some(local) => format!("{} ({})", local.format("%A %-d %B, %H:%M"), tz.name()),
        None => crate::model::time::format_utc(at),
    }
}

/// Working days in words: "Monday to Friday", "Monday, Wednesday and Friday".
fn days_in_words(days: &[bool; 7]) -> String {
    let on: Vec<usize> = (0..7).filter(|d| days[*d]).collect();
    match on.as_slice() {
        [] => String::new(),
        [one] => WEEKDAY_NAMES[*one].to_string(),
        [first, .., last] if last - first + 1 == on.len() && on.len() > 2 => {
            format!("{} to {}", WEEKDAY_NAMES[*first], WEEKDAY_NAMES[*last])
        }
        [init @ .., last] => {
            let names: Vec<&str> = init.iter().map(|d| WEEKDAY_NAMES[*d]).collect();
            format!("{} and {}", names.join(", "), WEEKDAY_NAMES[*last])
        }
    }
}

/// The desk's commitment for ticket `t` in words: when its first response (or, once answered,
/// its resolution) is due, in the client's time zone, and in which hours that is counted.
pub fn commitment(policy: &SlaPolicy, t: &TicketRecord) -> String {
    let (what, due) = match t.first_response_at {
        None => ("You will hear from us by", t.sla.response_due_at),
        Some(_) => ("We aim to resolve it by", t.sla.resolution_due_at),
    };
    let hours = &policy.business.hours;
    let counted = match policy.calendar(t.priority) {
        crate::model::sla::Calendar::AroundTheClock => "counted around the clock".to_string(),
        crate::model::sla::Calendar::Business(_) => format!(
            "counted in your business hours, {} {}–{}",
            days_in_words(&hours.days),
            format_hhmm(i64::from(hours.start_min)),
            format_hhmm(i64::from(hours.end_min))
        ),
    };
    format!(
        "{what} {}: our commitment for {} requests, {counted}.",
        local_time(policy.business.tz, due),
        t.priority.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::{days_from_civil, DAY, HOUR};

    #[test]
    fn times_are_said_in_the_clients_time_zone() {
        // 8 December 2026, 09:30 UTC is 10:30 in Berlin
        let at = days_from_civil(2026, 12, 8) * DAY + 9 * HOUR + 30 * 60;
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            local_time(berlin, at),
            "Tuesday 8 December, 10:30 (Europe/Berlin)"
        );
        let chicago: Tz = "America/Chicago".parse().unwrap();
        assert_eq!(
            local_time(chicago, at),
            "Tuesday 8 December, 03:30 (America/Chicago)"
        );
    }

    #[test]
    fn working_days_are_said_in_words() {
        let week = |on: &[usize]| {
            let mut days = [false; 7];
            for d in on {
                days[*d] = true;
            }
            days_in_words(&days)
        };
        assert_eq!(week(&[0, 1, 2, 3, 4]), "Monday to Friday");
        assert_eq!(week(&[0, 2, 4]), "Monday, Wednesday and Friday");
        assert_eq!(week(&[5, 6]), "Saturday and Sunday");
        assert_eq!(week(&[3]), "Thursday");
    }

    #[test]
    fn the_requester_hears_of_what_concerns_them_once() {
        let data = EventData::default();
        let raised = Change {
            raised: true,
            ..Default::default()
        };
        let ack = |change: &Change<'_>, data: &EventData| {
            to_requester(EventKind::Created, data, "Jo", change)
        };
        assert_eq!(
            ack(&raised, &data),
            Some(ToRequester::Acknowledgement { taken_by: None })
        );
        let automatic = EventData {
            automatic: Some(true),
            ..Default::default()
        };
        assert_eq!(ack(&raised, &automatic), None, "never to machine-sent mail");
        let logged = Change {
            raised: true,
            claimed_by: Some("Ana Costa"),
            ..Default::default()
        };
        assert_eq!(
            ack(&logged, &data),
            Some(ToRequester::Acknowledgement {
                taken_by: Some("Ana Costa".into())
            })
        );
        assert_eq!(
            to_requester(EventKind::Claimed, &data, "Ana Costa", &logged),
            None,
            "the acknowledgement says who took the call"
        );
        let resolved = Change {
            resolved_at_once: true,
            ..logged
        };
        assert_eq!(ack(&resolved, &data), None, "the resolution says it all");
        assert_eq!(
            to_requester(EventKind::Resolved, &data, "Ana Costa", &resolved),
            Some(ToRequester::Resolution {
                on_first_contact: true
            })
        );
        assert_eq!(
            to_requester(EventKind::Claimed, &data, "Ana Costa", &Change::default()),
            Some(ToRequester::Taken {
                by: "Ana Costa".into()
            })
        );
        let waiting = EventData {
            to_status: Some("pending".into()),
            reason: Some("customer".into()),
            ..Default::default()
        };
        assert_eq!(
            to_requester(
                EventKind::StatusChanged,
                &waiting,
                "Ana",
                &Change::default()
            ),
            Some(ToRequester::WaitingOnYou)
        );
        let vendor = EventData {
            reason: Some("vendor".into()),
            ..waiting
        };
        assert_eq!(
            to_requester(EventKind::StatusChanged, &vendor, "Ana", &Change::default()),
            None
        );
        assert_eq!(
            to_requester(EventKind::PublicReply, &data, "Ana", &Change::default()),
            None,
            "a reply is told as it is"
        );
    }
}
