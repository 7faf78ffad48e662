//! The site's files (WASM, JS and CSS under /pkg, what public/ holds): the compressed copies the
//! release build made (scripts/build-release.sh: brotli 11 and gzip -9 beside each file) and how
//! long a browser may keep them.
//!
//! A file whose name carries its content's hash (`frontline.<hash>.wasm`, cargo-leptos'
//! `hash-files`) never changes under that name, so the browser keeps it a year without asking
//! again; any other file (the favicon, a build without hashes) is asked about on every use.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;

/// What a hashed file's answer says.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// What any other file's answer says: keep it, but ask (a 304 costs a round trip, not the file).
pub const REVALIDATE: &str = "no-cache";

/// The files under `site_root`, their precompressed copy when the browser takes one (brotli
/// first). Without a copy (a small file, a debug build) the router's compression layer
/// compresses the answer as it goes; a precompressed answer carries its Content-Encoding, which
/// that layer leaves alone.
pub fn files(site_root: &str) -> ServeDir {
    ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
}

/// Adds Cache-Control to a file's answer by its name, and `Vary: Accept-Encoding` (which copy
/// was sent depends on it; a cache between must not give brotli to a browser that did not ask
/// for it). Only to files found (200, 206, 304): a path that is not a file gets the not-found
/// page, which must not be kept.
pub async fn cache_control(req: Request, next: Next) -> Response {
    let policy = if is_hashed(req.uri().path()) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut res = next.run(req).await;
    let status = res.status();
    if (status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED)
        && !res.headers().contains_key(header::CACHE_CONTROL)
    {
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        let varies = headers.get_all(header::VARY).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
        });
        if !varies {
            headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    res
}

/// Whether the file name carries a content hash as cargo-leptos writes it: `stem.<hash>.ext`,
/// the hash being 22 characters of URL-safe base64 (an MD5). The split loader's unhashed name
/// holds 22 underscores in its place, which is not a hash.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty()
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && hash.bytes().any(|b| b != b'_')
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        assert!(is_hashed("/pkg/frontline.pQ3x-Z_0abcdefghijklmA.wasm"));
        assert!(is_hashed("/pkg/chunk_7.AAAAAAAAAAAAAAAAAAAAAA.wasm"));
        assert!(is_hashed("/pkg/__wasm_split.pQ3x-Z_0abcdefghijklmA.js"));
        assert!(!is_hashed("/pkg/__wasm_split.______________________.js"));
        assert!(!is_hashed("/pkg/frontline.wasm"));
        assert!(!is_hashed("/favicon.ico"));
        assert!(!is_hashed("/pkg/frontline.short.wasm"));
        assert!(!is_hashed("/pkg/.pQ3x-Z_0abcdefghijklmA.wasm"));
        assert!(!is_hashed("/pkg/frontline.pQ3x+Z/0abcdefghijklmnA.wasm"));
    }
}
