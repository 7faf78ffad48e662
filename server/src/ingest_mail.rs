//! `frontline ingest-mail`: one message from standard input, as Postfix's or Exim's pipe
//! transport hands it over, through the same ingest path as the IMAP watcher. The exit code is
//! what the mail server acts on (sysexits.h): 0 only once the message is stored.

use anyhow::Context;
use app::backend::clock::SharedClock;
use app::backend::mail::{self, Arrival, Outcome};
use app::backend::repo::mail as repo;
use app::backend::{db, AppState, Settings};
use app::model::AppError;
use std::io::Read;

/// Ends the process with `code` (the mail server reads it) after saying why.
#[derive(Debug)]
pub struct ExitStatus {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitStatus {}

/// The mail server keeps the message and offers it again later.
pub const TEMPORARY_FAILURE: u8 = 75;
/// The message can never be taken; the mail server bounces it.
pub const DATA_ERROR: u8 = 65;

fn exit(code: u8, message: impl Into<String>) -> anyhow::Error {
    ExitStatus {
        code,
        message: message.into(),
    }
    .into()
}

pub async fn command(
    url: &str,
    mailbox: Option<&str>,
    settings: Settings,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(mail::ingest::MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| {
            exit(
                TEMPORARY_FAILURE,
                format!("could not read the message: {e}"),
            )
        })?;
    let pool = db::connect(url)
        .await
        .with_context(|| format!("could not open the database {url}"))
        .map_err(|e| exit(TEMPORARY_FAILURE, format!("{e:#}")))?;
    db::migrate(&pool).await.map_err(|e| {
        exit(
            TEMPORARY_FAILURE,
            format!("could not migrate the database: {e}"),
        )
    })?;
    let mailbox_id = match mailbox {
        Some(name) => {
            let mut conn = pool
                .acquire()
                .await
                .map_err(|e| exit(TEMPORARY_FAILURE, e.to_string()))?;
            let route = repo::route_by_name(&mut conn, name)
                .await
                .map_err(|e| exit(TEMPORARY_FAILURE, e.to_string()))?;
            // a name the desk does not know is a setup mistake: keep the mail until it is fixed
            Some(
                route
                    .ok_or_else(|| {
                        exit(
                            TEMPORARY_FAILURE,
                            format!("there is no active mailbox named \"{name}\""),
                        )
                    })?
                    .id,
            )
        }
        None => None,
    };
    let options = crate::leptos_options(None)?;
    let state = AppState::new(pool.clone(), clock, settings, options);
    let arrival = Arrival {
        mailbox_id,
        imap: None,
    };
    let result = mail::ingest(&state, arrival, &raw).await;
    pool.close().await;
    match result {
        Ok(Outcome::Opened(number)) => println!("Opened {number}."),
        Ok(Outcome::Continued(number)) => println!("Added to {number}."),
        Ok(Outcome::Held(reason)) => println!("Held for an administrator: {reason}."),
        Ok(Outcome::Duplicate) => println!("Already received; nothing changed."),
        Err(AppError::PayloadTooLarge(message)) => return Err(exit(DATA_ERROR, message)),
        Err(err) => {
            return Err(exit(
                TEMPORARY_FAILURE,
                format!("the message was not stored, try again later: {err}"),
            ))
        }
    }
    Ok(())
}
