//! Sign-in, sessions and sign-out. Sessions are random 256-bit tokens held in an HttpOnly cookie;
//! the database keeps only their SHA-256, so a copy of it cannot be replayed as a session.

use super::db::begin_write;
use super::repo::{second_factors, sessions, users};
use super::state::{AppState, Settings};
use super::{password, second_factor};
use crate::backend::db::Conn;
use crate::model::second_factor::{Code, SignInStep, CHALLENGE_SECS, MAX_CODE_ATTEMPTS};
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
    /// The trusted-browser cookie's token, if the browser sent one.
    pub trusted_browser: Option<String>,
}

impl ClientInfo {
    /// The user agent as kept with a session: at most 300 bytes.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref().map(|ua| {
            let mut end = ua.len().min(300);
            while !ua.is_char_boundary(end) {
                end -= 1;
            }
            &ua[..end]
        })
    }
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How far a sign-in with a right password got.
pub enum SignInOutcome {
    SignedIn(SignedIn),
    /// The rest waits for a code (or for enrolment), under this token (the challenge cookie).
    Challenged {
        token: String,
        step: SignInStep,
    },
}

/// A sign-in finished with its second step.
pub struct Answered {
    pub signed_in: SignedIn,
    pub step: SignInStep,
    /// A token for the trusted-browser cookie, if the person asked to be trusted here.
    pub trusted_browser: Option<String>,
}

fn wrong_password() -> AppError {
    AppError::Unauthenticated("That e-mail address and password do not match an account.".into())
}

pub async fn sign_in(
    state: &AppState,
    email: &str,
    password_text: &str,
    client: &ClientInfo,
) -> AppResult<SignInOutcome> {
    let now = state.now();
    // A malformed address or password is a guess like any other: limited and counted per
    // address, but never hashed (no account can have it, so its timing tells nothing).
    let email = Email::parse(email).ok().filter(|_| {
        !password_text.is_empty() && password_text.len() <= crate::model::user::MAX_PASSWORD_LEN * 4
    });
    let keys = FailureKeys::new(email.as_ref(), client.ip.as_deref());
    let reserved = reserve_attempt(state, &keys, now).await?;
    let Some(email) = email else {
        return Err(wrong_password());
    };

    let account = users::find_login(&mut state.pool.acquire().await?, email.as_str()).await?;
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
        _ => return Err(wrong_password()),
    };

    let enrolled = second_factors::find(&mut state.pool.acquire().await?, account.id)
        .await?
        .is_some_and(|f| f.confirmed);
    // A locked account lets in only a right password with a code, never a trusted browser.
    let trusted = !reserved.account_locked
        && match client.trusted_browser.as_deref() {
            Some(token) => {
                second_factors::is_trusted(
                    &mut state.pool.acquire().await?,
                    account.id,
                    &token_hash(token),
                    now,
                )
                .await?
            }
            None => false,
        };
    let new_secret = (!enrolled && state.settings.second_factor.requires(account.role))
        .then(second_factor::new_secret);
    if (enrolled && !trusted) || new_secret.is_some() {
        let token = new_token();
        let mut tx = begin_write(&state.pool).await?;
        second_factors::insert_challenge(
            &mut tx,
            &second_factors::NewChallenge {
                id_hash: &token_hash(&token),
                user_id: account.id,
                new_secret: new_secret.as_deref(),
                pending_failure: reserved.address,
                created_at: now,
                expires_at: now + CHALLENGE_SECS,
                ip: client.ip.as_deref(),
                user_agent: client.user_agent(),
            },
        )
        .await?;
        tx.commit().await?;
        let step = match new_secret {
            Some(secret) => SignInStep::EnrolNeeded(second_factor::offer(&secret, email.as_str())?),
            None => SignInStep::CodeNeeded,
        };
        return Ok(SignInOutcome::Challenged { token, step });
    }
    let mut tx = begin_write(&state.pool).await?;
    let signed_in =
        start_session(&mut tx, state, account.id, &keys, reserved.address, client).await?;
    tx.commit().await?;
    Ok(SignInOutcome::SignedIn(signed_in))
}

