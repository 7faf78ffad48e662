//! The channel live events travel on between the instances of a PostgreSQL desk.

use crate::backend::repo::statement::statement;
use crate::backend::repo::Conn;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

pub const CHANNEL: &str = "frontline_live";

/// Queues `payload` on the channel; PostgreSQL sends it when the transaction commits.
pub async fn notify(conn: &mut Conn, payload: &str) -> sqlx::Result<()> {
    statement("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .run(conn)
        .await
}

/// A connection of its own that hears the channel.
pub async fn listen(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
