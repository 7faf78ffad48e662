use crate::model::{AppError, Page};
use crate::ui::components::{ErrorNotice, PageHeader};
use crate::ui::set_http_status;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ForbiddenPage(page: Page) -> impl IntoView {
    view! {
        <Title text="No access" />
        <section class="error-page" aria-labelledby="error-title">
            <p class="error-code">"403"</p>
            <h1 id="error-title">"You do not have access to this page"</h1>
            <p class="muted">
                {format!("The {} is for other roles. ", page.title().to_lowercase())}
                "If you think you should see it, ask your help desk administrator."
            </p>
            <a class="btn btn-primary" href="/">"Go to my start page"</a>
        </section>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_http_status(404);
    view! {
        <Title text="Not found" />
        <main id="main" class="content">
            <section class="error-page" aria-labelledby="error-title">
                <p class="error-code">"404"</p>
                <PageHeader title="This page does not exist" subtitle="The link may be mistyped, or the page has moved." />
                <a class="btn btn-primary" href="/">"Go to my start page"</a>
            </section>
        </main>
    }
}

/// A page that could not load what it shows: the refusal with its HTTP status, and a way back
/// (not generic: one copy serves every page).
pub fn unavailable(
    title: &'static str,
    error: AppError,
    back: (&'static str, &'static str),
) -> AnyView {
    set_http_status(error.status());
    let (href, label) = back;
    view! {
        <Title text=title />
        <section class="error-page">
            <ErrorNotice error />
            <a class="btn" href=href>{label}</a>
        </section>
    }
    .into_any()
}
