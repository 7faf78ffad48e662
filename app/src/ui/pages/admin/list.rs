//! The list part of an administration page.

use crate::model::admin::{AuditPage, HeldPage};
use crate::model::AppError;
use crate::ui::components::{EmptyState, ErrorNotice, Loading};
use crate::ui::resource::{Loadable, Loaded};
use leptos::prelude::*;

/// What a list says while it loads, and when it has nothing in it.
#[derive(Clone, Copy)]
pub(super) struct ListText {
    pub loading: &'static str,
    pub empty: &'static str,
    pub hint: &'static str,
}

/// What a list page loads: rows, which may be none.
pub(super) trait Rows {
    fn is_empty(&self) -> bool;
}

impl<T> Rows for Vec<T> {
    fn is_empty(&self) -> bool {
        <[T]>::is_empty(self)
    }
}

impl Rows for AuditPage {
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Empty when nothing at all is held (a kind with none is shown as such, with the others).
impl Rows for HeldPage {
    fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// A list of `rows`, shown by `show` once loaded; while loading, when there are none, and when
/// they cannot be loaded, the list says so.
pub(super) fn admin_list<T>(
    text: ListText,
    rows: Loaded<Result<T, AppError>>,
    show: impl Fn(T) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Rows,
    Result<T, AppError>: Loadable,
{
    view! {
        <Transition fallback=move || view! { <Loading what=text.loading /> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => nothing_yet(text),
                        Ok(rows) => show(rows),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// An empty list (not generic: one copy serves every list).
fn nothing_yet(text: ListText) -> AnyView {
    view! { <EmptyState title=text.empty hint=text.hint /> }.into_any()
}
