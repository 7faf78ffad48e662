//! Raising a ticket. A client fills in three things: who (themselves), how urgent, and the
//! problem. Staff logging a call also find the requester, say how it came in, and can resolve it
//! on the spot.

use super::kb::suggested_articles;
use crate::api::kb::DeflectRequest;
use crate::api::tickets::{find_requesters, RaiseTicket};
use crate::model::ticket::{subject_from_problem, NewTicket};
use crate::model::{Channel, Me, Priority, Urgency};
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, CheckBox, Select, TextArea, TextInput};
use crate::ui::resource::resource;
use crate::ui::use_current_user;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let me = use_current_user().0;
    view! {
        <Title text="New request" />
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => Either::Left(view! { <NewTicketForm me /> }),
                    _ => Either::Right(()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewTicketForm(me: Me) -> impl IntoView {
    let staff = me.role.works_tickets();
    let raise = ServerCall::<RaiseTicket>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(number)) = raise.value().get() {
            navigate(&format!("/tickets/{number}"), Default::default());
        }
    });

    let urgency = RwSignal::new(String::new());
    // a choice made before the page became interactive is in the DOM but not in the signal
    let urgent_input = NodeRef::<leptos::html::Input>::new();
    let not_urgent_input = NodeRef::<leptos::html::Input>::new();
    let chosen_urgency = move || {
        urgency.get_untracked().parse::<Urgency>().ok().or_else(|| {
            let checked = |input: NodeRef<leptos::html::Input>| {
                input.get_untracked().is_some_and(|i| i.checked())
            };
            if checked(urgent_input) {
                Some(Urgency::Urgent)
            } else if checked(not_urgent_input) {
                Some(Urgency::NotUrgent)
            } else {
                None
            }
        })
    };
    let problem = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let channel = RwSignal::new(Channel::Phone.as_str().to_string());
    let priority = RwSignal::new(String::new());
    let resolved_now = RwSignal::new(false);
    let resolution = RwSignal::new(String::new());
    let needs_budget = RwSignal::new(false);
    let needs_approval = RwSignal::new(false);
    let requester = RwSignal::new(None::<(i64, String)>);
    let derived_subject = move || subject_from_problem(&problem.read());
    let deflect = ServerCall::<DeflectRequest>::new();

    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let ticket = NewTicket {
            requester_id: requester.get_untracked().map(|(id, _)| id),
            urgency: chosen_urgency(),
            problem: problem.get_untracked(),
            subject: Some(subject.get_untracked()).filter(|s| !s.trim().is_empty()),
            channel: staff
                .then(|| channel.get_untracked().parse::<Channel>().ok())
                .flatten(),
            priority: staff
                .then(|| priority.get_untracked().parse::<Priority>().ok())
                .flatten(),
            category_id: None,
            resolution: (staff && resolved_now.get_untracked()).then(|| resolution.get_untracked()),
            requires_budget: needs_budget.get_untracked(),
            requires_approval: needs_approval.get_untracked(),
        };
        let check = ticket
            .validate()
            .and_then(|valid| match ticket.requester_id {
                None if staff => Err("Choose who the ticket is for.".to_owned()),
                _ => Ok(valid),
            });
        raise.send_checked(check, || RaiseTicket { ticket });
    };

    let solved = move || matches!(deflect.value().get(), Some(Ok(())));
    view! {
        <Show when=solved>
            <section class="card notice-success" role="status">
                <h2>"Glad that solved it."</h2>
                <p>"No request was raised. If the problem comes back, raise one here at any time."</p>
                <a class="btn" href="/portal">"Back to my requests"</a>
            </section>
        </Show>
        <div hidden=solved>
        <PageHeader
            title=if staff { "New ticket" } else { "Raise a request" }
            subtitle=if staff { "Log a call or raise a ticket for a client." } else { "Tell us what is wrong; we take it from there." }
        />
        <form class="card new-ticket" on:submit=submit>
            {move || raise.refusal().map(|error| view! { <ErrorNotice error /> })}
            {if staff {
                Either::Left(view! { <RequesterPicker requester /> })
            } else {
                Either::Right(view! {
                    <div class="field">
                        <span class="label">"Name"</span>
                        <p class="readonly">{me.name.clone()}{me.org_name.clone().map(|o| format!(", {o}"))}</p>
                    </div>
                })
            }}
            <fieldset class="field radio-group">
                <legend>"How urgent is it?"</legend>
                <label class="check">
                    <input type="radio" name="urgency" value="urgent" required node_ref=urgent_input
                        on:change=move |_| urgency.set("urgent".into()) />
                    " Urgent: work is stopped"
                </label>
                <label class="check">
                    <input type="radio" name="urgency" value="not_urgent" node_ref=not_urgent_input
                        on:change=move |_| urgency.set("not_urgent".into()) />
                    " Not urgent: I can keep working"
                </label>
            </fieldset>
            <div class="field">
                <label for="problem">"What is the problem?"</label>
                <TextArea value={problem} {..} id="problem" rows="7" required=true
                    placeholder="What happened, since when, and what you have tried. The first line becomes the subject." />
            </div>
            <Suggestions problem deflect=(!staff).then_some(deflect) />
            <div class="field">
                <label for="subject">"Subject"</label>
                <TextInput value={subject} {..} id="subject" type="text" maxlength="200" placeholder=derived_subject />
                <span class="muted small">"Leave empty to use the first line of the problem."</span>
            </div>
            <fieldset class="field">
                <legend>"Good to know up front"</legend>
                <label class="check"><CheckBox checked=needs_budget />" This will need budget"</label>
                <label class="check"><CheckBox checked=needs_approval />" This needs someone's approval"</label>
            </fieldset>
            {staff.then(|| view! {
                <div class="field-row">
                    <div class="field">
                        <label for="channel">"Came in by"</label>
                        <Select value={channel} options={vec![choice("phone", "Phone"), choice("email", "E-mail"), choice("web", "Web")]}
                            {..} id="channel" />
                    </div>
                    <div class="field">
                        <label for="new-priority">"Priority"</label>
                        <Select value={priority} prompt="From urgency (P2 or P3)"
                            options={Priority::ALL.iter().map(|p| choice(p.as_str(), p.label())).collect()} {..} id="new-priority" />
                    </div>
                </div>
                <label class="check">
                    <CheckBox checked=resolved_now />
                    " Resolved on this call (first-contact resolution)"
                </label>
                <Show when=move || resolved_now.get()>
                    <div class="field">
                        <label for="resolution">"How it was resolved"</label>
                        <TextArea value={resolution} {..} id="resolution" rows="3" required=true />
                    </div>
                </Show>
            })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || raise.pending().get()>
                    {move || if raise.pending().get() { "Sending…" } else if staff { "Create ticket" } else { "Send request" }}
                </button>
            </div>
        </form>
        </div>
    }
}

