//! API tokens and the kept answers of idempotent creates.

use crate::backend::repo::statement::statement;
use crate::backend::repo::users::{me_from_row, ME_COLUMNS};
use crate::backend::repo::{db_run, Columns, Conn};
use crate::model::api_token::{ApiTokenRow, TokenKind, TokenScope};
use crate::model::Me;

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub kind: TokenKind,
    pub scope: Option<TokenScope>,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(db: &mut Conn, t: &NewToken<'_>) -> sqlx::Result<i64> {
    statement(
        "INSERT INTO api_tokens (user_id, name, kind, scope, token_hash, prefix, created_at,
                                 expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.user_id)
    .bind(t.name)
    .bind(t.kind.as_str())
    .bind(t.scope.map(TokenScope::as_str))
    .bind(t.token_hash)
    .bind(t.prefix)
    .bind(t.created_at)
    .bind(t.expires_at)
    .scalar(db)
    .await
}

/// A live token's holder: the token not revoked nor expired, the user active, their
/// organization active.
pub struct Holder {
    pub token_id: i64,
    pub scope: Option<TokenScope>,
    pub last_used_at: Option<i64>,
    pub me: Me,
}

pub async fn find_holder(
    db: &mut Conn,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<Holder>> {
    db_run!(db, db => {
        let sql = format!(
            "SELECT {ME_COLUMNS}, k.id AS token_id, k.scope, k.last_used_at FROM api_tokens k
             JOIN users u ON u.id = k.user_id
             LEFT JOIN organizations o ON o.id = u.org_id
             LEFT JOIN teams t ON t.id = u.team_id
             WHERE k.token_hash = $1 AND k.revoked_at IS NULL
               AND (k.expires_at IS NULL OR k.expires_at > $2)
               AND u.active AND COALESCE(o.active, TRUE)"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(db)
            .await?;
        row.map(|r| {
            let scope: Option<String> = r.try_get("scope")?;
            Ok(Holder {
                token_id: r.try_get("token_id")?,
                scope: scope
                    .map(|s| s.parse().map_err(|e: String| sqlx::Error::Decode(e.into())))
                    .transpose()?,
                last_used_at: r.try_get("last_used_at")?,
                me: me_from_row(&r)?,
            })
        })
        .transpose()
    })
}

pub async fn touch(db: &mut Conn, token_id: i64, now: i64) -> sqlx::Result<()> {
    statement("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(token_id)
        .run(db)
        .await
}

/// Revokes token `id` if `user_id` holds it (any holder when `None`) and it is of `kind`;
/// whether one was revoked.
pub async fn revoke(
    db: &mut Conn,
    id: i64,
    kind: TokenKind,
    user_id: Option<i64>,
    now: i64,
) -> sqlx::Result<bool> {
    let changed = statement(
        "UPDATE api_tokens SET revoked_at = $1
         WHERE id = $2 AND kind = $3 AND ($4 IS NULL OR user_id = $4) AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(kind.as_str())
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(changed == 1)
}

type RowTuple = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Tokens of `kind`, of `user_id` (every holder when `None`), newest first.
pub async fn list(
    db: &mut Conn,
    kind: TokenKind,
    user_id: Option<i64>,
) -> sqlx::Result<Vec<ApiTokenRow>> {
    let rows: Vec<RowTuple> = statement(
        "SELECT k.id, k.name, k.kind, k.scope, k.prefix, u.name, k.created_at, k.expires_at,
                k.last_used_at, k.revoked_at
         FROM api_tokens k JOIN users u ON u.id = k.user_id
         WHERE k.kind = $1 AND ($2 IS NULL OR k.user_id = $2)
         ORDER BY k.id DESC",
    )
    .bind(kind.as_str())
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let decode = |e: String| sqlx::Error::Decode(e.into());
            Ok(ApiTokenRow {
                id: r.0,
                name: r.1,
                kind: r.2.parse().map_err(decode)?,
                scope: r.3.map(|s| s.parse().map_err(decode)).transpose()?,
                prefix: r.4,
                user_name: r.5,
                created_at: r.6,
                expires_at: r.7,
                last_used_at: r.8,
                revoked_at: r.9,
            })
        })
        .collect()
}

/// The kept answer of a create under (token, key): the hash of the request it answered, and the
/// status and body (status 0: still being answered).
pub async fn idempotent_answer(
    db: &mut Conn,
    token_id: i64,
    key: &str,
) -> sqlx::Result<Option<(String, i64, String)>> {
    statement(
        "SELECT request_hash, status, response FROM api_idempotency
         WHERE token_id = $1 AND idem_key = $2",
    )
    .bind(token_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Claims (token, key) for a request; false when another request holds it already.
pub async fn claim_idempotency_key(
    db: &mut Conn,
    token_id: i64,
    key: &str,
    request_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let claimed = statement(
        "INSERT INTO api_idempotency (token_id, idem_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (token_id, idem_key) DO NOTHING",
    )
    .bind(token_id)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(claimed == 1)
}

pub async fn keep_answer(
    db: &mut Conn,
    token_id: i64,
    key: &str,
    status: i64,
    response: &str,
) -> sqlx::Result<()> {
    statement(
        "UPDATE api_idempotency SET status = $1, response = $2
         WHERE token_id = $3 AND idem_key = $4",
    )
    .bind(status)
    .bind(response)
    .bind(token_id)
    .bind(key)
    .run(db)
    .await
}

/// Lets go of a key whose request failed, so that a retry runs afresh.
pub async fn release_key(db: &mut Conn, token_id: i64, key: &str) -> sqlx::Result<()> {
    statement("DELETE FROM api_idempotency WHERE token_id = $1 AND idem_key = $2 AND status = 0")
        .bind(token_id)
        .bind(key)
        .run(db)
        .await
}

/// Forgets the answers kept since before `before`.
pub async fn prune_idempotency(db: &mut Conn, before: i64) -> sqlx::Result<u64> {
    statement("DELETE FROM api_idempotency WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await
}
