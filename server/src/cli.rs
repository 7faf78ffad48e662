//! The command line: `serve` (default), `migrate`, `seed-demo`, `create-user`, `create-token`,
//! `backup`, `migrate-to`.

use anyhow::{bail, Context};
use app::backend::clock::{OffsetClock, SharedClock, SystemClock};
use app::backend::repo::{orgs, users};
use app::backend::{db, seed, AppState, Settings};
use app::model::alert::Flapping;
use app::model::second_factor::SecondFactorPolicy;
use app::model::user::{validate_display_name, validate_new_password};
use app::model::{Email, Role};
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "frontline", version, about = "Frontline help desk server")]
pub struct Cli {
    /// Database URL: sqlite://path/to/file.db (created if missing) or postgres://user@host/db.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/frontline.db",
        global = true
    )]
    pub database_url: String,

    /// Test only: run on the wall clock moved by this many seconds, so that the end-to-end suite
    /// can run the real server at a chosen instant. `serve` accepts it only on a loopback address.
    #[arg(long, hide = true, global = true, allow_hyphen_values = true)]
    pub test_clock_offset: Option<i64>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the help desk over HTTP (the default).
    Serve(ServeArgs),
    /// Create the database if needed and apply migrations.
    Migrate,
    /// Fill an empty database with the demo desk (does nothing on a desk that is already the demo).
    SeedDemo {
        /// How many tickets to generate.
        #[arg(long, default_value_t = seed::DEFAULT_TICKETS)]
        tickets: usize,
    },
    /// Create an account. The password is read from standard input (or prompted for), never argv.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// client, client_admin, analyst, senior, lead, manager or admin
        #[arg(long)]
        role: Role,
        /// The organization's short code (clients only).
        #[arg(long)]
        org: Option<String>,
    },
    /// Make a personal API token for an existing account and print it (shown this once).
    CreateToken {
        #[arg(long)]
        email: String,
        /// What the token is for, to tell it apart later.
        #[arg(long)]
        name: String,
        /// Days until it expires (none: it lasts until revoked).
        #[arg(long)]
        expires_days: Option<i64>,
    },
    /// The demo administrator's current sign-in code, for trying the demo desk without an
    /// authenticator app.
    DemoCode,
    /// Benchmark baseline (used by `make bench`): insert N tickets with a plain loop and print
    /// the rate as JSON.
    #[command(hide = true)]
    BenchInsert {
        #[arg(long, default_value_t = 2000)]
        tickets: usize,
    },
    /// Copy the database to a new file while the desk serves, then check the copy (SQLite;
    /// PostgreSQL desks use pg_dump).
    Backup {
        /// The new file; an existing one is never overwritten.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Take in one e-mail message (RFC 5322) from standard input, as a mail server pipes it:
    /// exit 0 once it is stored (as a ticket, a reply, or held for an administrator), 75 to
    /// have the mail server try again later, 65 for a message that can never be taken.
    IngestMail {
        /// The mailbox it arrived at (its name in Administration > Mailboxes): decides the
        /// client, team and priority of new tickets and the Reply-To of answers.
        #[arg(long)]
        mailbox: Option<String>,
    },
    /// Copy this SQLite desk, every table, into an empty PostgreSQL database, checked by row
    /// counts and checksums before it is committed.
    MigrateTo {
        /// The PostgreSQL database: postgres://user@host/db (migrated to the current schema
        /// first; it must hold no desk).
        target: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FRONTLINE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Served over https (on by itself when FRONTLINE_BASE_URL is https): the session cookie is
    /// `__Host-` prefixed and Secure.
    #[arg(long, env = "FRONTLINE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Who must sign in with a code from an authenticator app: "admins" or all "staff".
    /// Anyone else may turn it on for themselves.
    #[arg(long, env = "FRONTLINE_SECOND_FACTOR", default_value = "admins",
          value_parser = SecondFactorPolicy::parse)]
    pub second_factor: SecondFactorPolicy,
}

