//! The files a message carries: stored on disk before the transaction (so the database's writers
//! never wait on the disk), then recorded on the ticket with their timeline steps; what is too
//! large or too many stays in the original message, and a note says so.

use super::parse::Incoming;
use crate::backend::attachments::store_bytes;
use crate::backend::db::WriteTx;
use crate::backend::repo::attachments::{self as files, NewAttachment};
use crate::backend::repo::tickets as ticket_rows;
use crate::backend::state::AppState;
use crate::backend::tickets::TicketChange;
use crate::model::attachment::{check_size, clean_file_name};
use crate::model::{AppResult, EventData, EventKind};

/// Files taken from one message; the rest stay in the original.
pub const MAX_FILES: usize = 100;

/// A file of the message, stored on disk (before the transaction), or why it was not taken.
pub enum StoredFile {
    Kept {
        name: String,
        size: i64,
        sha: String,
    },
    Left {
        name: String,
        why: String,
    },
}

pub(super) async fn store_files(state: &AppState, m: &Incoming) -> AppResult<Vec<StoredFile>> {
    let mut stored = Vec::new();
    for (i, file) in m.files.iter().enumerate() {
        let name = clean_file_name(&file.name).unwrap_or_else(|_| format!("attachment-{}", i + 1));
        if i >= MAX_FILES {
            stored.push(StoredFile::Left {
                name,
                why: format!("more than {MAX_FILES} files"),
            });
            continue;
        }
        if let Err(why) = check_size(file.bytes.len() as u64, state.settings.max_attachment_bytes) {
            stored.push(StoredFile::Left { name, why });
            continue;
        }
        let sha = store_bytes(state, &file.bytes).await?;
        stored.push(StoredFile::Kept {
            name,
            size: file.bytes.len() as i64,
            sha,
        });
    }
    Ok(stored)
}

/// Records the message's files on the ticket a change works on.
pub(super) async fn attach(c: &mut TicketChange, files: &[StoredFile], by: i64) -> AppResult<()> {
    let (ticket_id, now) = (c.ticket.id, c.now);
    for (kind, public, body, data) in file_steps(&mut c.tx, ticket_id, files, by, now).await? {
        c.event(kind, public, body, data);
    }
    Ok(())
}

/// Records the message's files on a ticket being opened, with their steps.
pub(super) async fn attach_new(
    tx: &mut WriteTx,
    t: &ticket_rows::TicketRecord,
    files: &[StoredFile],
    by: i64,
    now: i64,
) -> AppResult<()> {
    for (kind, public, body, data) in file_steps(tx, t.id, files, by, now).await? {
        let record = ticket_rows::EventRecord {
            ticket_id: t.id,
            at: now,
            actor_id: Some(by),
            kind: kind.as_str(),
            public,
            body,
            data: data.to_json(),
        };
        ticket_rows::insert_event(tx, &record).await?;
    }
    Ok(())
}

type Step = (EventKind, bool, Option<String>, EventData);

async fn file_steps(
    tx: &mut WriteTx,
    ticket_id: i64,
    files: &[StoredFile],
    by: i64,
    now: i64,
) -> AppResult<Vec<Step>> {
    let mut steps = Vec::new();
    let mut left = Vec::new();
    for file in files {
        match file {
            StoredFile::Kept { name, size, sha } => {
                let record = NewAttachment {
                    ticket_id,
                    file_name: name,
                    size_bytes: *size,
                    sha256: sha,
                    uploaded_by: by,
                    uploaded_at: now,
                    internal: false,
                };
                files::insert(tx, &record).await?;
                let data = EventData {
                    file: Some(name.clone()),
                    ..Default::default()
                };
                steps.push((EventKind::FileAttached, true, None, data));
            }
            StoredFile::Left { name, why } => left.push(format!("{name} ({why})")),
        }
    }
    if !left.is_empty() {
        let body = format!(
            "{} file(s) of the message were not attached and are kept in the original message: {}",
            left.len(),
            left.join(", ")
        );
        steps.push((
            EventKind::InternalNote,
            false,
            Some(body),
            EventData::default(),
        ));
    }
    Ok(steps)
}
