//! The second factor: one-time codes (TOTP, RFC 6238, what every authenticator app speaks),
//! single-use recovery codes, browsers trusted for 30 days, and each person's own settings.
//! Every change is audited. The sign-in steps themselves are in `auth`.

use super::auth::{new_token, token_hash};
use super::db::{begin_write, WriteTx};
use super::policy::Actor;
use super::repo::{audit, second_factors as repo, sessions, users};
use super::state::AppState;
use crate::backend::db::Conn;
use crate::model::admin::AuditAction;
use crate::model::second_factor::{
    format_recovery_code, group_secret, Code, EnrolmentOffer, SecondFactorStatus, RECOVERY_CODES,
    SECRET_BYTES, STEP_SECS, TRUSTED_DEVICE_DAYS,
};
use crate::model::{AppError, AppResult};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use totp_rs::{Algorithm, Secret, TOTP};

/// The name apps show beside the account.
const ISSUER: &str = "Frontline";

/// A fresh random secret, base32 as apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|_| AppError::Internal)?;
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECS as u64,
        bytes,
    ))
}

/// The code an app shows for `secret` at `now` (for the demo's tests and the seed's checks).
pub fn code_at(secret: &str, now: i64) -> AppResult<String> {
    Ok(totp(secret)?.generate(now.max(0) as u64))
}

/// The 30-second step whose code `code` is, allowing the app's clock one step either way.
fn matching_step(secret: &str, code: &str, now: i64) -> AppResult<Option<i64>> {
    let totp = totp(secret)?;
    let current = now / STEP_SECS;
    Ok([current, current - 1, current + 1]
        .into_iter()
        .find(|step| totp.check(code, (step * STEP_SECS).max(0) as u64)))
}

/// What an authenticator app is shown to set itself up.
pub fn offer(secret: &str, email: &str) -> AppResult<EnrolmentOffer> {
    let label = format!("{ISSUER}:{email}");
    let otpauth_uri = format!(
        "otpauth://totp/{}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        percent_encode(&label)
    );
    let svg = qrcode::QrCode::new(otpauth_uri.as_bytes())
        .map_err(|_| AppError::Internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // the picture goes inside an HTML page: no XML declaration before it
    let qr_svg = svg
        .find("<svg")
        .map_or(svg.clone(), |at| svg[at..].to_string());
    Ok(EnrolmentOffer {
        secret: group_secret(secret),
        otpauth_uri,
        qr_svg,
    })
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Ten new recovery codes: as shown once, and as stored (hashed).
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let code: String = bytes
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            (format_recovery_code(&code), token_hash(&code))
        })
        .unzip()
}

/// Issues a fresh set of recovery codes for `user_id`; the old ones stop working.
async fn issue_recovery_codes(conn: &mut Conn, user_id: i64) -> AppResult<Vec<String>> {
    let (shown, hashes) = new_recovery_codes();
    repo::replace_recovery_codes(conn, user_id, &hashes).await?;
    Ok(shown)
}

/// Checks a code against the account's confirmed factor and spends it. A one-time code is
/// accepted once; a recovery code once ever.
pub async fn spend_code(conn: &mut Conn, user_id: i64, code: &Code, now: i64) -> AppResult<bool> {
    let Some(factor) = repo::find(&mut *conn, user_id)
        .await?
        .filter(|f| f.confirmed)
    else {
        return Ok(false);
    };
    match code {
        Code::OneTime(digits) => match matching_step(&factor.secret, digits, now)? {
            Some(step) => {
                if repo::spend_step(&mut *conn, user_id, step).await? {
                    Ok(true)
                } else {
                    Err(AppError::Invalid(
                        "That code has just been used. Wait for the next one in your app.".into(),
                    ))
                }
            }
            None => Ok(false),
        },
        Code::Recovery(text) => {
            let spent =
                repo::spend_recovery_code(&mut *conn, user_id, &token_hash(text), now).await?;
            if spent {
                audit_self(
                    conn,
                    user_id,
                    now,
                    AuditAction::SecondFactorRecoveryCode,
                    "Signed in with a recovery code",
                )
                .await?;
            }
            Ok(spent)
        }
    }
}

/// Confirms an enrolment with the first code from the app; returns the recovery codes.
pub async fn confirm_enrolment(
    conn: &mut Conn,
    user_id: i64,
    secret: &str,
    code: &Code,
    now: i64,
) -> AppResult<Vec<String>> {
    let step = match code {
        Code::OneTime(digits) => matching_step(secret, digits, now)?,
        Code::Recovery(_) => None,
    };
    let Some(step) = step else {
        return Err(AppError::Invalid(
            "That is not the code your app shows. Check that its clock is right and try the next one."
                .into(),
        ));
    };
    repo::confirm(&mut *conn, user_id, secret, step, now).await?;
    let codes = issue_recovery_codes(conn, user_id).await?;
    audit_self(
        conn,
        user_id,
        now,
        AuditAction::SecondFactorEnrol,
        "Set up two-step sign-in",
    )
    .await?;
    Ok(codes)
}