impl Cli {
    /// The wall clock, or the test clock the end-to-end suite asked for.
    fn clock(&self) -> SharedClock {
        match self.test_clock_offset {
            Some(offset_secs) => Arc::new(OffsetClock { offset_secs }),
            None => Arc::new(SystemClock),
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url.as_str();
    let clock = cli.clock();
    match cli.command {
        None => {
            let args = ServeArgs {
                addr: "127.0.0.1:3000".parse()?,
                secure_cookies: false,
                second_factor: SecondFactorPolicy::default(),
            };
            serve(url, args, clock, cli.test_clock_offset.is_some()).await
        }
        Some(Command::Serve(args)) => {
            serve(url, args, clock, cli.test_clock_offset.is_some()).await
        }
        Some(Command::Migrate) => {
            let pool = open(url).await?;
            pool.close().await;
            println!("Database {url} is migrated.");
            Ok(())
        }
        Some(Command::SeedDemo { tickets }) => seed_demo(url, tickets, clock.now()).await,
        Some(Command::CreateUser {
            email,
            name,
            role,
            org,
        }) => create_user(url, &email, &name, role, org, clock.now()).await,
        Some(Command::CreateToken {
            email,
            name,
            expires_days,
        }) => create_token(url, &email, &name, expires_days, clock).await,
        Some(Command::DemoCode) => {
            let now = clock.now();
            let code = app::backend::second_factor::code_at(seed::DEMO_SECOND_FACTOR, now)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let step = app::model::second_factor::STEP_SECS;
            println!(
                "{code}  (for {}, good for {} more seconds)",
                seed::cast::ADMIN,
                step - now.rem_euclid(step)
            );
            Ok(())
        }
        Some(Command::BenchInsert { tickets }) => {
            let pool = open(url).await?;
            let took = seed::raw_insert_loop(&pool, tickets).await?;
            pool.close().await;
            let seconds = took.as_secs_f64();
            println!(
                "{{\"rows\": {tickets}, \"seconds\": {seconds:.3}, \"per_s\": {:.1}}}",
                tickets as f64 / seconds.max(1e-9)
            );
            Ok(())
        }
        Some(Command::Backup { to }) => crate::backup::command(url, &to).await,
        Some(Command::MigrateTo { target }) => crate::migrate_to::command(url, &target).await,
        Some(Command::IngestMail { mailbox }) => {
            let settings = settings_from_env(false, SecondFactorPolicy::default())?;
            crate::ingest_mail::command(url, mailbox.as_deref(), settings, clock).await
        }
    }
}

async fn create_token(
    url: &str,
    email: &str,
    name: &str,
    expires_days: Option<i64>,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let pool = open(url).await?;
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    let id = users::find_login(&mut pool.acquire().await?, email.as_str())
        .await?
        .filter(|account| account.may_sign_in)
        .with_context(|| format!("no active account has the address {}", email.as_str()))?
        .id;
    let me = users::me(&mut pool.acquire().await?, id)
        .await?
        .context("the account vanished")?;
    let settings = Settings::default();
    let state = AppState::new(pool.clone(), clock, settings, crate::leptos_options(None)?);
    let actor = app::backend::policy::Actor::from(&me);
    let issued = app::backend::api_tokens::create_personal(&state, &actor, name, expires_days)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    pool.close().await;
    println!("{}", issued.token);
    Ok(())
}

async fn open(url: &str) -> anyhow::Result<db::Pool> {
    let pool = db::connect(url)
        .await
        .with_context(|| format!("could not open the database {url}"))?;
    db::migrate(&pool)
        .await
        .context("could not migrate the database")?;
    Ok(pool)
}

async fn serve(
    url: &str,
    args: ServeArgs,
    clock: SharedClock,
    test_clock: bool,
) -> anyhow::Result<()> {
    if test_clock && !args.addr.ip().is_loopback() {
        bail!("--test-clock-offset is for tests on this machine: serve on a loopback address");
    }
    let settings = settings_from_env(args.secure_cookies, args.second_factor)?;
    let options = crate::leptos_options(Some(args.addr))?;
    if test_clock {
        let now = app::model::time::format_rfc3339(clock.now());
        tracing::warn!("serving on a test clock: it is {now} here");
    }
    let state = crate::build_state(url, clock, settings, options).await?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("could not listen on {}", args.addr))?;
    tracing::info!("Frontline is serving on http://{}", args.addr);
    crate::serve(state, listener, shutdown_signal()).await
}

/// The server's settings from its FRONTLINE_* environment (see the README), checked.
pub fn settings_from_env(
    secure_cookies: bool,
    second_factor: SecondFactorPolicy,
) -> anyhow::Result<Settings> {
    let notify = app::backend::notify::NotifySettings::from_env(|name| std::env::var(name).ok())
        .map_err(|e| anyhow::anyhow!("mail and paging settings: {e}"))?;
    let defaults = Settings::default();
    const MB: u64 = 1024 * 1024;
    let max_attachment_bytes = env_number("FRONTLINE_MAX_ATTACHMENT_MB", 1..=1024, "megabytes")?
        .map_or(defaults.max_attachment_bytes, |mb| mb * MB);
    let upload_quota_bytes = env_number("FRONTLINE_UPLOAD_QUOTA_MB", 1..=1024 * 1024, "megabytes")?
        .map_or(defaults.upload_quota_bytes, |mb| mb * MB);
    let live_streams_per_user =
        env_number("FRONTLINE_LIVE_STREAMS_PER_USER", 1..=100_000, "streams")?
            .unwrap_or(defaults.live_streams_per_user);
    let api_rate_per_min = env_number("FRONTLINE_API_RATE_PER_MIN", 1..=u32::MAX, "requests")?
        .unwrap_or(defaults.api_rate_per_min);
    let alert_flapping = Flapping {
        max_reopens: env_number("FRONTLINE_ALERT_FLAP_REOPENS", 1..=1000, "reopenings")?
            .unwrap_or(defaults.alert_flapping.max_reopens),
        window_secs: env_number(
            "FRONTLINE_ALERT_FLAP_WINDOW_MINS",
            1..=7 * 24 * 60,
            "minutes",
        )?
        .map_or(defaults.alert_flapping.window_secs, |mins| mins * 60),
    };
    let trusted_proxies = match std::env::var("FRONTLINE_TRUSTED_PROXIES") {
        Ok(list) => list
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().with_context(|| {
                    format!("FRONTLINE_TRUSTED_PROXIES: \"{a}\" is not an IP address")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
        Err(_) => Vec::new(),
    };
    let mail_urgent_words = match std::env::var("FRONTLINE_MAIL_URGENT_WORDS") {
        Ok(list) => list
            .split(',')
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect(),
        Err(_) => defaults.mail_urgent_words.clone(),
    };
    let settings = Settings {
        mail_urgent_words,
        // behind a TLS-terminating proxy the base URL is what says the desk is served over https
        secure_cookies: secure_cookies || notify.base_url.starts_with("https://"),
        notify,
        attachment_dir: std::env::var_os("FRONTLINE_ATTACHMENT_DIR")
            .map(Into::into)
            .unwrap_or(defaults.attachment_dir.clone()),
        max_attachment_bytes,
        upload_quota_bytes,
        live_streams_per_user,
        api_rate_per_min,
        alert_flapping,
        trusted_proxies,
        second_factor,
        ..defaults
    };
    // who may read /metrics
    let settings = Settings {
        metrics_from: crate::metrics::allowed_from_env()?,
        // mailbox secrets at rest
        secret_key: app::backend::secrets::SecretKey::from_env(|name| std::env::var(name).ok())
            .map_err(anyhow::Error::msg)?,
        webhooks: app::backend::webhooks::WebhookSettings::from_env(|name| {
            std::env::var(name).ok()
        })
        .map_err(anyhow::Error::msg)?,
        ..settings
    };
    Ok(settings)
}

/// The number in environment variable `name`, if set: within `range` (in `unit`) or an error
/// that says what it must be.
fn env_number<T>(
    name: &str,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> anyhow::Result<Option<T>>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let Ok(raw) = std::env::var(name) else {
        return Ok(None);
    };
    raw.trim()
        .parse::<T>()
        .ok()
        .filter(|n| range.contains(n))
        .map(Some)
        .with_context(|| {
            format!(
                "{name} must be {} to {} ({unit}), not \"{raw}\"",
                range.start(),
                range.end()
            )
        })
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn seed_demo(url: &str, tickets: usize, now: i64) -> anyhow::Result<()> {
    let pool = open(url).await?;
    let started = std::time::Instant::now();
    let report = seed::seed_demo(&pool, now, tickets).await?;
    if report.seeded {
        // the demo's mail goes through the real ingest path, which stores the originals where
        // the server will look for them
        let settings = settings_from_env(false, SecondFactorPolicy::default())?;
        let state = AppState::new(
            pool.clone(),
            Arc::new(SystemClock),
            settings,
            crate::leptos_options(None)?,
        );
        seed::mail::seed_mail(&state, now)
            .await
            .map_err(|e| anyhow::anyhow!("could not take in the demo mail: {e}"))?;
    }
    pool.close().await;
    if report.seeded {
        println!(
            "Seeded the demo desk with {} tickets in {:.1}s.",
            report.tickets,
            started.elapsed().as_secs_f64()
        );
    } else {
        println!(
            "The demo desk is already there ({} tickets); nothing was changed.",
            report.tickets
        );
    }
    println!("\nDemo logins (password for all: {}):", seed::DEMO_PASSWORD);
    for login in &report.logins {
        println!(
            "  {:<15} {:<34} {} ({})",
            login.role.label(),
            login.email,
            login.name,
            login.note
        );
    }
    println!(
        "\n{} also enters a code from an authenticator app: add the key {} (time-based) to \n\
         one, or run `frontline demo-code` for the current code. Demo desks only.",
        seed::cast::ADMIN,
        app::model::second_factor::group_secret(seed::DEMO_SECOND_FACTOR)
    );
    Ok(())
}

async fn create_user(
    url: &str,
    email: &str,
    name: &str,
    role: Role,
    org: Option<String>,
    now: i64,
) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    let name = validate_display_name(name).map_err(anyhow::Error::msg)?;
    if role.is_client() != org.is_some() {
        bail!("--org is required for client roles and not allowed for staff roles");
    }
    let password = read_password()?;
    validate_new_password(&password).map_err(anyhow::Error::msg)?;
    let pool = open(url).await?;
    let org_id = match &org {
        Some(code) => Some(
            orgs::find_id_by_code(&mut pool.acquire().await?, code)
                .await?
                .with_context(|| format!("no organization has the code {code}"))?,
        ),
        None => None,
    };
    let hash = app::backend::password::hash(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let new = users::NewUser {
        email: email.as_str(),
        name: &name,
        role,
        org_id,
        team_id: None,
        tier: match role {
            Role::Analyst => Some(1),
            Role::Senior => Some(2),
            _ => None,
        },
        department: None,
        location: None,
        job_title: None,
        phone: None,
        password_hash: &hash,
        created_at: now,
    };
    let mut tx = db::begin_write(&pool).await?;
    match users::insert(&mut tx, &new).await {
        Ok(id) => {
            tx.commit().await?;
            println!("Created {} ({}) with id {id}.", email, role.label())
        }
        Err(err) if db::is_unique_violation(&err) => {
            bail!("an account with the e-mail {email} already exists")
        }
        Err(err) => return Err(err.into()),
    }
    pool.close().await;
    Ok(())
}

/// The password from a prompt without echo on a terminal, or the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
