//! The site's files as a browser gets them: the copy the release build compressed, not one
//! compressed again on the way, and how long the browser may keep each file.

mod common;

use app::backend::clock::ManualClock;
use common::{test_settings, NOW};
use std::path::Path;
use std::sync::Arc;

const WASM: &str = "frontline.pQ3x-Z_0abcdefghijklmA.wasm";

/// A server whose site directory holds a hashed WASM file with its brotli and gzip copies (as
/// scripts/build-release.sh leaves them), and an unhashed public file with none.
struct Site {
    url: String,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    write(&pkg.join(WASM), &wasm());
    // the copies differ from anything a compressor would make of the file: the test sees which
    // bytes were sent
    write(&pkg.join(format!("{WASM}.br")), b"the brotli copy");
    write(&pkg.join(format!("{WASM}.gz")), b"the gzip copy");
    write(&dir.path().join("site/favicon.ico"), &[7u8; 4000]);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut options = server::leptos_options(Some(addr)).unwrap();
    options.site_root = dir.path().join("site").to_string_lossy().into();
    let url = format!("sqlite://{}/frontline.db", dir.path().display());
    let state = server::build_state(
        &url,
        Arc::new(ManualClock::new(NOW)),
        test_settings(dir.path()),
        options,
    )
    .await
    .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(state, listener, async {
        let _ = rx.await;
    }));
    Site {
        url: format!("http://{addr}"),
        _dir: dir,
        _shutdown: tx,
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

/// Compressible, so that a layer compressing on the fly would change it.
fn wasm() -> Vec<u8> {
    b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .cycle()
        .take(64 * 1024)
        .collect()
}

async fn get(url: &str, accept_encoding: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header("Accept-Encoding", accept_encoding)
        .send()
        .await
        .unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hashed_file_is_sent_as_its_precompressed_copy_and_kept_a_year() {
    let site = site().await;
    let url = format!("{}/pkg/{WASM}", site.url);

    let res = get(&url, "gzip, deflate, br").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-encoding"), "br");
    assert_eq!(header(&res, "content-type"), "application/wasm");
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&res, "vary")
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"the brotli copy");

    let res = get(&url, "gzip").await;
    assert_eq!(header(&res, "content-encoding"), "gzip");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"the gzip copy");

    let res = get(&url, "identity").await;
    assert_eq!(header(&res, "content-encoding"), "");
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), wasm().as_slice());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unhashed_file_is_revalidated_and_a_missing_one_is_not_kept() {
    let site = site().await;

    let res = get(&format!("{}/favicon.ico", site.url), "br").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "no-cache");
    assert_eq!(res.bytes().await.unwrap().as_ref(), [7u8; 4000].as_slice());

    let res = get(
        &format!("{}/pkg/frontline.AAAAAAAAAAAAAAAAAAAAAA.wasm", site.url),
        "br",
    )
    .await;
    assert_eq!(res.status(), 404);
    assert!(
        !header(&res, "cache-control").contains("immutable"),
        "{}",
        header(&res, "cache-control")
    );
}
