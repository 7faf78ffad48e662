//! A small SMTP server started by the tests themselves: it speaks enough SMTP for a real client
//! (lettre) to deliver to it, records every message it accepts, and can be told to be down
//! (answer 421 and hang up), to hang (accept and never answer), to take a whole message and hang
//! up before answering it, or to stop listening altogether (connections are refused).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub data: String,
}

impl Received {
    /// The decoded body of the part of type `content_type` (e.g. "text/html"), as a mail reader
    /// shows it: transfer encodings (quoted-printable, base64) undone.
    pub fn part(&self, content_type: &str) -> Option<String> {
        let lines: Vec<&str> = self
            .data
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .collect();
        let start = lines.iter().position(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("content-type: {content_type}"))
        })?;
        let mut i = start;
        let mut encoding = String::from("7bit");
        while i < lines.len() && !lines[i].is_empty() {
            if let Some(v) = lines[i]
                .to_ascii_lowercase()
                .strip_prefix("content-transfer-encoding:")
            {
                encoding = v.trim().to_string();
            }
            i += 1;
        }
        let body: Vec<&str> = lines[(i + 1).min(lines.len())..]
            .iter()
            .take_while(|l| !l.starts_with("--"))
            .copied()
            .collect();
        Some(match encoding.as_str() {
            "base64" => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(body.concat())
                    .ok()?;
                String::from_utf8(bytes).ok()?
            }
            "quoted-printable" => {
                let mut out = Vec::new();
                for line in body {
                    let (line, soft) = match line.strip_suffix('=') {
                        Some(l) => (l, true),
                        None => (line, false),
                    };
                    let b = line.as_bytes();
                    let mut k = 0;
                    while k < b.len() {
                        if b[k] == b'=' && k + 2 < b.len() {
                            let hex = std::str::from_utf8(&b[k + 1..k + 3]).ok()?;
                            out.push(u8::from_str_radix(hex, 16).ok()?);
                            k += 3;
                        } else {
                            out.push(b[k]);
                            k += 1;
                        }
                    }
                    if !soft {
                        out.push(b'\n');
                    }
                }
                String::from_utf8(out).ok()?
            }
            _ => body.join("\n"),
        })
    }
}

pub const UP: u8 = 0;
pub const DOWN: u8 = 1;
pub const HANGING: u8 = 2;
/// Reads a whole message (DATA up to its final "."), records it as received, and hangs up
/// without answering: the sender cannot tell whether it was accepted.
pub const DROP_BEFORE_ANSWER: u8 = 3;

#[derive(Clone)]
pub struct TestSmtp {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
    accepting: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl TestSmtp {
    pub async fn start() -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let smtp = TestSmtp {
            addr: listener.local_addr().unwrap(),
            received: Arc::default(),
            mode: Arc::new(AtomicU8::new(UP)),
            accepting: Arc::default(),
        };
        smtp.accept_on(listener);
        smtp
    }

    fn accept_on(&self, listener: TcpListener) {
        let server = self.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = server.session(socket).await;
                });
            }
        });
        *self.accepting.lock().unwrap() = Some(task);
    }

    /// Closes the listening socket: from now on a connection to the relay is refused, as when
    /// the relay's host is up but its mail server is not.
    pub async fn stop_listening(&self) {
        let task = self.accepting.lock().unwrap().take();
        if let Some(task) = task {
            task.abort();
            // once the task is done its listener has been dropped and the port is closed
            let _ = task.await;
        }
    }

    /// Listens again on the same address (after [`TestSmtp::stop_listening`]).
    pub async fn listen_again(&self) {
        assert!(
            self.accepting.lock().unwrap().is_none(),
            "the relay is already listening"
        );
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("the relay's port is free again");
        self.accept_on(listener);
    }

    pub fn set_mode(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        match self.mode.load(Ordering::SeqCst) {
            DOWN => {
                write
                    .write_all(b"421 test relay: service not available\r\n")
                    .await?;
                return Ok(());
            }
            HANGING => {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                return Ok(());
            }
            _ => {}
        }
        write.write_all(b"220 test relay ESMTP\r\n").await?;
        let mut to = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            if command.starts_with("EHLO") || command.starts_with("HELO") {
                write
                    .write_all(b"250-test relay\r\n250 8BITMIME\r\n")
                    .await?;
            } else if command.starts_with("MAIL FROM")
                || command.starts_with("RSET")
                || command.starts_with("NOOP")
            {
                write.write_all(b"250 OK\r\n").await?;
            } else if command.starts_with("RCPT TO") {
                to = line.trim_end()[8..]
                    .trim()
                    .trim_start_matches(':')
                    .trim()
                    .to_string();
                write.write_all(b"250 OK\r\n").await?;
            } else if command == "DATA" {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                let header = |name: &str| {
                    data.lines()
                        .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
                        .map(|l| l[name.len() + 1..].trim().to_string())
                        .unwrap_or_default()
                };
                let received = Received {
                    message_id: header("message-id"),
                    to: to.clone(),
                    subject: header("subject"),
                    data: data.clone(),
                };
                self.received.lock().unwrap().push(received);
                if self.mode.load(Ordering::SeqCst) == DROP_BEFORE_ANSWER {
                    // taken (and it will be delivered), but the sender never hears so
                    return Ok(());
                }
                write.write_all(b"250 queued\r\n").await?;
            } else if command.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                write.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }
}
