//! A ticket's page: header with its state, the problem and the whole timeline the viewer may
//! see, a reply box, and the actions the viewer may take.

mod action_forms;
mod actions;
mod composer;
mod files;
mod timeline;

use crate::api::tickets::get_ticket;
use crate::model::portal::Rating;
use crate::model::ticket_detail::{TicketDetail, TicketView};
use crate::model::{AppError, Status, TicketNumber};
use crate::ui::components::{
    Ago, Countdown, ErrorNotice, FlagBadges, Loading, PriorityBadge, StatusBadge,
};
use crate::ui::live::{use_clock, use_live};
use crate::ui::pages::unavailable;
use crate::ui::resource::resource;
use crate::ui::use_current_user;
use actions::{ActionPanel, TicketActionSet};
use composer::Composer;
use files::Files;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use timeline::Timeline;

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let number = Memo::new(move |_| {
        params
            .read()
            .get("number")
            .and_then(|n| n.parse::<TicketNumber>().ok())
    });
    let refresh = RwSignal::new(0u32);
    // someone else's change to this ticket reloads it (the reply being typed is kept: see draft)
    let shown_version = RwSignal::new(0i64);
    let changed = use_live().for_ticket(
        Signal::derive(move || number.get().map(|n| n.0)),
        shown_version.into(),
    );
    let notice = RwSignal::new(None::<AppError>);
    let set = TicketActionSet::new(refresh, notice);
    let draft = RwSignal::new(String::new());
    // a sent reply or note empties the box (once: the page re-renders the box on every reload)
    Effect::new(move |_| {
        if matches!(set.reply.value().get(), Some(Ok(())))
            || matches!(set.note.value().get(), Some(Ok(())))
        {
            draft.set(String::new());
        }
    });
    let clock = use_clock();
    let ticket = resource(
        move || (number.get(), refresh.get(), changed.get()),
        |(number, _, _)| async move {
            match number {
                Some(n) => get_ticket(n.0).await,
                None => Err(AppError::NotFound(
                    "There is no ticket with that number.".into(),
                )),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <Loading what="Loading the ticket…" /> }>
            {move || Suspend::new(async move {
                let client_view = matches!(use_current_user().0.await, Ok(Some(me)) if me.role.is_client());
                match ticket.await {
                    Ok(view) => {
                        clock.sync(view.now);
                        shown_version.set(view.ticket.version);
                        Either::Left(view! { <TicketScreen view set notice client_view draft /> })
                    }
                    Err(error) => Either::Right(unavailable(
                        "Ticket not available",
                        error,
                        ("/", "Back to my start page"),
                    )),
                }
            })}
        </Transition>
    }
}

#[component]
fn TicketScreen(
    view: TicketView,
    set: TicketActionSet,
    notice: RwSignal<Option<AppError>>,
    client_view: bool,
    draft: RwSignal<String>,
) -> impl IntoView {
    let t = view.ticket.clone();
    let now = view.now;
    view! {
        <Title text=format!("{} {}", t.number, t.subject) />
        <header class="ticket-header">
            <p class="ticket-number-large">{t.number.to_string()}" · "{t.org_name.clone()}</p>
            <h1>{t.subject.clone()}</h1>
            <div class="badges">
                <StatusBadge status=t.status pending=t.pending_reason client=client_view />
                <PriorityBadge priority=t.priority />
                <FlagBadges budget=t.requires_budget approval=t.requires_approval />
                {t.first_contact_resolution.then(|| view! { <span class="badge badge-quiet">"Resolved on first contact"</span> })}
                <Countdown status=t.status pending=t.pending_reason due_at=t.next_due_at warn_at=t.next_warn_at long=true />
            </div>
        </header>
        {move || notice.get().map(|error| view! { <ErrorNotice error /> })}
        <div class="ticket-layout">
            <div class="ticket-main">
                <section class="card problem" aria-labelledby="problem-title">
                    <h2 id="problem-title" class="visually-hidden">"Problem"</h2>
                    <p class="muted small">
                        {t.requester.name.clone()}" · "{t.channel.label()}" · "<Ago at=t.created_at now />
                    </p>
                    <p class="problem-text">{t.problem.clone()}</p>
                </section>
                <Timeline entries=view.timeline.clone() now />
                <Files attachments=view.attachments.clone() ticket=t.number.0 may_attach=view.actions.reply_public may_keep_internal=view.actions.note_internal set notice />
                <Composer ticket=t.clone() actions=view.actions.clone() set body=draft />
            </div>
            <aside class="ticket-side" aria-label="Ticket details and actions">
                <ActionPanel view=view.clone() set />
                {(!client_view && matches!(t.status, Status::Resolved | Status::Closed)).then(|| view! {
                    <a class="btn btn-block" href=format!("/kb/new?from={}", t.number)>"Publish the solution as an article"</a>
                })}
                {view.rating.clone().map(|rating| view! { <RatingCard rating /> })}
                <Details ticket=t now />
            </aside>
        </div>
    }
}

#[component]
fn RatingCard(rating: Rating) -> impl IntoView {
    let stars = "★".repeat(rating.stars as usize) + &"☆".repeat(5 - rating.stars as usize);
    view! {
        <section class="card rating" aria-labelledby="rating-title">
            <h2 id="rating-title">"Rating"</h2>
            <p>
                <span class="stars" aria-hidden="true">{stars}</span>" "
                <strong>{format!("{} of 5, {}", rating.stars, Rating::label(rating.stars).to_lowercase())}</strong>
            </p>
            {rating.comment.map(|c| view! { <p class="muted">{c}</p> })}
        </section>
    }
}

#[component]
fn Details(ticket: TicketDetail, now: i64) -> impl IntoView {
    let t = ticket;
    let r = t.requester.clone();
    let line = |label: &'static str, value: Option<String>| {
        value.map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
    };
    view! {
        <section class="card details" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <dl>
                <dt>"Requester"</dt>
                <dd>
                    <strong>{r.name.clone()}</strong>
                    <div class="muted small">{[r.job_title.clone(), r.department.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ")}</div>
                    <div class="muted small">{r.location.clone()}</div>
                    <div class="small"><a href=format!("mailto:{}", r.email)>{r.email.clone()}</a></div>
                    {r.phone.clone().map(|p| view! { <div class="small">{p}</div> })}
                </dd>
                <dt>"Client"</dt><dd>{t.org_name.clone()}" ("{t.org_code.clone()}")"</dd>
                <dt>"Assignee"</dt><dd>{t.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "Unassigned".into())}</dd>
                <dt>"Tier"</dt><dd>{format!("Tier {}", t.tier)}{t.team.clone().map(|team| format!(" · Team {team}"))}</dd>
                {line("Category", t.category.as_ref().map(|c| c.name.clone()))}
                <dt>"Urgency"</dt><dd>{t.urgency.label()}</dd>
                <dt>"Channel"</dt><dd>{t.channel.label()}{(t.created_by.id != t.requester.id).then(|| format!(", logged by {}", t.created_by.name))}</dd>
                <dt>"Raised"</dt><dd><Ago at=t.created_at now /></dd>
                <dt>"Respond by"</dt><dd><Ago at=t.response_due_at now />{t.first_response_at.map(|_| " (met)")}</dd>
                <dt>"Resolve by"</dt><dd><Ago at=t.resolution_due_at now /></dd>
                {t.resolved_at.map(|at| view! { <dt>"Resolved"</dt><dd><Ago at now /></dd> })}
                {t.closed_at.map(|at| view! { <dt>"Closed"</dt><dd><Ago at now /></dd> })}
            </dl>
        </section>
    }
}
