//! Secrets the desk must use again but never show (a mailbox's IMAP password or bearer token),
//! sealed at rest with a key from the environment (`FRONTLINE_SECRET_KEY`, 32 bytes in base64):
//! a copy of the database alone does not give them away.
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per seal, stored with the ciphertext as
//! `v1.<base64 of nonce and ciphertext>`: random nonces of that size never repeat in practice,
//! and the tag makes any change of the stored text, or the wrong key, fail to open.

use crate::model::AppError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// The environment variable holding the key.
pub const KEY_VAR: &str = "FRONTLINE_SECRET_KEY";

const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 24;
/// Binds a sealed value to this use, so a ciphertext of another scheme under the same key is
/// never taken for one of ours.
const CONTEXT: &[u8] = b"frontline secret v1";

/// The key secrets are sealed with; its Debug output hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// The key from its base64 form (as `openssl rand -base64 32` prints it).
    pub fn from_base64(text: &str) -> Result<SecretKey, String> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| {
            format!("{KEY_VAR} is not base64 (make one with `openssl rand -base64 32`)")
        })?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!(
                "{KEY_VAR} must be 32 bytes, not {} (make one with `openssl rand -base64 32`)",
                b.len()
            )
        })?;
        Ok(SecretKey(bytes))
    }

    /// The key `FRONTLINE_SECRET_KEY` holds, read through `var`; None when it is not set.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<SecretKey>, String> {
        match var(KEY_VAR) {
            Some(text) if !text.trim().is_empty() => SecretKey::from_base64(&text).map(Some),
            _ => Ok(None),
        }
    }

    /// A new random key (tests, and a first setup).
    pub fn generate() -> SecretKey {
        SecretKey(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    /// The key in the form `from_base64` reads.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }
}

/// `plaintext` sealed with `key`, as text to store.
pub fn seal(key: &SecretKey, plaintext: &str) -> String {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let payload = Payload {
        msg: plaintext.as_bytes(),
        aad: CONTEXT,
    };
    // Encryption into a Vec fails only when the message exceeds what the cipher can count
    // (256 GiB); a secret never does.
    let sealed = key.cipher().encrypt(&nonce, payload).unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    format!("{PREFIX}{}", STANDARD.encode(out))
}

/// The plaintext of a value `seal` made; fails on another key or any change of the text.
pub fn open(key: &SecretKey, sealed: &str) -> Result<String, AppError> {
    let unreadable = || {
        AppError::Invalid(format!(
            "the stored secret cannot be opened with {KEY_VAR} (was the key changed?)"
        ))
    };
    let bytes = sealed
        .strip_prefix(PREFIX)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .filter(|bytes| bytes.len() > NONCE_LEN)
        .ok_or_else(unreadable)?;
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    let payload = Payload {
        msg: ciphertext,
        aad: CONTEXT,
    };
    let plain = key
        .cipher()
        .decrypt(XNonce::from_slice(nonce), payload)
        .map_err(|_| unreadable())?;
    String::from_utf8(plain).map_err(|_| unreadable())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_sealed_opens_with_the_same_key() {
        let key = SecretKey::generate();
        let sealed = seal(&key, "hunter2 ünïcode");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("hunter2"));
        assert_eq!(open(&key, &sealed).unwrap(), "hunter2 ünïcode");
        assert_eq!(open(&key, &seal(&key, "")).unwrap(), "");
    }

    #[test]
    fn the_wrong_key_fails() {
        let sealed = seal(&SecretKey::generate(), "hunter2");
        let err = open(&SecretKey::generate(), &sealed).unwrap_err();
        assert!(err.to_string().contains(KEY_VAR), "{err}");
    }

    #[test]
    fn any_change_of_the_stored_text_fails() {
        let key = SecretKey::generate();
        let sealed = seal(&key, "hunter2");
        let bytes = STANDARD.decode(&sealed[3..]).unwrap();
        for i in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[i] ^= 0x01;
            let tampered = format!("v1.{}", STANDARD.encode(tampered));
            assert!(open(&key, &tampered).is_err(), "byte {i} changed");
        }
        let cut = format!("v1.{}", STANDARD.encode(&bytes[..bytes.len() - 1]));
        for bad in [
            cut.as_str(),
            "v1.",
            "v1.!!",
            "hunter2",
            &sealed[1..],
            &sealed.replace("v1", "v2"),
        ] {
            assert!(open(&key, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_seal_takes_a_new_nonce() {
        let key = SecretKey::generate();
        let (a, b) = (seal(&key, "same"), seal(&key, "same"));
        assert_ne!(a, b);
        assert_ne!(a[3..35], b[3..35], "the nonces differ");
    }

    #[test]
    fn the_key_is_read_from_base64_of_32_bytes() {
        let key = SecretKey::generate();
        let env = |value: &'static str| move |_: &str| Some(value.to_string());
        assert_eq!(SecretKey::from_base64(&key.to_base64()).unwrap(), key);
        assert_eq!(SecretKey::from_env(|_| None).unwrap(), None);
        assert_eq!(SecretKey::from_env(env("  ")).unwrap(), None);
        let short = SecretKey::from_env(env("c2hvcnQ=")).unwrap_err();
        assert!(short.contains("32 bytes, not 5"), "{short}");
        assert!(SecretKey::from_env(env("not base64!")).is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(..)");
    }
}
