//! Sign-in, sessions and sign-out. Sessions are random 256-bit tokens held in an HttpOnly cookie;
//! the database keeps only their SHA-256, so a copy of it cannot be replayed as a session.

use super::db::begin_write;
use super::password;
use super::repo::{sessions, users};
use super::state::{AppState, Settings};
use crate::model::{AppError, AppResult, Email, Me};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "frontline_session";
/// The cookie's name when served over https: the `__Host-` prefix makes the browser accept it
/// only with `Secure`, for this host, on every path, so a neighbouring site or a plain-http
/// response cannot plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-frontline_session";
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
    let now = state.now();
    let s = &state.settings;
    // A malformed address or password is a guess like any other: limited and counted per
    // address, but never hashed (no account can have it, so its timing tells nothing).
    let email = Email::parse(email).ok().filter(|_| {
        !password_text.is_empty() && password_text.len() <= crate::model::user::MAX_PASSWORD_LEN * 4
    });
    let account_key = email.as_ref().map(|e| format!("account:{}", e.as_str()));
    let address_key = client.ip.as_deref().map(|ip| format!("ip:{ip}"));
    let reserved =
        reserve_attempt(state, account_key.as_deref(), address_key.as_deref(), now).await?;
    let Some(email) = email else {
        return Err(wrong());
    };

    let account = users::find_login(&state.pool, email.as_str()).await?;
    let stored_hash = account.as_ref().map(|acc| acc.password_hash.clone());
    let verified = verify_off_the_workers(state, password_text, stored_hash).await?;
    // A deactivated account is refused like a wrong password, and counted like one: only a
    // verified password earns the word "deactivated", and the limit keeps that from being an
    // unlimited way to test passwords.
    let account = match account {
        Some(acc) if verified && acc.may_sign_in => acc,
        Some(_) if verified => {
            return Err(AppError::Forbidden(
                "This account is deactivated. Please contact your help desk administrator.".into(),
            ))
        }
        // the reserved attempt stays as the recorded failure
        _ => return Err(wrong()),
    };
    let token = new_token();
    let id_hash = token_hash(&token);
    let mut tx = begin_write(&state.pool).await?;
    if let Some(key) = &account_key {
        sessions::clear_failures(&mut *tx, key).await?;
    }
    if let Some(id) = reserved.address {
        sessions::forget_failure(&mut *tx, id).await?;
    }
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

/// The failures an attempt recorded up front, to be forgotten if it succeeds.
struct Reserved {
    address: Option<i64>,
}

/// Counts the attempt as a failure before its password is checked, in one write with the check
/// of the limits: a burst of parallel attempts gets no more verifications than the limit
/// allows, because each one's check sees the ones before it.
async fn reserve_attempt(
    state: &AppState,
    account_key: Option<&str>,
    address_key: Option<&str>,
    now: i64,
) -> AppResult<Reserved> {
    let s = &state.settings;
    let since = now - s.login_window_secs;
    let mut tx = begin_write(&state.pool).await?;
    let limits = [
        (account_key, s.login_max_failures_per_account),
        (address_key, s.login_max_failures_per_address),
    ];
    for (key, max) in limits {
        if let Some(key) = key {
            if sessions::failures_since(&mut *tx, key, since).await? >= max {
                return Err(AppError::TooManyRequests(format!(
                    "Too many failed sign-ins. Please wait {} minutes and try again.",
                    s.login_window_secs / 60
                )));
            }
        }
    }
    if let Some(key) = account_key {
        sessions::record_failure(&mut *tx, key, now).await?;
    }
    let address = match address_key {
        Some(key) => Some(sessions::record_failure(&mut *tx, key, now).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(Reserved { address })
}

/// Checks the password on the blocking pool, a few at a time: argon2 takes tens of
/// milliseconds of CPU, and a flood of sign-ins must neither stall the async workers nor take
/// every core. An unknown account spends the same effort, so timing does not tell which
/// addresses have accounts.
async fn verify_off_the_workers(
    state: &AppState,
    password_text: &str,
    stored_hash: Option<String>,
) -> AppResult<bool> {
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|_| AppError::Internal)?;
    let pw = password_text.to_string();
    tokio::task::spawn_blocking(move || match stored_hash {
        Some(hash) => password::verify(&pw, &hash),
        None => {
            password::verify_against_nothing(&pw);
            false
        }
    })
    .await
    .map_err(|_| AppError::Internal)
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
        let absolute = state.settings.session_absolute_secs;
        sessions::extend(&mut *tx, &id_hash, fresh_expiry, absolute).await?;
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

/// The session cookie's name under these settings.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The `Set-Cookie` value that hands the browser its session.
pub fn session_cookie(token: &str, state: &AppState) -> String {
    let s = &state.settings;
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(s),
        s.session_ttl_secs
    )
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub fn cleared_cookie(state: &AppState) -> String {
    let s = &state.settings;
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(s)
    )
}

/// The session token in a `Cookie` header, under the cookie name the settings use.
pub fn token_from_cookie_header<'h>(header: &'h str, settings: &Settings) -> Option<&'h str> {
    let name = cookie_name(settings);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_token_among_other_cookies() {
        let plain = Settings::default();
        assert_eq!(
            token_from_cookie_header("a=1; frontline_session=abc; b=2", &plain),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("frontline_session=", &plain), None);
        assert_eq!(token_from_cookie_header("other=1", &plain), None);
        // over https only the __Host- cookie counts: a plain one may have been planted
        let https = Settings {
            secure_cookies: true,
            ..Settings::default()
        };
        assert_eq!(
            token_from_cookie_header("frontline_session=planted", &https),
            None
        );
        assert_eq!(
            token_from_cookie_header("__Host-frontline_session=abc", &https),
            Some("abc")
        );
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
