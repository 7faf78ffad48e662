//! One component per action on a ticket, each with the fields it needs. Each sends the version
//! of the ticket the page shows (see [`super::actions`]).

use super::actions::TicketActionSet;
use crate::api::oncall::AckTicketPages;
use crate::api::tickets::{
    AssignTicket, ChangeTicketTier, ClaimTicket, CloseTicket, DecideApproval, HandOverTicket,
    RateTicket, ReopenTicket, ResolveTicket, ResumeTicket, SetTicketCategory, SetTicketFlags,
    SetTicketPending, SetTicketPriority,
};
use crate::model::portal::{Decision, Rating};
use crate::model::ticket_detail::Category;
use crate::model::{PendingReason, Priority, UserRef};
use crate::ui::fields::{choice, CheckBox, Choice, Select, TextArea};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The ticket an action applies to, as the page shows it, and the page's actions.
#[derive(Clone, Copy)]
pub struct OnTicket {
    pub number: i64,
    pub version: i64,
    pub set: TicketActionSet,
}

impl OnTicket {
    /// True while any action is on its way (every button waits for it).
    fn busy(self) -> bool {
        self.set.busy()
    }
}

/// What was typed, or nothing if it is blank.
fn optional(text: RwSignal<String>) -> Option<String> {
    Some(text.get_untracked()).filter(|t| !t.trim().is_empty())
}

/// A text area with its label.
#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <TextArea value={value} {..} id=id rows="3" required=required />
        </div>
    }
}

/// An action behind a `<details>`: its summary, and a form sent by `submit`.
fn folded(
    summary: &'static str,
    submit: impl Fn(SubmitEvent) + 'static,
    fields: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <details class="action">
            <summary>{summary}</summary>
            <form on:submit=move |e| {
                e.prevent_default();
                submit(e);
            }>{fields}</form>
        </details>
    }
}

#[component]
pub fn AckPageButton(on: OnTicket) -> impl IntoView {
    let number = on.number;
    view! {
        <button class="btn btn-primary btn-block page-ack" disabled=move || on.busy()
            on:click=move |_| { on.set.ack_page.dispatch(AckTicketPages { number }); }>
            "Acknowledge the on-call page"
        </button>
    }
}

/// The requester's decision on a budget or an approval the ticket waits for.
#[component]
pub fn DecisionForm(on: OnTicket, what: &'static str) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let decide = move |decision: Decision| {
        on.set.decide.dispatch(DecideApproval {
            number: on.number,
            version: on.version,
            decision,
            comment: optional(comment),
        });
    };
    view! {
        <div class="decision" role="group" aria-labelledby="decision-title">
            <h3 id="decision-title">{what}": your decision"</h3>
            <TextField id="decision-comment" label="Comment (needed to decline)" value=comment />
            <div class="button-row">
                <button type="button" class="btn btn-primary" disabled=move || on.busy()
                    on:click=move |_| decide(Decision::Approve)>"Approve"</button>
                <button type="button" class="btn" disabled=move || on.busy()
                    on:click=move |_| decide(Decision::Decline)>"Decline"</button>
            </div>
        </div>
    }
}