/// The second step of a sign-in: the code for the challenge whose cookie carries `challenge`
/// (or the first code of a second factor set up right now).
pub async fn answer_challenge(
    state: &AppState,
    challenge: &str,
    code_text: &str,
    trust_browser: bool,
    client: &ClientInfo,
) -> AppResult<Answered> {
    let code = Code::parse(code_text)?;
    let now = state.now();
    let id_hash = token_hash(challenge);
    let mut tx = begin_write(&state.pool).await?;
    let Some(ch) = second_factors::attempt_challenge(&mut tx, &id_hash, now).await? else {
        return Err(challenge_expired());
    };
    if ch.attempts > MAX_CODE_ATTEMPTS {
        second_factors::delete_challenge(&mut tx, &id_hash).await?;
        tx.commit().await?;
        return Err(AppError::TooManyRequests(
            "Too many wrong codes. Please sign in again with your password.".into(),
        ));
    }
    let checked = match &ch.new_secret {
        Some(secret) => second_factor::confirm_enrolment(&mut tx, ch.user_id, secret, &code, now)
            .await
            .map(Some),
        None => match second_factor::spend_code(&mut tx, ch.user_id, &code, now).await {
            Ok(true) => Ok(None),
            Ok(false) => Err(second_factor::wrong_code()),
            Err(e) => Err(e),
        },
    };
    let recovery_codes = match checked {
        Ok(codes) => codes,
        Err(e) => {
            // the attempt is counted even though the code was wrong
            tx.commit().await?;
            return Err(e);
        }
    };
    second_factors::delete_challenge(&mut tx, &id_hash).await?;
    let email = users::me(&mut tx, ch.user_id)
        .await?
        .ok_or(AppError::Internal)?
        .email;
    let email = Email::parse(&email).ok();
    let keys = FailureKeys::new(email.as_ref(), client.ip.as_deref());
    let signed_in = start_session(
        &mut tx,
        state,
        ch.user_id,
        &keys,
        ch.pending_failure,
        client,
    )
    .await?;
    let trusted_browser = if trust_browser {
        Some(second_factor::trust_browser(&mut tx, ch.user_id, client.user_agent(), now).await?)
    } else {
        None
    };
    tx.commit().await?;
    let path = signed_in.me.role.landing().path().to_string();
    let step = match recovery_codes {
        Some(recovery_codes) => SignInStep::Enrolled {
            path,
            recovery_codes,
        },
        None => SignInStep::Landed { path },
    };
    Ok(Answered {
        signed_in,
        step,
        trusted_browser,
    })
}

/// The password step is gone (expired, answered, or never taken in this browser).
pub fn challenge_expired() -> AppError {
    AppError::Unauthenticated("This sign-in has expired. Please enter your password again.".into())
}

/// A new session for a person whose sign-in succeeded; their recorded failures are forgiven.
async fn start_session(
    conn: &mut Conn,
    state: &AppState,
    user_id: i64,
    keys: &FailureKeys,
    pending_failure: Option<i64>,
    client: &ClientInfo,
) -> AppResult<SignedIn> {
    let now = state.now();
    for key in [&keys.account, &keys.pair].into_iter().flatten() {
        sessions::clear_failures(&mut *conn, key).await?;
    }
    if let Some(id) = pending_failure {
        sessions::forget_failure(&mut *conn, id).await?;
    }
    let token = new_token();
    sessions::insert(
        &mut *conn,
        &sessions::NewSession {
            id_hash: &token_hash(&token),
            user_id,
            created_at: now,
            expires_at: now + state.settings.session_ttl_secs,
            ip: client.ip.as_deref(),
            user_agent: client.user_agent(),
        },
    )
    .await?;
    let me = users::me(&mut *conn, user_id)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(SignedIn { token, me })
}

/// Where failed sign-ins are counted: per account (from anywhere), per address (any account),
/// and per account and address together.
struct FailureKeys {
    account: Option<String>,
    address: Option<String>,
    pair: Option<String>,
}

impl FailureKeys {
    fn new(email: Option<&Email>, ip: Option<&str>) -> Self {
        FailureKeys {
            account: email.map(|e| format!("account:{}", e.as_str())),
            address: ip.map(|ip| format!("ip:{ip}")),
            pair: email
                .zip(ip)
                .map(|(e, ip)| format!("pair:{}|{ip}", e.as_str())),
        }
    }
}

/// The failures an attempt recorded up front, to be forgotten if it succeeds.
struct Reserved {
    address: Option<i64>,
    /// The account is past its limit: only a second factor may let this attempt in.
    account_locked: bool,
}

/// Failures per account and address before each further attempt waits, doubling from a minute.
const PAIR_FREE_FAILURES: i64 = 5;

