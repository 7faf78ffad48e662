//! Background work (the SLA engine, the outbox, housekeeping) runs once per desk, however many
//! instances serve it: the instance holding the desk's lead does it, the others stand by.
//!
//! On PostgreSQL the lead is a session advisory lock held by a connection of its own: it is
//! released when that connection ends, so an instance that dies hands the lead over as soon as
//! PostgreSQL notices (at once for a killed process, whose socket closes), and a standby takes it
//! on its next try, within [`RETRY`]. On SQLite one process serves the file and always leads.
//!
//! The lead saves work; it is not what keeps the work correct. A former leader may finish a pass
//! while the next one starts, so each piece of work is also guarded by the data (row locks on
//! tickets, leases on outbox messages).

use super::db::Pool;
use super::repo;
use std::time::Duration;
use tokio::sync::watch;

/// How often a standby tries to take the lead, and the leader checks it still has it.
pub const RETRY: Duration = Duration::from_secs(2);

/// Whether this instance leads the desk's background work now.
#[derive(Clone)]
pub struct Leader(watch::Receiver<bool>);

impl Leader {
    /// Always leading: one instance (SQLite, and tests that drive the workers themselves).
    pub fn alone() -> Leader {
        Leader(watch::channel(true).1)
    }

    pub fn is_leading(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once this instance leads (at once if it does).
    pub async fn until_leading(&self) {
        let mut leading = self.0.clone();
        // an error means the campaign ended (the server is stopping): never lead then
        if leading.wait_for(|l| *l).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Campaigns for the lead of the desk for as long as the task runs. On SQLite there is nothing
/// to campaign for.
pub fn campaign(pool: &Pool) -> (Leader, Option<tokio::task::JoinHandle<()>>) {
    let Pool::Postgres(pg) = pool else {
        return (Leader::alone(), None);
    };
    let pg = pg.clone();
    let (tx, rx) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            match repo::leader::try_take(&pg).await {
                Ok(Some(mut lead)) => {
                    tracing::info!("leading the desk's background work");
                    let _ = tx.send(true);
                    loop {
                        tokio::time::sleep(RETRY).await;
                        if let Err(err) = repo::leader::check(&mut lead).await {
                            tracing::warn!(error = %err, "lost the lead of the background work");
                            break;
                        }
                    }
                    let _ = tx.send(false);
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "could not campaign for the lead"),
            }
            tokio::time::sleep(RETRY).await;
        }
    });
    (Leader(rx), Some(task))
}
