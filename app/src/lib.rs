//! Frontline: a help desk for IT support teams.
//!
//! - [`model`]: domain types and pure logic, shared by the server and the browser.
//! - [`api`]: the server functions (the thin API between the two).
//! - [`backend`]: server-only code (feature `ssr`): data access, sessions, policy, workers.
//! - [`ui`]: pages and components, rendered on the server and hydrated in the browser.
//!
//! Browser-only code is behind the `hydrate` feature in [`ui::browser`]; server-only code is
//! behind `ssr` in [`backend`].

#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod model;
pub mod ui;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Hydrates asynchronously: a page whose code is in a module loaded on first use (ui/lazy.rs)
    // hydrates once that module has arrived. The document is marked hydrated after the whole page.
    wasm_bindgen_futures::spawn_local(async {
        leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), ui::App)
            .await
            .forget();
        ui::browser::mark_hydrated();
    });
}
