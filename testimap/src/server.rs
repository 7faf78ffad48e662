//! The Dovecot process: its directory (configuration, passwd-file, certificates, maildirs, log),
//! starting it in the foreground as a child of the test, and stopping it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the server is started with.
#[derive(Debug, Clone)]
pub struct Options {
    /// (user, password); the password also works as an XOAUTH2 bearer token.
    pub users: Vec<(String, String)>,
    /// Offer IDLE (Dovecot does); false advertises capabilities without it, so a client must poll.
    pub idle: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: ["alice", "bob", "carol"]
                .iter()
                .map(|u| (u.to_string(), crate::PASSWORD.to_string()))
                .collect(),
            idle: true,
        }
    }
}

/// Who the processes run as: as root, unprivileged users of Debian's package (the mail as
/// `nobody`); otherwise everything as the current user.
struct Users {
    login: String,
    internal: String,
    mail_uid: u32,
    mail_gid: u32,
}

pub struct Server {
    pub dir: PathBuf,
    pub port: u16,
    pub tls_port: u16,
    child: Option<Child>,
    options: Options,
}

const INSTALL_HINT: &str =
    "install Debian's `dovecot-imapd` package (`scripts/setup.sh test` does) and `openssl`";

impl Server {
    pub fn start(options: Options) -> Result<Server, String> {
        if !Path::new("/usr/sbin/dovecot").exists() && which("dovecot").is_none() {
            return Err(format!("dovecot was not found: {INSTALL_HINT}"));
        }
        let dir = tempfile::Builder::new()
            .prefix("frontline-imap-")
            .tempdir()
            .map_err(|e| format!("creating Dovecot's directory: {e}"))?
            .keep();
        let mut server = Server {
            dir,
            port: 0,
            tls_port: 0,
            child: None,
            options,
        };
        let users = users()?;
        server.prepare(&users)?;
        // Another process may take a free port before Dovecot binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            server.port = free_port()?;
            server.tls_port = free_port()?;
            server.configure(&users)?;
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(e) => last_error = e,
            }
        }
        Err(format!("starting Dovecot: {last_error}"))
    }

    /// The directory tree, the users' passwords and a CA with a certificate it signed.
    fn prepare(&self, users: &Users) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        // the mail processes (another user when we are root) must reach their home below it
        std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("opening {}: {e}", self.dir.display()))?;
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(self.dir.join(sub))
                .map_err(|e| format!("creating {sub}: {e}"))?;
        }
        std::os::unix::fs::chown(
            self.dir.join("home"),
            Some(users.mail_uid),
            Some(users.mail_gid),
        )
        .map_err(|e| format!("giving the mail directory to uid {}: {e}", users.mail_uid))?;
        let passwd: String = self
            .options
            .users
            .iter()
            .map(|(user, password)| format!("{user}:{{PLAIN}}{password}::::::\n"))
            .collect();
        write(&self.dir.join("passwd"), &passwd)?;
        self.certificates()
    }

    /// ca.pem signs cert.pem (localhost, 127.0.0.1): rustls takes no self-signed leaf as a root.
    fn certificates(&self) -> Result<(), String> {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        let mut ca = vec![
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Frontline test CA",
        ];
        ca.extend(ec);
        ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
        self.openssl(&ca)?;
        let mut request = vec!["req", "-nodes", "-subj", "/CN=localhost"];
        request.extend(ec);
        request.extend(["-keyout", "key.pem", "-out", "cert.csr"]);
        self.openssl(&request)?;
        write(
            &self.dir.join("cert.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )?;
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            "cert.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "cert.ext",
            "-out",
            "cert.pem",
        ])
    }

    fn openssl(&self, args: &[&str]) -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running openssl: {e} ({INSTALL_HINT})"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn configure(&self, users: &Users) -> Result<(), String> {
        let d = self.dir.display();
        // without IDLE: what Dovecot offers after sign-in, less IDLE
        let capability = if self.options.idle {
            String::new()
        } else {
            "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS \
             NAMESPACE CHILDREN UNSELECT MOVE\n"
                .to_string()
        };
        let conf = format!(
            "base_dir = {d}/run\n\
             state_dir = {d}/state\n\
             log_path = {d}/log\n\
             protocols = imap\n\
             listen = 127.0.0.1\n\
             ssl = yes\n\
             ssl_cert = <{d}/cert.pem\n\
             ssl_key = <{d}/key.pem\n\
             disable_plaintext_auth = no\n\
             auth_mechanisms = plain login xoauth2\n\
             auth_failure_delay = 0\n\
             default_login_user = {login}\n\
             default_internal_user = {internal}\n\
             first_valid_uid = 1\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             {capability}\
             service imap-login {{\n  chroot =\n  \
               inet_listener imap {{\n    port = {port}\n  }}\n  \
               inet_listener imaps {{\n    port = {tls_port}\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n",
            login = users.login,
            internal = users.internal,
            uid = users.mail_uid,
            gid = users.mail_gid,
            port = self.port,
            tls_port = self.tls_port,
        );
        write(&self.dir.join("dovecot.conf"), &conf)
    }

    /// Starts Dovecot in the foreground and waits until it accepts connections on both ports.
    fn spawn(&mut self) -> Result<(), String> {
        use std::os::unix::process::CommandExt;
        let log_start = self.log().len();
        let child = Command::new(dovecot())
            .arg("-F")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("running dovecot: {e} ({INSTALL_HINT})"))?;
        guard_against_abrupt_exit(child.id(), &self.dir);
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let up = [self.port, self.tls_port]
                .iter()
                .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok());
            if up {
                return Ok(());
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.take().and_then(|mut c| c.stderr.take()) {
                    use std::io::Read;
                    let _ = err.read_to_string(&mut stderr);
                }
                let log = self.log();
                return Err(format!(
                    "dovecot exited ({status}): {stderr}{}",
                    log.get(log_start..).unwrap_or_default()
                ));
            }
            if Instant::now() > deadline {
                self.stop_process();
                return Err(format!("dovecot did not listen in time\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    pub fn password_of(&self, user: &str) -> &str {
        self.options
            .users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.as_str())
            .unwrap_or_else(|| panic!("the test IMAP server has no user {user}"))
    }

    /// Kills Dovecot's process group at once (nothing in it is worth a clean shutdown, which
    /// takes Dovecot seconds) and reaps the master.
    fn stop_process(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signals the process group of a child we started in a group of its own and
            // have not yet reaped, so the group id is still ours.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            let _ = child.wait();
            // The login processes hold the listening sockets too and may outlive the master by
            // a moment: stopped means the ports refuse connections.
            let deadline = Instant::now() + Duration::from_secs(5);
            while [self.port, self.tls_port]
                .iter()
                .any(|&port| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok())
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- Dovecot's log ({}) ---\n{}",
                self.dir.display(),
                self.log()
            );
        }
        self.stop_process();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dovecot() -> PathBuf {
    which("dovecot").unwrap_or_else(|| PathBuf::from("/usr/sbin/dovecot"))
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn users() -> Result<Users, String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if euid != 0 {
        let name = name_of(euid).ok_or_else(|| format!("uid {euid} has no user name"))?;
        // SAFETY: as above.
        let gid = unsafe { libc::getegid() };
        return Ok(Users {
            login: name.clone(),
            internal: name,
            mail_uid: euid,
            mail_gid: gid,
        });
    }
    let (mail_uid, mail_gid) = uid_of("nobody").ok_or("no user nobody")?;
    let or_nobody = |user: &str| {
        if uid_of(user).is_some() {
            user.to_string()
        } else {
            "nobody".to_string()
        }
    };
    Ok(Users {
        login: or_nobody("dovenull"),
        internal: or_nobody("dovecot"),
        mail_uid,
        mail_gid,
    })
}

