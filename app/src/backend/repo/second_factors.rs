//! Second factors, recovery codes, trusted browsers and the sign-ins waiting for a code.

use crate::backend::repo::statement::statement;
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::second_factor::TrustedDevice;

/// An account's second factor.
pub struct Factor {
    pub secret: String,
    pub confirmed: bool,
}

pub async fn find(db: &mut Conn, user_id: i64) -> sqlx::Result<Option<Factor>> {
    db_run!(db, db => {
        let row = sqlx::query("SELECT secret, confirmed_at FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await?;
        row.map(|r| {
            Ok(Factor {
                secret: r.try_get("secret")?,
                confirmed: r.try_get::<Option<i64>>("confirmed_at")?.is_some(),
            })
        })
        .transpose()
    })
}

/// Whether the account with this address has a confirmed second factor.
pub async fn confirmed_for_email(db: &mut Conn, email: &str) -> sqlx::Result<bool> {
    statement(
        "SELECT EXISTS (SELECT 1 FROM second_factors f JOIN users u ON u.id = f.user_id
                            WHERE u.email = $1 AND f.confirmed_at IS NOT NULL)",
    )
    .bind(email)
    .scalar(db)
    .await
}

/// Offers a new secret, waiting for its first code. A confirmed factor is left alone.
pub async fn offer(db: &mut Conn, user_id: i64, secret: &str, now: i64) -> sqlx::Result<bool> {
    db_run!(db, db => {
        let done = sqlx::query(
            "INSERT INTO second_factors (user_id, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at,
                                            last_step = 0
         WHERE second_factors.confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Makes `secret` the account's confirmed factor, its first code (of `step`) spent.
pub async fn confirm(
    db: &mut Conn,
    user_id: i64,
    secret: &str,
    step: i64,
    now: i64,
) -> sqlx::Result<()> {
    statement(
        "INSERT INTO second_factors (user_id, secret, confirmed_at, last_step, created_at)
         VALUES ($1, $2, $3, $4, $3)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,
             confirmed_at = excluded.confirmed_at, last_step = excluded.last_step",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .bind(step)
    .run(db)
    .await
}

/// Spends the code of `step`: false if that step or a later one was already spent, so a code
/// seen over someone's shoulder (or a request sent twice) does not sign in again.
pub async fn spend_step(db: &mut Conn, user_id: i64, step: i64) -> sqlx::Result<bool> {
    db_run!(db, db => {
        let done = sqlx::query(
            "UPDATE second_factors SET last_step = $2
             WHERE user_id = $1 AND last_step < $2 AND confirmed_at IS NOT NULL",
        )
        .bind(user_id)
        .bind(step)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Removes the factor with everything that stood in for it: recovery codes, trusted browsers.
pub async fn remove(db: &mut Conn, user_id: i64) -> sqlx::Result<bool> {
    let removed = db_run!(db, db => {
        let removed = sqlx::query("DELETE FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *db)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        Ok::<_, sqlx::Error>(removed)
    })?;
    forget_devices(db, user_id).await?;
    db_run!(db, db => {
        sqlx::query("DELETE FROM sign_in_challenges WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        Ok(removed == 1)
    })
}

/// Replaces the account's recovery codes (their hashes).
pub async fn replace_recovery_codes(
    db: &mut Conn,
    user_id: i64,
    hashes: &[String],
) -> sqlx::Result<()> {
    db_run!(db, db => {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        for hash in hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *db)
                .await?;
        }
        Ok(())
    })
}

/// Uses up a recovery code; false if it is not one of the account's unused codes.
pub async fn spend_recovery_code(
    db: &mut Conn,
    user_id: i64,
    hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    db_run!(db, db => {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(db)
        .await?;
        Ok(done.rows_affected() > 0)
    })
}

pub async fn recovery_codes_left(db: &mut Conn, user_id: i64) -> sqlx::Result<i64> {
    statement("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .scalar(db)
        .await
}

pub async fn trust_device(
    db: &mut Conn,
    user_id: i64,
    token_hash: &str,
    now: i64,
    expires_at: i64,
    label: &str,
) -> sqlx::Result<()> {
    statement(
        "INSERT INTO trusted_devices (user_id, token_hash, created_at, expires_at, label)
             VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .bind(label)
    .run(db)
    .await
}

/// Whether this browser's token is trusted for this account now.
pub async fn is_trusted(
    db: &mut Conn,
    user_id: i64,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    statement(
        "SELECT EXISTS (SELECT 1 FROM trusted_devices
                            WHERE user_id = $1 AND token_hash = $2 AND expires_at > $3)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .scalar(db)
    .await
}

pub async fn trusted_devices(
    db: &mut Conn,
    user_id: i64,
    now: i64,
) -> sqlx::Result<Vec<TrustedDevice>> {
    db_run!(db, db => {
        sqlx::query(
            "SELECT id, label, created_at, expires_at FROM trusted_devices
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| {
            Ok(TrustedDevice {
                id: r.try_get("id")?,
                label: r.try_get("label")?,
                trusted_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .collect()
    })
}

pub async fn forget_devices(db: &mut Conn, user_id: i64) -> sqlx::Result<u64> {
    db_run!(db, db => {
        Ok(
            sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1")
                .bind(user_id)
                .execute(db)
                .await?
                .rows_affected(),
        )
    })
}

/// A verified password waiting for its code.
pub struct NewChallenge<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub new_secret: Option<&'a str>,
    pub pending_failure: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert_challenge(db: &mut Conn, c: &NewChallenge<'_>) -> sqlx::Result<()> {
    statement(
        "INSERT INTO sign_in_challenges
             (id_hash, user_id, new_secret, pending_failure, created_at, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(c.id_hash)
    .bind(c.user_id)
    .bind(c.new_secret)
    .bind(c.pending_failure)
    .bind(c.created_at)
    .bind(c.expires_at)
    .bind(c.ip)
    .bind(c.user_agent)
    .run(db)
    .await
}

pub struct Challenge {
    pub user_id: i64,
    pub new_secret: Option<String>,
    pub pending_failure: Option<i64>,
    /// Codes tried so far, this one included.
    pub attempts: i64,
}

/// Counts one more code against a live challenge and returns it.
pub async fn attempt_challenge(
    db: &mut Conn,
    id_hash: &str,
    now: i64,
) -> sqlx::Result<Option<Challenge>> {
    db_run!(db, db => {
        let row = sqlx::query(
            "UPDATE sign_in_challenges SET attempts = attempts + 1
         WHERE id_hash = $1 AND expires_at > $2
         RETURNING user_id, new_secret, pending_failure, attempts",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(db)
        .await?;
        row.map(|r| {
            Ok(Challenge {
                user_id: r.try_get("user_id")?,
                new_secret: r.try_get("new_secret")?,
                pending_failure: r.try_get("pending_failure")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .transpose()
    })
}

pub async fn delete_challenge(db: &mut Conn, id_hash: &str) -> sqlx::Result<()> {
    statement("DELETE FROM sign_in_challenges WHERE id_hash = $1")
        .bind(id_hash)
        .run(db)
        .await
}

/// Drops challenges and trusted browsers whose time is up.
pub async fn delete_expired(db: &mut Conn, now: i64) -> sqlx::Result<u64> {
    db_run!(db, db => {
        let challenges = sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *db)
            .await?
            .rows_affected();
        let devices = sqlx::query("DELETE FROM trusted_devices WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *db)
            .await?
            .rows_affected();
        Ok(challenges + devices)
    })
}
