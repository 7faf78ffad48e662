//! The Content-Security-Policy of rendered pages: scripts only with this response's nonce (the
//! hydration scripts carry it), WebAssembly compilation allowed, nothing from other origins.

use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

pub fn page_policy(nonce: &str, options: &LeptosOptions) -> String {
    // `cargo leptos watch` reloads the page over a websocket on its own port
    let reload = if options.reload_port > 0 && cfg!(debug_assertions) {
        format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
    } else {
        String::new()
    };
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sends the page policy for the response being rendered.
pub fn send_page_policy(options: &LeptosOptions) {
    if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    {
        if let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce, options)) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