/// Makes this browser trusted for `user_id`; returns the cookie's token.
pub async fn trust_browser(
    conn: &mut Conn,
    user_id: i64,
    user_agent: Option<&str>,
    now: i64,
) -> AppResult<String> {
    let token = new_token();
    let label = browser_label(user_agent);
    repo::trust_device(
        conn,
        user_id,
        &token_hash(&token),
        now,
        now + TRUSTED_DEVICE_DAYS * 86_400,
        &label,
    )
    .await?;
    Ok(token)
}

/// "Firefox on Linux" from a user agent, enough to recognise one's own browsers in a list.
fn browser_label(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map_or("A browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_string(),
    }
}

async fn audit_self(
    conn: &mut Conn,
    user_id: i64,
    now: i64,
    action: AuditAction,
    summary: &str,
) -> AppResult<()> {
    audit_on(conn, user_id, user_id, now, action, summary).await
}

async fn audit_on(
    conn: &mut Conn,
    actor_id: i64,
    user_id: i64,
    now: i64,
    action: AuditAction,
    summary: &str,
) -> AppResult<()> {
    audit::append(
        conn,
        &audit::NewEntry {
            at: now,
            actor_id,
            action,
            entity_id: Some(user_id),
            summary,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// The signed-in person's second factor, for their security page.
pub async fn status(state: &AppState, actor: &Actor) -> AppResult<SecondFactorStatus> {
    let now = state.now();
    let mut conn = state.pool.acquire().await?;
    let enrolled = repo::find(&mut conn, actor.id)
        .await?
        .is_some_and(|f| f.confirmed);
    Ok(SecondFactorStatus {
        enrolled,
        required: state.settings.second_factor.requires(actor.role),
        recovery_codes_left: repo::recovery_codes_left(&mut conn, actor.id).await?,
        trusted_devices: repo::trusted_devices(&mut conn, actor.id, now).await?,
    })
}

/// Starts setting up a second factor from the security page: a new secret to scan.
pub async fn start_enrolment(state: &AppState, actor: &Actor) -> AppResult<EnrolmentOffer> {
    let now = state.now();
    let secret = new_secret();
    let mut tx = begin_write(&state.pool).await?;
    if !repo::offer(&mut tx, actor.id, &secret, now).await? {
        return Err(AppError::Conflict(
            "Two-step sign-in is already set up. Turn it off first to move it to another app."
                .into(),
        ));
    }
    let me = users::me(&mut tx, actor.id)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    offer(&secret, &me.email)
}

/// Finishes setting up with the first code from the app; returns the recovery codes.
pub async fn finish_enrolment(
    state: &AppState,
    actor: &Actor,
    code: &str,
) -> AppResult<Vec<String>> {
    let code = Code::parse(code)?;
    let now = state.now();
    let mut tx = begin_write(&state.pool).await?;
    let factor = repo::find(&mut tx, actor.id).await?;
    let secret = match factor {
        Some(f) if !f.confirmed => f.secret,
        Some(_) => {
            return Err(AppError::Conflict(
                "Two-step sign-in is already set up.".into(),
            ))
        }
        None => {
            return Err(AppError::Conflict(
                "Start again: choose \"Set up two-step sign-in\" to get a new code to scan.".into(),
            ))
        }
    };
    let codes = confirm_enrolment(&mut tx, actor.id, &secret, &code, now).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Opens a change to one's own second factor that a current code from the app (or an unused
/// recovery code) allows, spending the code; returns the transaction and its instant.
async fn begin_with_code(state: &AppState, actor: &Actor, code: &str) -> AppResult<(WriteTx, i64)> {
    let code = Code::parse(code)?;
    let now = state.now();
    let mut tx = begin_write(&state.pool).await?;
    if !spend_code(&mut tx, actor.id, &code, now).await? {
        return Err(wrong_code());
    }
    Ok((tx, now))
}

/// A new set of recovery codes, for a current code from the app (or an unused recovery code).
pub async fn renew_recovery_codes(
    state: &AppState,
    actor: &Actor,
    code: &str,
) -> AppResult<Vec<String>> {
    let (mut tx, now) = begin_with_code(state, actor, code).await?;
    let codes = issue_recovery_codes(&mut tx, actor.id).await?;
    audit_self(
        &mut tx,
        actor.id,
        now,
        AuditAction::SecondFactorRecoveryCodes,
        "Made new recovery codes",
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the second factor off, for a current code; refused where the desk requires one.
pub async fn turn_off(state: &AppState, actor: &Actor, code: &str) -> AppResult<()> {
    if state.settings.second_factor.requires(actor.role) {
        return Err(AppError::Forbidden(
            "Your desk requires two-step sign-in for your role, so it cannot be turned off. \
             To move it to a new phone, ask an administrator to reset it."
                .into(),
        ));
    }
    let (mut tx, now) = begin_with_code(state, actor, code).await?;
    repo::remove(&mut tx, actor.id).await?;
    audit_self(
        &mut tx,
        actor.id,
        now,
        AuditAction::SecondFactorTurnOff,
        "Turned off two-step sign-in",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets every browser trusted to skip the code.
pub async fn forget_browsers(state: &AppState, actor: &Actor) -> AppResult<()> {
    let now = state.now();
    let mut tx = begin_write(&state.pool).await?;
    if repo::forget_devices(&mut tx, actor.id).await? > 0 {
        audit_self(
            &mut tx,
            actor.id,
            now,
            AuditAction::SecondFactorForgetBrowsers,
            "Forgot trusted browsers",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether `user_id` has set up a second factor (for administrators).
pub async fn is_enrolled(state: &AppState, actor: &Actor, user_id: i64) -> AppResult<bool> {
    actor.require_admin()?;
    if users::me(&mut state.pool.acquire().await?, user_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound(format!("There is no user {user_id}.")));
    }
    Ok(repo::find(&mut state.pool.acquire().await?, user_id)
        .await?
        .is_some_and(|f| f.confirmed))
}

/// An administrator resets someone's second factor (a lost phone): it, their recovery codes
/// and trusted browsers go, their sessions end; where it is required they set up a new one at
/// their next sign-in.
pub async fn reset(state: &AppState, actor: &Actor, user_id: i64) -> AppResult<()> {
    actor.require_admin()?;
    if user_id == actor.id {
        return Err(AppError::Conflict(
            "Ask another administrator to reset your own two-step sign-in.".into(),
        ));
    }
    let now = state.now();
    let mut tx = begin_write(&state.pool).await?;
    let person = users::me(&mut tx, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no user {user_id}.")))?;
    let (name, email) = (person.name, person.email);
    if !repo::remove(&mut tx, user_id).await? {
        return Err(AppError::Conflict(format!(
            "{name} has not set up two-step sign-in."
        )));
    }
    sessions::delete_for_user(&mut tx, user_id).await?;
    audit_on(
        &mut tx,
        actor.id,
        user_id,
        now,
        AuditAction::SecondFactorReset,
        &format!("Reset two-step sign-in of {name} <{email}>"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A code that is neither the app's current one nor an unused recovery code.
pub fn wrong_code() -> AppError {
    AppError::Invalid(
        "That code is not right. Enter the 6-digit code your app shows now, or an unused recovery code."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, the secret "12345678901234567890", 8 digits there;
        // the last 6 are what a 6-digit app shows.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(&secret, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_taken_from_the_step_before_or_after() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now - STEP_SECS).unwrap();
        assert_eq!(
            matching_step(&secret, &code, now).unwrap(),
            Some(now / STEP_SECS - 1)
        );
        let old = code_at(&secret, now - 3 * STEP_SECS).unwrap();
        assert_eq!(matching_step(&secret, &old, now).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_unique_and_read_back() {
        let (shown, hashes) = new_recovery_codes();
        assert_eq!(shown.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = shown.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let Code::Recovery(first) = Code::parse(&shown[0]).unwrap() else {
            panic!("a recovery code reads as one");
        };
        assert_eq!(token_hash(&first), hashes[0]);
    }

    #[test]
    fn the_enrolment_link_names_the_desk_and_the_account() {
        let offer = offer("JBSWY3DPEHPK3PXP", "sam@frontline.example").unwrap();
        assert_eq!(
            offer.otpauth_uri,
            "otpauth://totp/Frontline:sam%40frontline.example?secret=JBSWY3DPEHPK3PXP&issuer=Frontline&algorithm=SHA1&digits=6&period=30"
        );
        assert!(offer.qr_svg.contains("<svg"));
        assert_eq!(offer.secret, "JBSW Y3DP EHPK 3PXP");
    }

    #[test]
    fn browsers_are_named_plainly() {
        assert_eq!(
            browser_label(Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")),
            "Chrome on Linux"
        );
        assert_eq!(browser_label(None), "A browser");
    }
}
