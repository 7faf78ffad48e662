//! Problems, on the reports page: recurring problems (alike tickets of the last two weeks) that a
//! lead or manager records as a problem, and the problem records with their tickets.

use crate::api::problems::{get_problems, RecordProblem};
use crate::api::reports::get_recurring_problems;
use crate::model::problems::{NewProblem, Problem, ProblemList};
use crate::model::reports::{ProblemGroup, RECURRING_WINDOW_DAYS};
use crate::model::time::format_utc;
use crate::model::TicketNumber;
use crate::ui::action::ServerCall;
use crate::ui::components::{EmptyState, ErrorNotice, Loading};
use crate::ui::fields::{TextArea, TextInput};
use crate::ui::resource::resource;
use leptos::prelude::*;

/// Recurring groups listed, largest first.
const SHOWN_GROUPS: usize = 12;

/// The recurring problems, then the problem records.
#[component]
pub fn ProblemsSection() -> impl IntoView {
    let groups = resource(|| (), |_| get_recurring_problems());
    let record = ServerCall::<RecordProblem>::new();
    // a new record shows up in the list as soon as it is written
    let records = resource(move || record.version().get(), |_| get_problems());
    view! {
        <Transition fallback=|| view! { <Loading what="Looking for recurring problems…" /> }>
            {move || Suspend::new(async move {
                // whether the viewer may record problems is the server's answer, not a guess
                let may_record = records.await.is_ok_and(|list| list.may_record);
                match groups.await {
                    Ok(groups) => view! { <RecurringProblems groups record may_record /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <Loading what="Loading the problem records…" /> }>
            {move || Suspend::new(async move {
                match records.await {
                    Ok(list) => view! { <ProblemRecords list /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Alike tickets grouped, so that a systemic problem is seen as one problem; leads and managers
/// can record a group as a problem.
#[component]
fn RecurringProblems(
    groups: Vec<ProblemGroup>,
    record: ServerCall<RecordProblem>,
    may_record: bool,
) -> impl IntoView {
    view! {
        <section class="card" id="recurring" aria-labelledby="recurring-title">
            <h2 id="recurring-title">{format!("Recurring problems, last {RECURRING_WINDOW_DAYS} days")}</h2>
            {move || record.value().get().map(|result| match result {
                Ok(number) => view! {
                    <p class="notice notice-success" role="status">{format!("Recorded as problem {number}; each of its tickets says so in its timeline.")}</p>
                }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
            {if groups.is_empty() {
                view! { <EmptyState title="Nothing recurring." hint="Groups appear when three or more tickets of a category share a key word." /> }.into_any()
            } else {
                let more = groups.len().saturating_sub(SHOWN_GROUPS);
                view! {
                    <ul class="problem-groups">
                        {groups.into_iter().take(SHOWN_GROUPS).enumerate().map(|(i, g)| {
                            let many = g.clients.len() > 1;
                            let title = match &g.category {
                                Some(category) => format!("{category}: “{}”", g.term),
                                None => format!("“{}”", g.term),
                            };
                            let tickets: Vec<TicketNumber> = g.tickets.iter().map(|t| t.number).collect();
                            let from = if g.clients.len() > 4 {
                                format!("{} clients", g.clients.len())
                            } else {
                                g.clients.join(", ")
                            };
                            view! {
                                <li class="problem-group">
                                    <details>
                                        <summary>
                                            <strong>{format!("“{}”", g.term)}</strong>
                                            {format!(" in {}: {} tickets from {from}", g.category.clone().unwrap_or_else(|| "no category".into()), g.tickets.len())}
                                            {many.then(|| view! { " " <span class="badge badge-flag">"across clients"</span> })}
                                        </summary>
                                        <ul>
                                            {g.tickets.into_iter().map(|t| view! {
                                                <li><a href=format!("/tickets/{}", t.number)>{t.number.to_string()}" "{t.subject}</a>" "<span class="muted small">{t.org_code}</span></li>
                                            }).collect_view()}
                                        </ul>
                                        {may_record.then(|| view! { <RecordForm index=i title=title.clone() tickets=tickets.clone() record /> })}
                                    </details>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! { <p class="muted small">{format!("and {more} smaller groups")}</p> })}
                    <p class="small"><a href="/reports/recurring.csv" download>"Download the recurring problems (CSV)"</a></p>
                }.into_any()
            }}
        </section>
    }
}

/// Records one recurring group as a problem: a title (suggested from the group), a note, and the
/// group's tickets.
#[component]
fn RecordForm(
    index: usize,
    title: String,
    tickets: Vec<TicketNumber>,
    record: ServerCall<RecordProblem>,
) -> impl IntoView {
    let title = RwSignal::new(title);
    let note = RwSignal::new(String::new());
    let count = tickets.len();
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        record.dispatch(RecordProblem {
            new: NewProblem {
                title: title.get_untracked(),
                note: note.get_untracked(),
                tickets: tickets.clone(),
            },
        });
    };
    let title_id = format!("problem-title-{index}");
    let note_id = format!("problem-note-{index}");
    view! {
        <form class="record-problem" on:submit=submit>
            <div class="field">
                <label for=title_id.clone()>"Problem title"</label>
                <TextInput value={title} {..} id=title_id type="text" required=true maxlength="120" />
            </div>
            <div class="field">
                <label for=note_id.clone()>"Note (optional)"</label>
                <TextArea value={note} {..} id=note_id rows="2" maxlength="2000" />
            </div>
            <button type="submit" class="btn" disabled=move || record.pending().get()>
                {format!("Record as a problem ({count} tickets)")}
            </button>
        </form>
    }
}

/// The problem records, newest first, each with the tickets of it the viewer may see.
#[component]
fn ProblemRecords(list: ProblemList) -> impl IntoView {
    view! {
        <section class="card" id="problems" aria-labelledby="problems-title">
            <h2 id="problems-title">"Problems"</h2>
            {if list.problems.is_empty() {
                view! { <EmptyState title="No problem records yet." hint="A lead or manager can record a recurring group as one problem." /> }.into_any()
            } else {
                view! {
                    <ul class="problem-records">
                        {list.problems.into_iter().map(|p| view! { <ProblemRecord p /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ProblemRecord(p: Problem) -> impl IntoView {
    view! {
        <li class="problem-record" data-problem=p.number.to_string()>
            <h3>{format!("{} {}", p.number, p.title)}</h3>
            <p class="muted small">{format!("Recorded by {} on {}; {} tickets", p.created_by, format_utc(p.created_at), p.tickets.len())}</p>
            {(!p.note.is_empty()).then(|| view! { <p class="problem-note">{p.note.clone()}</p> })}
            <ul>
                {p.tickets.into_iter().map(|t| view! {
                    <li><a href=format!("/tickets/{}", t.number)>{t.number.to_string()}" "{t.subject}</a>" "<span class="muted small">{t.org_code}</span></li>
                }).collect_view()}
            </ul>
        </li>
    }
}
