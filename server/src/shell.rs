//! The HTML document around the app, as the server writes it for every page: the page's
//! Content-Security-Policy, the stylesheet and the app's files (by their hashed names in a
//! release build), preload links for a split module the page needs, the two inline scripts with
//! the page's nonce, and who is signed in, for the pages to read from context.

use app::backend::{csp, request, split_modules};
use app::model::user::SignedIn;
use app::ui::{App, BROKEN_PAGE, EARLY_INPUT};
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags};

/// What every page rendered on the server is given beside the request.
pub fn page_context() {
    provide_context(SignedIn(request::current_user()));
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    csp::send_page_policy(&options);
    let preloads = split_modules::for_this_page(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.ico" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                {preloads
                    .into_iter()
                    .map(|href| {
                        view! {
                            <link
                                rel="preload"
                                href=href
                                r#as="fetch"
                                r#type="application/wasm"
                                crossorigin="anonymous"
                            />
                        }
                    })
                    .collect_view()}
                <script nonce=leptos::nonce::use_nonce() inner_html=EARLY_INPUT></script>
                <script nonce=leptos::nonce::use_nonce() inner_html=BROKEN_PAGE></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}
