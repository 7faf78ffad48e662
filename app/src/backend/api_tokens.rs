//! API tokens: personal ones a person makes for themself, integration ones an administrator
//! makes for a dedicated service user; and who a presented token acts as.

use super::auth::{new_token, token_hash};
use super::db::begin_write;
use super::policy::Actor;
use super::repo::api_tokens::{self, Holder, NewToken};
use super::state::AppState;
use crate::model::api_token::{
    expiry, prefix_of, valid_name, ApiTokenRow, IssuedToken, TokenKind, TokenScope,
};

use crate::model::{AppError, AppResult};

/// `last_used_at` is written at most this often per token: a busy script must not turn every
/// read into a write.
const TOUCH_EVERY_SECS: i64 = 60;

/// A fresh token and what is stored of it: (token, prefix, hash).
pub(crate) fn mint() -> (String, String, String) {
    let prefix = new_token()[..8].to_string();
    let token = format!("fl_{prefix}_{}", new_token());
    let hash = token_hash(&token);
    (token, prefix, hash)
}

/// Makes a personal token for the signed-in person, living `expires_in_days` (until revoked
/// without); the secret is in the answer only.
pub async fn create_personal(
    state: &AppState,
    actor: &Actor,
    name: &str,
    expires_in_days: Option<i64>,
) -> AppResult<IssuedToken> {
    let name = valid_name(name).map_err(AppError::Invalid)?;
    let now = state.now();
    let expires_at = expiry(now, expires_in_days).map_err(AppError::Invalid)?;
    let (token, prefix, hash) = mint();
    let mut tx = begin_write(&state.pool).await?;
    let id = api_tokens::insert(
        &mut tx,
        &NewToken {
            user_id: actor.id,
            name: &name,
            kind: TokenKind::Personal,
            scope: None,
            token_hash: &hash,
            prefix: &prefix,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken { id, token, prefix })
}

pub async fn list_personal(state: &AppState, actor: &Actor) -> AppResult<Vec<ApiTokenRow>> {
    let mut conn = state.pool.acquire().await?;
    Ok(api_tokens::list(&mut conn, TokenKind::Personal, Some(actor.id)).await?)
}

/// Revokes one of the signed-in person's own tokens.
pub async fn revoke_personal(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = begin_write(&state.pool).await?;
    let revoked = api_tokens::revoke(
        &mut tx,
        id,
        TokenKind::Personal,
        Some(actor.id),
        state.now(),
    )
    .await?;
    tx.commit().await?;
    if revoked {
        Ok(())
    } else {
        Err(AppError::not_found("That token"))
    }
}

/// Who a presented token acts as, and with which scope; `None` for anything that is not a
/// live token (malformed, unknown, revoked, expired, its user or organization deactivated).
pub struct TokenHolder {
    pub token_id: i64,
    pub scope: Option<TokenScope>,
    pub actor: Actor,
}

pub async fn authenticate(state: &AppState, token: &str) -> AppResult<Option<TokenHolder>> {
    if prefix_of(token).is_none() {
        return Ok(None);
    }
    let now = state.now();
    let hash = token_hash(token);
    let found = api_tokens::find_holder(&mut state.pool.acquire().await?, &hash, now).await?;
    let Some(Holder {
        token_id,
        scope,
        last_used_at,
        me,
    }) = found
    else {
        return Ok(None);
    };
    if last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY_SECS) {
        let mut tx = begin_write(&state.pool).await?;
        api_tokens::touch(&mut tx, token_id, now).await?;
        tx.commit().await?;
    }
    Ok(Some(TokenHolder {
        token_id,
        scope,
        actor: Actor::from(&me),
    }))
}

/// How long the answer to an idempotent create is kept.
pub const IDEMPOTENCY_SECS: i64 = 24 * 3600;

/// Forgets kept answers older than a day (housekeeping).
pub async fn prune_idempotency(state: &AppState) -> AppResult<u64> {
    let mut tx = begin_write(&state.pool).await?;
    let gone = api_tokens::prune_idempotency(&mut tx, state.now() - IDEMPOTENCY_SECS).await?;
    tx.commit().await?;
    Ok(gone)
}

/// Where an `Idempotency-Key` stands for a create.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyClaim {
    /// This request holds the key: run the create, then keep or release its answer.
    Claimed,
    /// The same request was answered before: this status and body again.
    Answered { status: u16, body: String },
    /// The key was used for a different request.
    OtherRequest,
    /// The first request with this key is still being answered.
    InFlight,
}

/// Claims `key` for a request whose body hashes to `request_hash`, or tells what it holds.
pub async fn claim_key(
    state: &AppState,
    token_id: i64,
    key: &str,
    request_hash: &str,
) -> AppResult<KeyClaim> {
    let mut tx = begin_write(&state.pool).await?;
    let claimed =
        api_tokens::claim_idempotency_key(&mut tx, token_id, key, request_hash, state.now())
            .await?;
    let held = if claimed {
        None
    } else {
        api_tokens::idempotent_answer(&mut tx, token_id, key).await?
    };
    tx.commit().await?;
    Ok(match held {
        None if claimed => KeyClaim::Claimed,
        // released meanwhile by a failed first request: the caller tries again
        None => KeyClaim::InFlight,
        Some((hash, _, _)) if hash != request_hash => KeyClaim::OtherRequest,
        Some((_, 0, _)) => KeyClaim::InFlight,
        Some((_, status, body)) => KeyClaim::Answered {
            status: u16::try_from(status).map_err(|_| AppError::Internal)?,
            body,
        },
    })
}

/// Keeps the answer to the request that claimed `key`.
pub async fn keep_answer(
    state: &AppState,
    token_id: i64,
    key: &str,
    status: u16,
    body: &str,
) -> AppResult<()> {
    let mut tx = begin_write(&state.pool).await?;
    api_tokens::keep_answer(&mut tx, token_id, key, i64::from(status), body).await?;
    tx.commit().await?;
    Ok(())
}

/// Lets go of `key` after its request failed, so that a retry runs afresh.
pub async fn release_key(state: &AppState, token_id: i64, key: &str) -> AppResult<()> {
    let mut tx = begin_write(&state.pool).await?;
    api_tokens::release_key(&mut tx, token_id, key).await?;
    tx.commit().await?;
    Ok(())
}
