//! A Dovecot IMAP server for Frontline's tests: Debian's `dovecot-imapd`, started on free ports
//! of 127.0.0.1 with a throwaway configuration, a passwd-file of users and their maildirs in a
//! temporary directory, stopped and removed when dropped.
//!
//! It listens for plain IMAP (which also offers STARTTLS) and for IMAP over TLS, with a
//! certificate signed by a CA of its own ([`TestImap::ca_pem`]). Passwords also work as XOAUTH2
//! bearer tokens (Dovecot checks the token against the passdb like a password). The tests deliver
//! mail with a real `APPEND`:
//!
//! ```no_run
//! # async fn t() {
//! let imap = testimap::TestImap::start(testimap::Options::default());
//! imap.append("alice", "INBOX", b"Subject: hi\r\n\r\nhello\r\n").await;
//! # }
//! ```
//!
//! Dovecot's mail processes refuse to run as root: as root (CI) the mail belongs to `nobody` and
//! the login and internal processes run as Debian's `dovenull` and `dovecot` users.

mod server;

use async_imap::Session;
use futures::TryStreamExt;
use std::collections::HashSet;
use std::path::PathBuf;
use tokio::net::TcpStream;

pub use server::Options;

/// The password of the users [`Options::default`] creates.
pub const PASSWORD: &str = "secret";

pub struct TestImap {
    server: server::Server,
    /// Plain IMAP (STARTTLS offered).
    pub port: u16,
    /// IMAP over TLS.
    pub tls_port: u16,
}

impl TestImap {
    /// Starts a server with `options`; panics, saying what to install, when Dovecot is missing or
    /// does not start.
    pub fn start(options: Options) -> TestImap {
        match server::Server::start(options) {
            Ok(server) => TestImap {
                port: server.port,
                tls_port: server.tls_port,
                server,
            },
            Err(e) => panic!("no Dovecot for the tests: {e}"),
        }
    }

    /// The PEM file of the CA that signed the server's certificate (for `localhost` and
    /// 127.0.0.1).
    pub fn ca_pem(&self) -> PathBuf {
        self.server.dir.join("ca.pem")
    }

    /// What Dovecot logged so far.
    pub fn log(&self) -> String {
        self.server.log()
    }

    /// A signed-in session of `user` (password [`PASSWORD`] unless the options said otherwise),
    /// over plain IMAP.
    pub async fn session(&self, user: &str) -> Session<TcpStream> {
        let password = self.server.password_of(user);
        let tcp = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap_or_else(|e| panic!("connecting to Dovecot: {e}\n{}", self.log()));
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("Dovecot sent no greeting\n{}", self.log()));
        client
            .login(user, password)
            .await
            .unwrap_or_else(|(e, _)| panic!("signing in as {user}: {e}\n{}", self.log()))
    }

    /// Delivers `raw` into `user`'s `folder` (created when missing) with `APPEND`.
    pub async fn append(&self, user: &str, folder: &str, raw: &[u8]) {
        let mut session = self.session(user).await;
        if folder != "INBOX" {
            let _ = session.create(folder).await;
        }
        session
            .append(folder, None, None, raw)
            .await
            .unwrap_or_else(|e| panic!("appending to {user}/{folder}: {e}\n{}", self.log()));
        let _ = session.logout().await;
    }

    /// The UIDs of the messages in `user`'s `folder` that carry `\Seen`.
    pub async fn seen_uids(&self, user: &str, folder: &str) -> HashSet<u32> {
        self.search(user, folder, "SEEN").await
    }

    /// The UIDs `UID SEARCH query` finds in `user`'s `folder`.
    pub async fn search(&self, user: &str, folder: &str, query: &str) -> HashSet<u32> {
        let mut session = self.session(user).await;
        session
            .examine(folder)
            .await
            .unwrap_or_else(|e| panic!("examining {user}/{folder}: {e}"));
        let found = session
            .uid_search(query)
            .await
            .unwrap_or_else(|e| panic!("searching {user}/{folder}: {e}"));
        let _ = session.logout().await;
        found
    }

    /// Deletes `user`'s `folder` and creates it again, empty and with a new UIDVALIDITY (as
    /// when a mailbox is restored or rebuilt on the server).
    pub async fn recreate_folder(&self, user: &str, folder: &str) -> u32 {
        let mut session = self.session(user).await;
        session
            .delete(folder)
            .await
            .unwrap_or_else(|e| panic!("deleting {user}/{folder}: {e}"));
        session
            .create(folder)
            .await
            .unwrap_or_else(|e| panic!("creating {user}/{folder}: {e}"));
        // under load Dovecot can answer the first EXAMINE of a folder just made again with
        // "Mailbox was deleted under us"; a moment later it opens
        let mut tries = 0;
        let selected = loop {
            match session.examine(folder).await {
                Ok(selected) => break selected,
                Err(e) if tries < 10 => {
                    tries += 1;
                    eprintln!("examining {user}/{folder} again: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("examining {user}/{folder}: {e}"),
            }
        };
        let _ = session.logout().await;
        selected.uid_validity.unwrap_or_default()
    }

    /// The UIDs of every message in `user`'s `folder`, in order.
    pub async fn uids(&self, user: &str, folder: &str) -> Vec<u32> {
        let mut session = self.session(user).await;
        session
            .examine(folder)
            .await
            .unwrap_or_else(|e| panic!("examining {user}/{folder}: {e}"));
        let fetched: Vec<_> = session
            .uid_fetch("1:*", "UID")
            .await
            .unwrap_or_else(|e| panic!("fetching {user}/{folder}: {e}"))
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("fetching {user}/{folder}: {e}"));
        let mut uids: Vec<u32> = fetched.iter().filter_map(|f| f.uid).collect();
        uids.sort_unstable();
        let _ = session.logout().await;
        uids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn delivers_mail_that_a_session_reads_back() {
        let imap = TestImap::start(Options::default());
        imap.append("alice", "INBOX", b"Subject: one\r\n\r\n1\r\n")
            .await;
        imap.append("alice", "Support", b"Subject: two\r\n\r\n2\r\n")
            .await;
        assert_eq!(imap.uids("alice", "INBOX").await, vec![1]);
        assert_eq!(imap.uids("alice", "Support").await, vec![1]);
        assert!(imap.seen_uids("alice", "INBOX").await.is_empty());
        assert!(imap.uids("bob", "INBOX").await.is_empty());
    }

    #[test]
    fn stops_and_cleans_up_on_drop() {
        let imap = TestImap::start(Options::default());
        let (port, dir) = (imap.port, imap.server.dir.clone());
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        drop(imap);
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
        assert!(!dir.exists());
    }
}
