//! A PostgreSQL cluster of our own: `initdb` into a temporary directory, `pg_ctl start` on a free
//! port of 127.0.0.1 (and a unix socket in the same directory), trust authentication, no fsync.
//! PostgreSQL refuses to run as root, so as root (CI) every command runs as `postgres`, or
//! `nobody` when that user does not exist, and the directory is theirs.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    user: Option<String>,
    pub port: u16,
}

/// What a missing PostgreSQL installation is told.
const INSTALL_HINT: &str = "install Debian's `postgresql` package (`scripts/setup.sh test` does) \
     so that initdb is on PATH or under /usr/lib/postgresql/*/bin, or set FRONTLINE_TEST_POSTGRES \
     to the URL of an admin connection to a running server";

impl Cluster {
    pub fn start() -> Result<Cluster, String> {
        let bin = bin_dir().ok_or_else(|| format!("initdb was not found: {INSTALL_HINT}"))?;
        let dir = tempfile::Builder::new()
            .prefix("frontline-pg-")
            .tempdir()
            .map_err(|e| format!("creating the PostgreSQL directory: {e}"))?
            .keep();
        let mut cluster = Cluster {
            dir,
            bin,
            user: unprivileged_user(),
            port: 0,
        };
        // From here on, dropping the cluster (or the process dying) removes the directory.
        guard_against_abrupt_exit(&cluster);
        cluster.init()?;
        // Another process may take the free port before the server binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..3 {
            cluster.port = free_port()?;
            cluster.configure()?;
            match cluster.run("pg_ctl", &["-w", "-t", "60", "start", "-l"], Some("log")) {
                Ok(()) => return Ok(cluster),
                Err(e) => last_error = format!("{e}\n{}", cluster.log_tail()),
            }
        }
        Err(format!("starting PostgreSQL: {last_error}"))
    }

    fn init(&self) -> Result<(), String> {
        if let Some(user) = &self.user {
            chown(&self.dir, user)?;
        }
        // --no-sync: a test cluster never needs to survive a power cut; C.UTF-8 so that case and
        // character classes work beyond ASCII, as on a real desk.
        self.run(
            "initdb",
            &[
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
                "-D",
            ],
            Some("data"),
        )
    }

    /// Settings for a fast, small, throwaway server, appended to postgresql.conf (the last
    /// setting of a name wins, so a retry on another port just appends again).
    fn configure(&self) -> Result<(), String> {
        use std::io::Write;
        let conf = self.dir.join("data/postgresql.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(|e| format!("opening {}: {e}", conf.display()))?;
        writeln!(
            file,
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             shared_buffers = 32MB\nmax_connections = 200\n",
            self.port,
            self.dir.display()
        )
        .map_err(|e| format!("writing {}: {e}", conf.display()))
    }

    /// Runs `program args [dir/path]` (as the unprivileged user when we are root), failing with
    /// its output.
    fn run(&self, program: &str, args: &[&str], path: Option<&str>) -> Result<(), String> {
        let mut cmd = self.command(program);
        cmd.args(args);
        if let Some(path) = path {
            cmd.arg(self.dir.join(path));
        }
        if program == "pg_ctl" {
            cmd.arg("-D").arg(self.dir.join("data"));
        }
        // pg_ctl's server writes to the log file, so these pipes close when pg_ctl exits.
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {program}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match &self.user {
            None => Command::new(program),
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(program);
                cmd
            }
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops the server at once (nothing in it is worth a checkpoint) and removes its files.
    pub fn stop(&self) {
        if self.dir.join("data/postmaster.pid").exists() {
            let _ = self.run("pg_ctl", &["-w", "stop", "-m", "immediate"], None);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The directory of `initdb`: on PATH, else the newest of Debian's /usr/lib/postgresql/N/bin.
fn bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file()));
    if let Some(dir) = on_path {
        // follow a symlink such as /usr/local/bin/initdb to find pg_ctl beside it
        return std::fs::canonicalize(dir.join("initdb"))
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|d| d.join("pg_ctl").is_file())
            .or(Some(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `postgres`, or `nobody` where it does not exist, when we are root; nobody otherwise.
fn unprivileged_user() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = if uid_of("postgres").is_some() {
        "postgres"
    } else {
        "nobody"
    };
    Some(name.to_string())
}

fn uid_of(user: &str) -> Option<(u32, u32)> {
    let name = std::ffi::CString::new(user).ok()?;
    // SAFETY: getpwnam reads a NUL-terminated name and returns NULL or a pointer to a static
    // record, read at once (tests start the cluster once, under a OnceLock).
    unsafe {
        let pw = libc::getpwnam(name.as_ptr());
        (!pw.is_null()).then(|| ((*pw).pw_uid, (*pw).pw_gid))
    }
}

fn chown(dir: &Path, user: &str) -> Result<(), String> {
    let (uid, gid) = uid_of(user).ok_or_else(|| format!("no user {user}"))?;
    std::os::unix::fs::chown(dir, Some(uid), Some(gid))
        .map_err(|e| format!("giving {} to {user}: {e}", dir.display()))
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// A killed test process (SIGKILL, a Ctrl-C that ends it before its exit handlers) would leave
/// the server running: a watcher in its own process group stops it and removes the directory
/// once the test process is gone (after a moment: an initdb or pg_ctl it ran may still finish).
fn guard_against_abrupt_exit(cluster: &Cluster) {
    use std::os::unix::process::CommandExt;
    let stop = cluster.command("pg_ctl");
    let stop = std::iter::once(stop.get_program())
        .chain(stop.get_args())
        .map(|a| shell_quote(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    let data = shell_quote(&cluster.dir.join("data").to_string_lossy());
    let dir = shell_quote(&cluster.dir.to_string_lossy());
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; sleep 2; \
         [ -f {data}/postmaster.pid ] && {stop} -D {data} -w stop -m immediate; rm -rf {dir}",
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

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
