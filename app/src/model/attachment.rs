//! Files attached to tickets: the rules for their names and sizes.

use serde::{Deserialize, Serialize};

/// The default largest attachment (configurable with FRONTLINE_MAX_ATTACHMENT_MB).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
pub const MAX_NAME: usize = 200;
/// What one person may upload in a day, by default (FRONTLINE_UPLOAD_QUOTA_MB).
pub const DEFAULT_DAILY_QUOTA_BYTES: u64 = 200 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
    /// Staff only: never listed or handed out to clients.
    pub internal: bool,
}

/// A file name as given by a browser, made safe to store and to offer back: no directories, no
/// control characters, not empty, not too long.
pub fn clean_file_name(raw: &str) -> Result<String, String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '"' | ';') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        return Err("The file needs a name.".into());
    }
    if cleaned.chars().count() > MAX_NAME {
        return Err(format!("Keep the file name under {MAX_NAME} characters."));
    }
    Ok(cleaned)
}

/// Checks an upload's size against the limit, in words a person understands.
pub fn check_size(size: u64, max: u64) -> Result<(), String> {
    if size == 0 {
        return Err("The file is empty.".into());
    }
    if size > max {
        return Err(format!(
            "The file is {}; files of up to {} can be attached.",
            format_size(size as i64),
            format_size(max as i64)
        ));
    }
    Ok(())
}

/// Checks an upload against what its uploader may still send today.
pub fn check_quota(size: u64, uploaded_today: u64, quota: u64) -> Result<(), String> {
    if uploaded_today.saturating_add(size) > quota {
        return Err(format!(
            "You have attached {} in the last 24 hours; up to {} a day can be attached. Please try again later, or ask your administrator.",
            format_size(uploaded_today as i64),
            format_size(quota as i64)
        ));
    }
    Ok(())
}

pub fn format_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_directories_and_control_characters() {
        assert_eq!(
            clean_file_name("C:\\Users\\jo\\shot.png").unwrap(),
            "shot.png"
        );
        assert_eq!(clean_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\r\n.txt").unwrap(), "ab.txt");
        assert_eq!(clean_file_name("say\"hi\";.txt").unwrap(), "say_hi__.txt");
        assert_eq!(clean_file_name("..hidden").unwrap(), "hidden");
        for bad in ["", "  ", "dir/", "..", "\u{7}"] {
            assert!(clean_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(clean_file_name(&"x".repeat(MAX_NAME + 1)).is_err());
    }

    #[test]
    fn sizes_are_checked_and_said_plainly() {
        assert!(check_size(0, 10).unwrap_err().contains("empty"));
        assert_eq!(
            check_size(11 * 1024 * 1024, DEFAULT_MAX_BYTES).unwrap_err(),
            "The file is 11.0 MB; files of up to 10.0 MB can be attached."
        );
        assert!(check_size(10, 10).is_ok());
        assert_eq!(format_size(512), "512 bytes");
        assert_eq!(format_size(2048), "2 KB");
    }

    #[test]
    fn the_daily_quota_counts_what_was_already_sent() {
        let mb = 1024 * 1024;
        assert!(check_quota(5 * mb, 190 * mb, DEFAULT_DAILY_QUOTA_BYTES).is_ok());
        assert_eq!(
            check_quota(11 * mb, 190 * mb, DEFAULT_DAILY_QUOTA_BYTES).unwrap_err(),
            "You have attached 190.0 MB in the last 24 hours; up to 200.0 MB a day can be attached. Please try again later, or ask your administrator."
        );
        assert!(check_quota(1, u64::MAX, 10).is_err(), "no overflow");
    }
}