#[component]
pub fn RatingForm(on: OnTicket) -> impl IntoView {
    let stars = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    view! {
        <form class="rating-form" on:submit=move |e| {
            e.prevent_default();
            on.set.rate.dispatch(RateTicket {
                number: on.number,
                version: on.version,
                stars: i64::from(stars.get_untracked()),
                comment: optional(comment),
            });
        }>
            <fieldset>
                <legend>"How did we do?"</legend>
                <div class="stars">
                    {(1..=5u8).rev().map(|n| view! {
                        <label class="check">
                            <input type="radio" name="stars" value=n.to_string() required
                                on:change=move |_| stars.set(n) />
                            {format!(" {n} – {}", Rating::label(n))}
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <TextField id="rating-comment" label="Anything to add? (optional)" value=comment />
            <button type="submit" class="btn btn-primary" disabled=move || on.busy()>"Send rating"</button>
        </form>
    }
}

/// A change made with one click, nothing to fill in.
fn one_click(
    on: OnTicket,
    class: &'static str,
    label: &'static str,
    send: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <button class=class disabled=move || on.busy() on:click=move |_| send()>
            {label}
        </button>
    }
}

#[component]
pub fn ClaimButton(on: OnTicket) -> impl IntoView {
    let (number, version) = (on.number, on.version);
    one_click(
        on,
        "btn btn-primary btn-block",
        "Claim this ticket",
        move || {
            on.set.claim.dispatch(ClaimTicket { number, version });
        },
    )
}

#[component]
pub fn ResumeButton(on: OnTicket) -> impl IntoView {
    let (number, version) = (on.number, on.version);
    one_click(
        on,
        "btn btn-block",
        "Resume work (leave pending)",
        move || {
            on.set.resume.dispatch(ResumeTicket { number, version });
        },
    )
}

#[component]
pub fn CloseButton(on: OnTicket) -> impl IntoView {
    let (number, version) = (on.number, on.version);
    one_click(on, "btn btn-block", "Confirm and close", move || {
        on.set.close.dispatch(CloseTicket { number, version });
    })
}

#[component]
pub fn ResolveForm(on: OnTicket) -> impl IntoView {
    let resolution = RwSignal::new(String::new());
    let submit = move |_| {
        on.set.resolve.dispatch(ResolveTicket {
            number: on.number,
            version: on.version,
            resolution: resolution.get_untracked(),
        });
    };
    folded(
        "Resolve…",
        submit,
        view! {
            <TextField id="resolution" label="Resolution (the requester sees this)" value=resolution required=true />
            <button type="submit" class="btn btn-primary" disabled=move || on.busy()>"Resolve"</button>
        },
    )
}

#[component]
pub fn ReopenForm(on: OnTicket) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let submit = move |_| {
        on.set.reopen.dispatch(ReopenTicket {
            number: on.number,
            version: on.version,
            reason: optional(reason),
        });
    };
    folded(
        "Reopen…",
        submit,
        view! {
            <TextField id="reopen-reason" label="What is still wrong?" value=reason />
            <button type="submit" class="btn" disabled=move || on.busy()>"Reopen"</button>
        },
    )
}

/// The colleagues a ticket may go to, as a select's options.
fn colleague_choices(colleagues: &[UserRef]) -> Vec<Choice> {
    colleagues
        .iter()
        .map(|u| choice(u.id.to_string(), u.name.clone()))
        .collect()
}

#[component]
pub fn AssignForm(on: OnTicket, colleagues: Vec<UserRef>) -> impl IntoView {
    let assignee = RwSignal::new(String::new());
    let submit = move |_| {
        on.set.assign.dispatch(AssignTicket {
            number: on.number,
            version: on.version,
            assignee_id: assignee.get_untracked().parse().unwrap_or(0),
        });
    };
    folded(
        "Assign…",
        submit,
        view! {
            <div class="field">
                <label for="assignee">"Assign to"</label>
                <Select value={assignee} prompt="Choose a person" options={colleague_choices(&colleagues)} {..} id="assignee" required=true />
            </div>
            <button type="submit" class="btn" disabled=move || on.busy()>"Assign"</button>
        },
    )
}

#[component]
pub fn HandOffForm(on: OnTicket, colleagues: Vec<UserRef>) -> impl IntoView {
    let to = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let submit = move |_| {
        on.set.hand_off.dispatch(HandOverTicket {
            number: on.number,
            version: on.version,
            to_user_id: to.get_untracked().parse().ok(),
            note: note.get_untracked(),
        });
    };
    let mut options = vec![choice("next", "The next shift (back to the queue)")];
    options.extend(colleague_choices(&colleagues));
    folded(
        "Hand off…",
        submit,
        view! {
            <div class="field">
                <label for="hand-to">"Hand to"</label>
                <Select value={to} prompt="Choose a colleague" options {..} id="hand-to" required=true />
            </div>
            <TextField id="hand-note" label="Hand-off note (where it stands, what is next)" value=note required=true />
            <button type="submit" class="btn" disabled=move || on.busy()>"Hand off"</button>
        },
    )
}

/// What a change of tier says: up (escalate) or down (return to a lower tier).
#[derive(Clone, Copy)]
pub struct TierMove {
    pub summary: &'static str,
    pub tier_id: &'static str,
    pub reason_id: &'static str,
    pub reason: &'static str,
    pub button: &'static str,
}

pub const ESCALATE: TierMove = TierMove {
    summary: "Escalate…",
    tier_id: "escalate-tier",
    reason_id: "escalate-reason",
    reason: "Why it needs a senior",
    button: "Escalate",
};

pub const RETURN: TierMove = TierMove {
    summary: "Return to a lower tier…",
    tier_id: "deescalate-tier",
    reason_id: "deescalate-reason",
    reason: "Reason",
    button: "Return",
};

/// Moves the ticket to one of `tiers`; `first` is chosen to begin with.
#[component]
pub fn TierForm(on: OnTicket, how: TierMove, tiers: Vec<u8>, first: u8) -> impl IntoView {
    let tier = RwSignal::new(first.to_string());
    let reason = RwSignal::new(String::new());
    let submit = move |_| {
        on.set.tier.dispatch(ChangeTicketTier {
            number: on.number,
            version: on.version,
            tier: tier.get_untracked().parse().unwrap_or(first),
            reason: reason.get_untracked(),
        });
    };
    let options = tiers
        .iter()
        .map(|t| choice(t.to_string(), format!("Tier {t}")))
        .collect::<Vec<_>>();
    folded(
        how.summary,
        submit,
        view! {
            <div class="field">
                <label for=how.tier_id>"To tier"</label>
                <Select value={tier} options {..} id=how.tier_id />
            </div>
            <TextField id=how.reason_id label=how.reason value=reason required=true />
            <button type="submit" class="btn" disabled=move || on.busy()>{how.button}</button>
        },
    )
}

#[component]
pub fn PendingForm(on: OnTicket) -> impl IntoView {
    let reason = RwSignal::new(PendingReason::Customer.as_str().to_string());
    let note = RwSignal::new(String::new());
    let submit = move |_| {
        on.set.pending.dispatch(SetTicketPending {
            number: on.number,
            version: on.version,
            reason: reason
                .get_untracked()
                .parse()
                .unwrap_or(PendingReason::Customer),
            note: optional(note),
        });
    };
    let reasons = PendingReason::ALL
        .iter()
        .map(|r| choice(r.as_str(), r.label()))
        .collect::<Vec<_>>();
    folded(
        "Set pending…",
        submit,
        view! {
            <div class="field">
                <label for="pending-reason">"Waiting on"</label>
                <Select value={reason} options={reasons} {..} id="pending-reason" />
            </div>
            <TextField id="pending-note" label="Message to the requester (optional)" value=note />
            <button type="submit" class="btn" disabled=move || on.busy()>"Set pending"</button>
        },
    )
}

#[component]
pub fn PriorityForm(on: OnTicket, priority: Priority) -> impl IntoView {
    let chosen = RwSignal::new(priority.as_str().to_string());
    let options = Priority::ALL
        .iter()
        .map(|p| choice(p.as_str(), p.label()))
        .collect::<Vec<_>>();
    view! {
        <form class="inline-form" on:submit=move |e| {
            e.prevent_default();
            let priority = chosen.get_untracked().parse().unwrap_or(Priority::P3);
            on.set.priority.dispatch(SetTicketPriority { number: on.number, version: on.version, priority });
        }>
            <label for="priority">"Priority"</label>
            <Select value={chosen} options {..} id="priority" />
            <button type="submit" class="btn btn-small" disabled=move || on.busy()>"Set"</button>
        </form>
    }
}

#[component]
pub fn CategoryForm(
    on: OnTicket,
    current: Option<i64>,
    categories: Vec<Category>,
) -> impl IntoView {
    let chosen = RwSignal::new(current.map(|id| id.to_string()).unwrap_or_default());
    let options = categories
        .iter()
        .map(|c| choice(c.id.to_string(), c.name.clone()))
        .collect::<Vec<_>>();
    view! {
        <form class="inline-form" on:submit=move |e| {
            e.prevent_default();
            let category_id = chosen.get_untracked().parse().unwrap_or(0);
            on.set.category.dispatch(SetTicketCategory { number: on.number, version: on.version, category_id });
        }>
            <label for="category">"Category"</label>
            <Select value={chosen} prompt="None" options {..} id="category" />
            <button type="submit" class="btn btn-small" disabled=move || on.busy()>"Set"</button>
        </form>
    }
}

#[component]
pub fn FlagsForm(on: OnTicket, budget: bool, approval: bool) -> impl IntoView {
    let budget = RwSignal::new(budget);
    let approval = RwSignal::new(approval);
    view! {
        <form class="flags-form" on:submit=move |e| {
            e.prevent_default();
            on.set.flags.dispatch(SetTicketFlags {
                number: on.number,
                version: on.version,
                budget: budget.get_untracked(),
                approval: approval.get_untracked(),
            });
        }>
            <fieldset>
                <legend>"Flags"</legend>
                <label class="check"><CheckBox checked=budget />" Requires budget"</label>
                <label class="check"><CheckBox checked=approval />" Requires additional approval"</label>
            </fieldset>
            <button type="submit" class="btn btn-small" disabled=move || on.busy()>"Save flags"</button>
        </form>
    }
}
