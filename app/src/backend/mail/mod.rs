//! The e-mail channel, inbound: every received message, from IMAP (watched by [`imap`]) or piped
//! in by a mail server, goes through [`ingest::ingest`].

pub mod imap;
pub mod ingest;
pub mod parse;
mod place;

pub use ingest::{ingest, Arrival, Outcome};
