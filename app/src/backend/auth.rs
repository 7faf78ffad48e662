//! Sign-in, sessions and sign-out. Sessions are random 256-bit tokens held in an HttpOnly cookie;
//! the database keeps only their SHA-256, so a copy of it cannot be replayed as a session.

use super::db::begin_write;
use super::password;
use super::repo::{sessions, users};
use super::state::AppState;
use crate::model::{AppError, AppResult, Email, Me};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "frontline_session";
/// A session's expiry is pushed forward at most this often, so that browsing is not a write per request.
const EXTEND_EVERY_SECS: i64 = 10 * 60;

pub struct SignedIn {
    pub token: String,
    pub me: Me,
}

/// Where a sign-in attempt comes from, for the rate limit and the session record.
#[derive(Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn sign_in(
    state: &AppState,
    email: &str,
    password_text: &str,
    client: &ClientInfo,
) -> AppResult<SignedIn> {
    let wrong = || {
        AppError::Unauthenticated(
            "That e-mail address and password do not match an account.".into(),
        )
    };
    let Ok(email) = Email::parse(email) else {
        password::verify_against_nothing(password_text);
        return Err(wrong());
    };
    if password_text.is_empty() || password_text.len() > crate::model::user::MAX_PASSWORD_LEN * 4 {
        return Err(wrong());
    }
    let now = state.now();
    let s = &state.settings;
    let account_key = format!("account:{}", email.as_str());
    let address_key = client.ip.as_deref().map(|ip| format!("ip:{ip}"));
    let since = now - s.login_window_secs;
    let too_many = AppError::TooManyRequests(format!(
        "Too many failed sign-ins. Please wait {} minutes and try again.",
        s.login_window_secs / 60
    ));
    if sessions::failures_since(&state.pool, &account_key, since).await?
        >= s.login_max_failures_per_account
    {
        return Err(too_many);
    }
    if let Some(key) = &address_key {
        if sessions::failures_since(&state.pool, key, since).await?
            >= s.login_max_failures_per_address
        {
            return Err(too_many);
        }
    }

    let account = users::find_login(&state.pool, email.as_str()).await?;
    let verified = match &account {
        Some(acc) => {
            let (pw, hash) = (password_text.to_string(), acc.password_hash.clone());
            // argon2 is CPU-bound for tens of milliseconds: keep it off the async workers
            tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
                .await
                .unwrap_or(false)
        }
        None => {
            let pw = password_text.to_string();
            let _ =
                tokio::task::spawn_blocking(move || password::verify_against_nothing(&pw)).await;
            false
        }
    };
    // A deactivated account is refused like a wrong password, and counted like one: only a
    // verified password earns the word "deactivated", and the limit keeps that from being an
    // unlimited way to test passwords.
    let refusal = match &account {
        Some(acc) if verified && acc.may_sign_in => None,
        Some(_) if verified => Some(AppError::Forbidden(
            "This account is deactivated. Please contact your help desk administrator.".into(),
        )),
        _ => Some(wrong()),
    };
    let account = match (account, refusal) {
        (Some(acc), None) => acc,
        (_, refusal) => {
            let mut tx = begin_write(&state.pool).await?;
            sessions::record_failure(&mut *tx, &account_key, now).await?;
            if let Some(key) = &address_key {
                sessions::record_failure(&mut *tx, key, now).await?;
            }
            tx.commit().await?;
            return Err(refusal.unwrap_or_else(wrong));
        }
    };
    let token = new_token();
    let id_hash = token_hash(&token);
    let mut tx = begin_write(&state.pool).await?;
    sessions::clear_failures(&mut *tx, &account_key).await?;
    sessions::insert(
        &mut *tx,
        &sessions::NewSession {
            id_hash: &id_hash,
            user_id: account.id,
            created_at: now,
            expires_at: now + s.session_ttl_secs,
            ip: client.ip.as_deref(),
            user_agent: client
                .user_agent
                .as_deref()
                .map(|ua| &ua[..ua.len().min(300)]),
        },
    )
    .await?;
    let me = users::me(&mut *tx, account.id)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(SignedIn { token, me })
}

/// The user behind a session cookie's token, if the session is live. Extends a session in use.
pub async fn resolve_session(state: &AppState, token: &str) -> AppResult<Option<Me>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let now = state.now();
    let id_hash = token_hash(token);
    let Some((me, expires_at)) = sessions::find_user(&state.pool, &id_hash, now).await? else {
        return Ok(None);
    };
    let fresh_expiry = now + state.settings.session_ttl_secs;
    if fresh_expiry - expires_at >= EXTEND_EVERY_SECS {
        let mut tx = begin_write(&state.pool).await?;
        sessions::extend(&mut *tx, &id_hash, fresh_expiry).await?;
        tx.commit().await?;
    }
    Ok(Some(me))
}

pub async fn sign_out(state: &AppState, token: &str) -> AppResult<()> {
    let mut tx = begin_write(&state.pool).await?;
    sessions::delete(&mut *tx, &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// The `Set-Cookie` value that hands the browser its session.
pub fn session_cookie(token: &str, state: &AppState) -> String {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        state.settings.session_ttl_secs
    )
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub fn cleared_cookie(state: &AppState) -> String {
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_token_among_other_cookies() {
        assert_eq!(
            token_from_cookie_header("a=1; frontline_session=abc; b=2"),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("frontline_session="), None);
        assert_eq!(token_from_cookie_header("other=1"), None);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