/// Counts the attempt as a failure before its password is checked, in one write with the check
/// of the limits: a burst of parallel attempts gets no more verifications than the limit
/// allows, because each one's check sees the ones before it.
///
/// From one address, an account's failures slow down (after five, each next try waits a
/// minute, then two, four...) but never lock it: one guesser cannot lock the owner out. From
/// many addresses together the account's limit locks it for the window, except for a right
/// password with a second factor.
async fn reserve_attempt(state: &AppState, keys: &FailureKeys, now: i64) -> AppResult<Reserved> {
    let s = &state.settings;
    let since = now - s.login_window_secs;
    let too_many = |wait_secs: i64| {
        let minutes = (wait_secs + 59) / 60;
        AppError::TooManyRequests(format!(
            "Too many failed sign-ins. Please wait {minutes} minute{} and try again.",
            if minutes == 1 { "" } else { "s" }
        ))
    };
    let mut tx = begin_write(&state.pool).await?;
    if let Some(key) = &keys.address {
        if sessions::failures_since(&mut tx, key, since).await? >= s.login_max_failures_per_address
        {
            return Err(too_many(s.login_window_secs));
        }
    }
    if let Some(key) = &keys.pair {
        let (count, last) = sessions::failures_and_last_since(&mut tx, key, since).await?;
        if count >= PAIR_FREE_FAILURES {
            let wait = (60_i64 << (count - PAIR_FREE_FAILURES).min(10)).min(s.login_window_secs);
            let until = last.unwrap_or(now) + wait;
            if now < until {
                return Err(too_many(until - now));
            }
        }
    }
    let mut account_locked = false;
    if let Some(key) = &keys.account {
        if sessions::failures_since(&mut tx, key, since).await? >= s.login_max_failures_per_account
        {
            let email = key.trim_start_matches("account:");
            if !second_factors::confirmed_for_email(&mut tx, email).await? {
                return Err(too_many(s.login_window_secs));
            }
            account_locked = true;
        }
    }
    for key in [&keys.account, &keys.pair].into_iter().flatten() {
        sessions::record_failure(&mut tx, key, now).await?;
    }
    let address = match &keys.address {
        Some(key) => Some(sessions::record_failure(&mut tx, key, now).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(Reserved {
        address,
        account_locked,
    })
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
    let Some((me, expires_at)) =
        sessions::find_user(&mut state.pool.acquire().await?, &id_hash, now).await?
    else {
        return Ok(None);
    };
    let fresh_expiry = now + state.settings.session_ttl_secs;
    if fresh_expiry - expires_at >= EXTEND_EVERY_SECS {
        let mut tx = begin_write(&state.pool).await?;
        let absolute = state.settings.session_absolute_secs;
        sessions::extend(&mut tx, &id_hash, fresh_expiry, absolute).await?;
        tx.commit().await?;
    }
    Ok(Some(me))
}

pub async fn sign_out(state: &AppState, token: &str) -> AppResult<()> {
    let mut tx = begin_write(&state.pool).await?;
    sessions::delete(&mut tx, &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// The cookies sign-in hands out. Over https their names carry the `__Host-` prefix.
#[derive(Clone, Copy)]
pub enum Cookie {
    Session,
    /// A verified password waiting for its code (10 minutes).
    Challenge,
    /// A browser that may skip the code (30 days).
    TrustedBrowser,
}

impl Cookie {
    pub fn name(self, settings: &Settings) -> &'static str {
        match (self, settings.secure_cookies) {
            (Cookie::Session, false) => SESSION_COOKIE,
            (Cookie::Session, true) => SECURE_SESSION_COOKIE,
            (Cookie::Challenge, false) => "frontline_sign_in",
            (Cookie::Challenge, true) => "__Host-frontline_sign_in",
            (Cookie::TrustedBrowser, false) => "frontline_trusted",
            (Cookie::TrustedBrowser, true) => "__Host-frontline_trusted",
        }
    }

    /// The `Set-Cookie` value that hands the browser `value` for `max_age_secs`.
    pub fn set(self, value: &str, max_age_secs: i64, settings: &Settings) -> String {
        let secure = if settings.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        // the challenge is only ever sent back by the sign-in page itself
        let same_site = match self {
            Cookie::Challenge => "Strict",
            _ => "Lax",
        };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}",
            self.name(settings)
        )
    }

    /// The `Set-Cookie` value that makes the browser forget it.
    pub fn clear(self, settings: &Settings) -> String {
        self.set("", 0, settings)
    }

    /// Its value in a `Cookie` header.
    pub fn find<'h>(self, header: &'h str, settings: &Settings) -> Option<&'h str> {
        let name = self.name(settings);
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.trim())
            .filter(|v| !v.is_empty())
    }
}

/// The `Set-Cookie` value that hands the browser its session.
pub fn session_cookie(token: &str, state: &AppState) -> String {
    Cookie::Session.set(token, state.settings.session_ttl_secs, &state.settings)
}

/// The session token in a `Cookie` header, under the cookie name the settings use.
pub fn token_from_cookie_header<'h>(header: &'h str, settings: &Settings) -> Option<&'h str> {
    Cookie::Session.find(header, settings)
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
