use crate::ui::components::{EmptyState, PageHeader};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <Title text="Reports" />
        <PageHeader title="Reports" subtitle="Trends, scorecards and recurring problems." />
        <EmptyState title="Reports appear once tickets are flowing." hint="This area is being built; see the project issues for what comes next." />
    }
}
