//! The e-mail channel, inbound: every received message, from IMAP (watched by [`imap`]) or piped
//! in by a mail server, goes through [`ingest::ingest`].

mod decide;
mod files;
pub mod held;
pub mod imap;
pub mod ingest;
pub mod parse;
pub mod piped;
mod place;

pub use ingest::{ingest, Arrival, Outcome};