fn uid_of(user: &str) -> Option<(u32, u32)> {
    let name = std::ffi::CString::new(user).ok()?;
    // SAFETY: getpwnam reads a NUL-terminated name and returns NULL or a pointer to a static
    // record, read at once.
    unsafe {
        let pw = libc::getpwnam(name.as_ptr());
        (!pw.is_null()).then(|| ((*pw).pw_uid, (*pw).pw_gid))
    }
}

fn name_of(uid: u32) -> Option<String> {
    // SAFETY: getpwuid returns NULL or a pointer to a static record whose name is a
    // NUL-terminated string, copied at once.
    unsafe {
        let pw = libc::getpwuid(uid);
        if pw.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// A killed test process (SIGKILL) would leave Dovecot running: a watcher in its own process
/// group kills Dovecot's group and removes the directory once the test process is gone.
fn guard_against_abrupt_exit(dovecot: u32, dir: &Path) {
    use std::os::unix::process::CommandExt;
    let dir = format!("'{}'", dir.to_string_lossy().replace('\'', r"'\''"));
    // the pid is signalled only while it is still our Dovecot (its command line names the dir)
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         grep -qsF {dir} /proc/{dovecot}/cmdline && kill -KILL -- -{dovecot}; sleep 1; rm -rf {dir}",
        pid = std::process::id()
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}
