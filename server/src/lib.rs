//! The Frontline server: configuration, the HTTP router with its security layers, background
//! housekeeping, and the command-line entry points used by `main`.

pub mod api_v1;
pub mod assets;
pub mod backup;
pub mod cli;
pub mod exports;
pub mod files;
pub mod housekeeping;
pub mod ingest_mail;
pub mod live;
pub mod memory;
pub mod metrics;
pub mod migrate_to;
pub mod router;
pub mod security;
pub mod session;
pub mod shell;
pub mod telemetry;

use app::backend::notify::mailer::Deliverer;
use app::backend::{clock::SharedClock, db, AppState, Settings};
use leptos::config::LeptosOptions;
use std::net::SocketAddr;

/// Opens and migrates the database and assembles the shared state.
pub async fn build_state(
    database_url: &str,
    clock: SharedClock,
    settings: Settings,
    leptos_options: LeptosOptions,
) -> anyhow::Result<AppState> {
    let pool = db::connect(database_url).await?;
    db::migrate(&pool).await?;
    Ok(AppState::new(pool, clock, settings, leptos_options))
}

/// Leptos options from the environment cargo-leptos sets (or its compiled-in defaults), with the
/// address we were asked to serve on.
pub fn leptos_options(addr: Option<SocketAddr>) -> anyhow::Result<LeptosOptions> {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none()
        && option_env!("LEPTOS_OUTPUT_NAME").is_none()
    {
        // built without cargo-leptos (cargo test, clippy): the name the workspace config gives
        std::env::set_var("LEPTOS_OUTPUT_NAME", "frontline");
    }
    let mut options = leptos::config::get_configuration(None)?.leptos_options;
    hashed_file_names(&mut options);
    if let Some(addr) = addr {
        options.site_addr = addr;
    }
    Ok(options)
}

/// Whether the site's files carry content hashes in their names, as the release build made them
/// (cargo-leptos' `hash-files`, told to the server's build in its environment): the binary runs
/// outside cargo-leptos, which would otherwise tell it at run time. The hashes are in a file
/// beside the binary; without it the pages would name files that are not there, and Leptos
/// stops at the first page, so the plain names are used and the fault is logged.
fn hashed_file_names(options: &mut LeptosOptions) {
    if std::env::var_os("LEPTOS_HASH_FILES").is_some() {
        return;
    }
    options.hash_files = option_env!("LEPTOS_HASH_FILES") == Some("true");
    if let Some(name) = option_env!("LEPTOS_HASH_FILE_NAME") {
        options.hash_file = name.into();
    }
    if !options.hash_files {
        return;
    }
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    if !beside_binary.as_ref().is_some_and(|path| path.is_file()) {
        tracing::error!(
            file = ?beside_binary,
            "the release build's file of asset hashes is not beside the binary; naming the site's files without hashes"
        );
        options.hash_files = false;
    }
}

/// Serves until `shutdown` completes; in-flight requests finish, then the pool closes cleanly.
pub async fn serve(
    mut state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let deliverer = Deliverer::new(&state.settings.notify).map_err(anyhow::Error::msg)?;
    let pool = state.pool.clone();
    let live = state.live.clone();
    // the background work runs on the one instance that leads the desk
    let (leader, campaign) = app::backend::leader::campaign(&state.pool);
    state.leader = leader;
    let mut workers = vec![
        housekeeping::spawn(state.clone()),
        app::backend::sla_engine::spawn(state.clone()),
        app::backend::forecast_alert::spawn(state.clone()),
        app::backend::notify::worker::spawn(state.clone(), std::sync::Arc::new(deliverer)),
        app::backend::webhooks::worker::spawn(state.clone()),
    ];
    workers.extend(memory::spawn_trimmer());
    workers.extend(campaign);
    workers.extend(app::backend::live::spawn_listener(&state));
    workers.extend(app::backend::mail::piped::spawn_watch(&state));
    let mail = app::backend::mail::imap::spawn_watchers(
        &state,
        std::sync::Arc::new(app::backend::mail::ingest::IngestSink(state.clone())),
        Default::default(),
    );
    state.mail_watch = mail.status.clone();
    workers.push(mail.task);
    let app = router::build(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        // open live streams would otherwise hold the shutdown forever
        live.close();
    })
    .await?;
    for worker in workers {
        worker.abort();
    }
    pool.close().await;
    Ok(())
}
