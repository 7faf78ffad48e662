//! The advisory lock that makes one instance the leader of a PostgreSQL desk's background work.

use sqlx::{Connection, PgConnection, PgPool};

/// The lock's key: "FRONTLIN" in ASCII, so it is recognisable in `pg_locks`.
const KEY: i64 = 0x4652_4f4e_544c_494e;

/// A connection of its own holding the lock, or None when another instance holds it.
pub async fn try_take(pool: &PgPool) -> sqlx::Result<Option<PgConnection>> {
    let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(KEY)
        .fetch_one(&mut conn)
        .await?;
    if taken {
        Ok(Some(conn))
    } else {
        conn.close().await?;
        Ok(None)
    }
}

/// Fails when the connection holding the lock (and so the lock) is gone.
pub async fn check(lead: &mut PgConnection) -> sqlx::Result<()> {
    lead.ping().await
}
