//! Reaching a mailbox's IMAP server and signing in: TLS from the first byte, STARTTLS, or plain
//! (loopback tests); a password (LOGIN) or an OAuth bearer token (SASL XOAUTH2).

use crate::backend::repo::mailboxes::ImapMailbox;
use crate::backend::secrets::{self, SecretKey};
use async_imap::{Client, Session};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::{self, pki_types::ServerName, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// The connection under a session: TCP, or TLS over it.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + std::fmt::Debug> Io for T {}

pub type ImapSession = Session<Box<dyn Io>>;

/// How a mailbox signs in, its secret opened.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Password { user: String, password: String },
    Bearer { user: String, token: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password { user, .. } => write!(f, "Password({user})"),
            Credentials::Bearer { user, .. } => write!(f, "Bearer({user})"),
        }
    }
}

impl Credentials {
    /// The mailbox's user and opened secret, or why it cannot be watched (told to the
    /// administrator as it is).
    pub fn of(mailbox: &ImapMailbox, key: Option<&SecretKey>) -> Result<Credentials, String> {
        let user = mailbox
            .user
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or("no IMAP user is set")?;
        let sealed = mailbox
            .secret
            .as_deref()
            .ok_or("no IMAP password or token is stored")?;
        let key = key.ok_or_else(|| {
            format!(
                "{} is not set, so the stored IMAP password cannot be read",
                secrets::KEY_VAR
            )
        })?;
        let secret = secrets::open(key, sealed).map_err(|e| e.to_string())?;
        match mailbox.auth.as_str() {
            "xoauth2" => Ok(Credentials::Bearer {
                user,
                token: secret,
            }),
            _ => Ok(Credentials::Password {
                user,
                password: secret,
            }),
        }
    }
}

/// The trust anchors for TLS: the web's roots (as the rest of the desk's rustls uses), or others
/// (tests).
pub fn tls_config(roots: Option<Arc<RootCertStore>>) -> Arc<ClientConfig> {
    let roots = roots.unwrap_or_else(|| {
        Arc::new(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth());
    // ring supports the default versions; should it ever not, the plain builder says why later
    Arc::new(config.unwrap_or_else(|_| {
        ClientConfig::builder()
            .with_root_certificates(RootCertStore::empty())
            .with_no_client_auth()
    }))
}

/// Connects to the mailbox's server and signs in.
pub async fn sign_in(
    mailbox: &ImapMailbox,
    credentials: &Credentials,
    tls: &Arc<ClientConfig>,
) -> Result<ImapSession, String> {
    let port = u16::try_from(mailbox.port).map_err(|_| format!("bad port {}", mailbox.port))?;
    let address = format!("{}:{port}", mailbox.host);
    let tcp = TcpStream::connect((mailbox.host.as_str(), port))
        .await
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let stream: Box<dyn Io> = match mailbox.tls.as_str() {
        "tls" => Box::new(wrap_tls(tcp, &mailbox.host, tls).await?),
        "starttls" => {
            let mut client = Client::new(tcp);
            greeting(&mut client, &address).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| format!("{address} refused STARTTLS: {e}"))?;
            Box::new(wrap_tls(client.into_inner(), &mailbox.host, tls).await?)
        }
        _ => Box::new(tcp),
    };
    let mut client = Client::new(stream);
    // after STARTTLS the server sends no second greeting
    if mailbox.tls != "starttls" {
        greeting(&mut client, &address).await?;
    }
    let signed_in = match credentials {
        Credentials::Password { user, password } => client.login(user, password).await,
        Credentials::Bearer { user, token } => {
            client
                .authenticate("XOAUTH2", XOAuth2::new(user, token))
                .await
        }
    };
    signed_in.map_err(|(e, _)| format!("{address} refused the sign-in: {e}"))
}

async fn wrap_tls(
    tcp: TcpStream,
    host: &str,
    config: &Arc<ClientConfig>,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, String> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| format!("\"{host}\" is not a host name for TLS"))?;
    TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host} failed: {e}"))
}

async fn greeting<T: Io>(client: &mut Client<T>, address: &str) -> Result<(), String> {
    use async_imap::imap_proto::{Response, Status};
    let greeting = client
        .read_response()
        .await
        .map_err(|e| format!("{address} sent no greeting: {e}"))?
        .ok_or_else(|| format!("{address} closed the connection before its greeting"))?;
    match greeting.parsed() {
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(format!(
            "{address} turned the connection away: {}",
            outcome.information.as_deref().unwrap_or_default()
        )),
        _ => Ok(()),
    }
}

/// SASL XOAUTH2 (as Google and Microsoft define it): the user and the bearer token in the
/// first response; a failure comes back as a challenge with details, answered empty so the
/// server ends the exchange with its NO.
struct XOAuth2 {
    first: Option<String>,
}

impl XOAuth2 {
    fn new(user: &str, token: &str) -> XOAuth2 {
        XOAuth2 {
            first: Some(format!("user={user}\x01auth=Bearer {token}\x01\x01")),
        }
    }
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        self.first.take().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::Authenticator;

    fn mailbox(auth: &str, user: Option<&str>, secret: Option<String>) -> ImapMailbox {
        ImapMailbox {
            id: 1,
            name: "Support".into(),
            host: "imap.example.com".into(),
            port: 993,
            tls: "tls".into(),
            user: user.map(str::to_string),
            auth: auth.into(),
            secret,
            folder: "INBOX".into(),
            poll_secs: 60,
        }
    }

    #[test]
    fn xoauth2_sends_the_user_and_token_once() {
        let mut auth = XOAuth2::new("desk@example.com", "ya29.token");
        assert_eq!(
            auth.process(b""),
            "user=desk@example.com\x01auth=Bearer ya29.token\x01\x01"
        );
        assert_eq!(auth.process(b"{\"status\":\"401\"}"), "");
    }

    #[test]
    fn credentials_need_a_user_a_secret_and_the_key() {
        let key = SecretKey::generate();
        let sealed = Some(secrets::seal(&key, "pw"));
        let ok = Credentials::of(&mailbox("password", Some("u"), sealed.clone()), Some(&key));
        assert_eq!(
            ok.unwrap(),
            Credentials::Password {
                user: "u".into(),
                password: "pw".into()
            }
        );
        let bearer = Credentials::of(&mailbox("xoauth2", Some("u"), sealed.clone()), Some(&key));
        assert!(matches!(bearer.unwrap(), Credentials::Bearer { token, .. } if token == "pw"));
        let why = |m: ImapMailbox, k: Option<&SecretKey>| Credentials::of(&m, k).unwrap_err();
        assert!(why(mailbox("password", None, sealed.clone()), Some(&key)).contains("user"));
        assert!(why(mailbox("password", Some("u"), None), Some(&key)).contains("stored"));
        let no_key = why(mailbox("password", Some("u"), sealed.clone()), None);
        assert!(
            no_key.contains("FRONTLINE_SECRET_KEY is not set"),
            "{no_key}"
        );
        let other_key = SecretKey::generate();
        let wrong = why(mailbox("password", Some("u"), sealed), Some(&other_key));
        assert!(wrong.contains("key changed"), "{wrong}");
    }

    #[test]
    fn the_secret_is_never_in_debug_output() {
        let c = Credentials::Password {
            user: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
