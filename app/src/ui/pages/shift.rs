//! "My shift": start it, see what was handed to you, and end it only once every open ticket has
//! been resolved, escalated or handed over with a note.

use crate::api::shift::{get_shift, EndShift, StartShift};
use crate::api::tickets::{ChangeTicketTier, HandOverTicket, ResolveTicket};
use crate::model::queue::QueueRow;
use crate::model::shift::ShiftView;
use crate::model::ticket::Status;
use crate::model::time::format_utc;
use crate::model::{AppError, UserRef};
use crate::ui::action::ServerCall;
use crate::ui::components::{
    Ago, EmptyState, ErrorNotice, Loading, PageHeader, PriorityBadge, StatusBadge,
};
use crate::ui::fields::{self, Select, TextArea};
use crate::ui::live::use_clock;
use crate::ui::resource::resource;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ShiftPage() -> impl IntoView {
    let start = ServerCall::<StartShift>::new();
    let end = ServerCall::<EndShift>::new();
    let resolve = ServerCall::<ResolveTicket>::new();
    let escalate = ServerCall::<ChangeTicketTier>::new();
    let hand_over = ServerCall::<HandOverTicket>::new();
    let clock = use_clock();
    let shift = resource(
        move || {
            (
                start.version().get(),
                end.version().get(),
                resolve.version().get(),
                escalate.version().get(),
                hand_over.version().get(),
            )
        },
        |_| get_shift(),
    );
    let error = move || {
        [
            start.refusal(),
            end.refusal(),
            resolve.refusal(),
            escalate.refusal(),
            hand_over.refusal(),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let actions = RowActions {
        resolve,
        escalate,
        hand_over,
    };
    view! {
        <Title text="My shift" />
        <PageHeader title="My shift" subtitle="Hand every open ticket over before you leave: nothing is dropped at shift end." />
        {move || error().map(|error| view! { <ErrorNotice error /> })}
        {move || end.value().get().and_then(Result::ok).map(|summary| view! {
            <div class="notice notice-info" role="status">
                {format!(
                    "Shift ended at {}. {} ticket(s) handed over; your lead has the summary.",
                    format_utc(summary.ended_at),
                    summary.handed_over.len()
                )}
            </div>
        })}
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match shift.await {
                    Ok(view) => {
                        clock.sync(view.now);
                        Either::Left(view! { <ShiftScreen view start end actions /> })
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct RowActions {
    resolve: ServerCall<ResolveTicket>,
    escalate: ServerCall<ChangeTicketTier>,
    hand_over: ServerCall<HandOverTicket>,
}

#[component]
fn ShiftScreen(
    view: ShiftView,
    start: ServerCall<StartShift>,
    end: ServerCall<EndShift>,
    actions: RowActions,
) -> impl IntoView {
    let open_count = view.open.len();
    let now = view.now;
    view! {
        <section class="card shift-status" aria-labelledby="shift-title">
            <h2 id="shift-title">"Shift"</h2>
            {match view.started_at {
                Some(at) => Either::Left(view! {
                    <p>"Your shift started " <Ago at now />" ("{format_utc(at)}")."</p>
                    <button class="btn btn-primary" disabled={move || open_count > 0 || end.pending().get()}
                        on:click=move |_| { end.dispatch(EndShift {}); }>
                        "End my shift"
                    </button>
                    {(open_count > 0).then(|| view! {
                        <p class="muted small">{format!(
                            "You still hold {open_count} open ticket{}: resolve, escalate or hand each one over below first.",
                            if open_count == 1 { "" } else { "s" }
                        )}</p>
                    })}
                }),
                None => Either::Right(view! {
                    <p>"No shift is running."</p>
                    <button class="btn btn-primary" disabled=move || start.pending().get()
                        on:click=move |_| { start.dispatch(StartShift {}); }>
                        "Start my shift"
                    </button>
                }),
            }}
        </section>
        <section class="card" aria-labelledby="handed-title">
            <h2 id="handed-title">"Handed over to you"</h2>
            {if view.handed_to_me.is_empty() {
                Either::Left(view! { <p class="muted">"Nothing is waiting for you from the previous shift."</p> })
            } else {
                Either::Right(view! {
                    <ul class="handoffs">
                        {view.handed_to_me.into_iter().map(|h| view! {
                            <li class="handoff">
                                <a href=format!("/tickets/HD-{}", h.number)>{format!("HD-{} {}", h.number, h.subject)}</a>
                                <p class="small muted">
                                    {format!("From {} to {}", h.from, h.to.clone().unwrap_or_else(|| "the next shift".into()))}
                                    " · " <Ago at=h.at now />
                                </p>
                                <blockquote>{h.note}</blockquote>
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
        <section class="card" aria-labelledby="open-title">
            <h2 id="open-title">{format!("Your open tickets ({open_count})")}</h2>
            {if view.open.is_empty() {
                Either::Left(view! { <EmptyState title="Nothing open with you" hint="You can end your shift." /> })
            } else {
                let colleagues = view.colleagues.clone();
                Either::Right(view! {
                    <ul class="dispose-list">
                        {view.open.into_iter().map(|row| view! { <DisposeRow row colleagues=colleagues.clone() actions /> }).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}

/// One open ticket and the three ways to let go of it.
#[component]
fn DisposeRow(row: QueueRow, colleagues: Vec<UserRef>, actions: RowActions) -> impl IntoView {
    let choice = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let (number, version, tier) = (row.number.0, row.version, row.tier);
    let id = format!("dispose-{number}");
    let note_id = format!("dispose-note-{number}");
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let text = note.get_untracked();
        match choice.get_untracked().as_str() {
            "resolve" => {
                actions.resolve.dispatch(ResolveTicket {
                    number,
                    version,
                    resolution: text,
                });
            }
            "escalate" => {
                actions.escalate.dispatch(ChangeTicketTier {
                    number,
                    version,
                    tier: tier + 1,
                    reason: text,
                });
            }
            "next" => {
                actions.hand_over.dispatch(HandOverTicket {
                    number,
                    version,
                    to_user_id: None,
                    note: text,
                });
            }
            other => {
                if let Ok(to) = other.parse::<i64>() {
                    actions.hand_over.dispatch(HandOverTicket {
                        number,
                        version,
                        to_user_id: Some(to),
                        note: text,
                    });
                } else {
                    actions
                        .hand_over
                        .value()
                        .set(Some(Err(AppError::invalid(format!(
                            "Choose what to do with {}.",
                            row.number
                        )))));
                }
            }
        }
    };
    view! {
        <li class="dispose">
            <div class="dispose-ticket">
                <a href=format!("/tickets/{}", row.number)>
                    <span class="ticket-number">{row.number.to_string()}</span>" "{row.subject.clone()}
                </a>
                <div>
                    <PriorityBadge priority=row.priority />
                    <StatusBadge status=row.status pending=row.pending_reason />
                    <span class="muted small">{format!("{} · {}", row.requester, row.org_code)}</span>
                </div>
            </div>
            <form class="dispose-form" on:submit=submit>
                <div class="field">
                    <label for=id.clone()>"What happens to it"</label>
                    <Select value={choice} prompt="Choose…" options={dispositions(tier, row.status, &colleagues)} {..} id=id required=true />
                </div>
                <div class="field">
                    <label for=note_id.clone()>"Note (resolution, reason, or where it stands)"</label>
                    <TextArea value={note} {..} id=note_id rows="2" required=true />
                </div>
                <button type="submit" class="btn">"Do it"</button>
            </form>
        </li>
    }
}

/// What can happen to an open ticket at the end of a shift, as a select's options: one waiting
/// on its requester stays in its tier (the desk refuses to move it).
fn dispositions(tier: u8, status: Status, colleagues: &[UserRef]) -> Vec<fields::Choice> {
    let mut options = vec![fields::choice("resolve", "Resolve it")];
    if tier < 3 && status.is_workable() {
        options.push(fields::choice(
            "escalate",
            format!("Escalate to tier {}", tier + 1),
        ));
    }
    options.push(fields::choice("next", "Hand over to the next shift"));
    options.extend(
        colleagues
            .iter()
            .map(|c| fields::choice(c.id.to_string(), format!("Hand over to {}", c.name))),
    );
    options
}