/// Knowledge articles that match the problem as it is typed. A client may say one solved it:
/// the request is then counted as deflected and no ticket is raised.
#[component]
fn Suggestions(
    problem: RwSignal<String>,
    deflect: Option<ServerCall<DeflectRequest>>,
) -> impl IntoView {
    let found = suggested_articles(problem, 350);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let articles = found.await.unwrap_or_default();
                (!articles.is_empty()).then(|| view! {
                    <aside class="suggestions" aria-labelledby="suggestions-title" aria-live="polite">
                        <h2 id="suggestions-title">"These articles may answer it"</h2>
                        <ul>
                            {articles.into_iter().map(|a| {
                                let id = a.id;
                                view! {
                                    <li>
                                        <a href=format!("/kb/{id}") target="_blank">{a.title.clone()}</a>
                                        <p class="muted small snippet" inner_html=a.snippet_html.clone()></p>
                                        {deflect.map(|action| view! {
                                            <button type="button" class="btn btn-small"
                                                on:click=move |_| { action.dispatch(DeflectRequest { id }); }>
                                                "This solved it"
                                            </button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </aside>
                })
            })}
        </Transition>
    }
}

/// Finds the client a ticket is for, by name or e-mail.
#[component]
fn RequesterPicker(requester: RwSignal<Option<(i64, String)>>) -> impl IntoView {
    let term = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let results = resource(
        move || search.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(Vec::new())
            } else {
                find_requesters(q).await
            }
        },
    );
    let find = move || search.set(term.get_untracked());
    view! {
        <fieldset class="field requester-picker">
            <legend>"Requester"</legend>
            {move || requester.get().map(|(_, label)| view! {
                <p class="chosen" role="status">
                    <strong>{label}</strong>" "
                    <button type="button" class="btn btn-small btn-quiet" on:click=move |_| requester.set(None)>"Change"</button>
                </p>
            })}
            <Show when=move || requester.get().is_none()>
                <div class="input-with-button">
                    <label for="requester-search" class="visually-hidden">"Find the requester by name or e-mail"</label>
                    <TextInput value={term} {..} id="requester-search" type="search" placeholder="Name or e-mail"
                        on:keydown=move |e| if e.key() == "Enter" { e.prevent_default(); find(); } />
                    <button type="button" class="btn" on:click=move |_| find()>"Find"</button>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match results.await {
                            Ok(list) if list.is_empty() && !search.get_untracked().trim().is_empty() => {
                                Either::Left(view! { <p class="muted">"Nobody you serve matches that."</p> }.into_any())
                            }
                            Ok(list) => Either::Left(view! {
                                <ul class="requester-results">
                                    {list.into_iter().map(|r| {
                                        let label = format!("{} ({}), {}", r.name, r.email, r.org_name);
                                        let chosen = (r.id, label.clone());
                                        view! {
                                            <li><button type="button" class="btn btn-quiet"
                                                on:click=move |_| requester.set(Some(chosen.clone()))>{label}</button></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()),
                            Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                        }
                    })}
                </Transition>
            </Show>
        </fieldset>
    }
}
