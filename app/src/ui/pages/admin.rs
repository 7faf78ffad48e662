use crate::ui::components::{EmptyState, PageHeader};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Administration" />
        <PageHeader title="Administration" subtitle="Organizations, users, teams, SLA policies and categories." />
        <EmptyState title="Nothing to configure yet." hint="This area is being built; see the project issues for what comes next." />
    }
}
