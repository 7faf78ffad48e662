//! The `<link rel="preload">`s for a page whose code is in a split module (ui/lazy.rs), so that a
//! page opened directly downloads its module beside the main one instead of after it.
//!
//! Leptos has this built in (`prefetch_lazy_fn_on_server`), but it looks the module list up
//! through whichever reactive owner is current on the thread once the page has rendered, which
//! under concurrent requests is often another page's: the links then go missing. This reads the
//! list once and writes the links into the page's head itself.

use super::request::SessionUser;
use crate::model::Role;
use crate::model::SplitModule;
use leptos::config::LeptosOptions;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Each split module's files (stems in the site's package directory), as the release build's
/// manifest lists them.
type Manifest = HashMap<String, Vec<String>>;

/// What to preload for the page this request renders: nothing unless the page is in a split
/// module and the signed-in person may open it.
pub fn for_this_page(options: &LeptosOptions) -> Vec<String> {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return Vec::new();
    };
    let role = parts
        .extensions
        .get::<SessionUser>()
        .map(|user| user.0.role);
    preloads(
        manifest(options),
        &options.site_pkg_dir,
        parts.uri.path(),
        role,
    )
}

fn preloads(manifest: &Manifest, pkg_dir: &str, path: &str, role: Option<Role>) -> Vec<String> {
    let Some(module) = SplitModule::serving(path) else {
        return Vec::new();
    };
    if !role.is_some_and(|role| role.may_open(module.page())) {
        return Vec::new();
    }
    manifest
        .get(module.name())
        .into_iter()
        .flatten()
        .map(|stem| format!("/{pkg_dir}/{stem}.wasm"))
        .collect()
}

/// Read once. Absent in builds without `--split` (`cargo leptos watch`, the Rust tests): then
/// nothing is preloaded. With hashed file names the manifest's own name carries its hash, and
/// the stems it lists are the hashed ones.
fn manifest(options: &LeptosOptions) -> &'static Manifest {
    static MANIFEST: OnceLock<Manifest> = OnceLock::new();
    MANIFEST.get_or_init(|| {
        let hashes = if options.hash_files {
            let beside_binary = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
            beside_binary
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let path = std::path::Path::new(options.site_root.as_ref())
            .join(options.site_pkg_dir.as_ref())
            .join(manifest_name(&hashes));
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Manifest::new();
        };
        serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::error!(path = %path.display(), "unreadable split manifest: {e}");
            Manifest::new()
        })
    })
}

/// The manifest's file name, from the build's file of hashes (`manifest: <hash>` among its
/// `kind: hash` lines; empty without hashed names).
fn manifest_name(hashes: &str) -> String {
    hashes
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(kind, _)| kind.trim() == "manifest")
        .map(|(_, hash)| format!("__wasm_split_manifest.{}.json", hash.trim()))
        .unwrap_or_else(|| "__wasm_split_manifest.json".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        serde_json::from_str(
            r#"{"admin": ["chunk_3", "split_admin"], "reports": ["chunk_3", "split_reports"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_page_in_a_split_module_preloads_its_files_for_whoever_may_open_it() {
        let m = manifest();
        assert_eq!(
            preloads(&m, "pkg", "/admin/users/7", Some(Role::Admin)),
            ["/pkg/chunk_3.wasm", "/pkg/split_admin.wasm"]
        );
        assert_eq!(
            preloads(&m, "pkg", "/reports", Some(Role::Lead)),
            ["/pkg/chunk_3.wasm", "/pkg/split_reports.wasm"]
        );
    }

    #[test]
    fn the_manifest_is_found_by_its_hashed_name_when_the_build_hashed_names() {
        let hashes = "js: aaa\nwasm: bbb\ncss: ccc\nmanifest: pQ3x-Z_0abcdefghijklmA\nsplit: ddd\n";
        assert_eq!(
            manifest_name(hashes),
            "__wasm_split_manifest.pQ3x-Z_0abcdefghijklmA.json"
        );
        assert_eq!(manifest_name(""), "__wasm_split_manifest.json");
        assert_eq!(manifest_name("js: aaa\n"), "__wasm_split_manifest.json");
    }

    #[test]
    fn nothing_is_preloaded_for_other_pages_other_people_or_builds_without_split_modules() {
        let m = manifest();
        assert!(preloads(&m, "pkg", "/queue", Some(Role::Admin)).is_empty());
        assert!(preloads(&m, "pkg", "/admin", Some(Role::Analyst)).is_empty());
        assert!(preloads(&m, "pkg", "/reports", Some(Role::Client)).is_empty());
        assert!(preloads(&m, "pkg", "/admin", None).is_empty());
        assert!(preloads(&Manifest::new(), "pkg", "/admin", Some(Role::Admin)).is_empty());
    }
}
