//! The actions a viewer may take on a ticket. Each submits the version of the ticket the page
//! shows; afterwards the page reloads the ticket, and a refusal is shown in plain words.

use crate::api::oncall::AckTicketPages;
use crate::api::tickets::{
    AddTicketNote, AssignTicket, ChangeTicketTier, ClaimTicket, CloseTicket, DecideApproval,
    HandOverTicket, RateTicket, ReopenTicket, ReplyTicket, ResolveTicket, ResumeTicket,
    SetTicketCategory, SetTicketFlags, SetTicketPending, SetTicketPriority,
};
use crate::model::portal::{Decision, Rating};
use crate::model::ticket_detail::TicketView;
use crate::model::{AppError, PendingReason, Priority};
use crate::ui::action::{CallResult, ServerCall};
use crate::ui::fields::{choice, CheckBox, Choice, Select, TextArea};
use leptos::prelude::*;

/// Every action of the ticket page, created once per page so they outlive each reload.
#[derive(Clone, Copy)]
pub struct TicketActionSet {
    pub claim: ServerCall<ClaimTicket>,
    pub assign: ServerCall<AssignTicket>,
    pub hand_off: ServerCall<HandOverTicket>,
    pub tier: ServerCall<ChangeTicketTier>,
    pub reply: ServerCall<ReplyTicket>,
    pub note: ServerCall<AddTicketNote>,
    pub priority: ServerCall<SetTicketPriority>,
    pub category: ServerCall<SetTicketCategory>,
    pub flags: ServerCall<SetTicketFlags>,
    pub pending: ServerCall<SetTicketPending>,
    pub resume: ServerCall<ResumeTicket>,
    pub resolve: ServerCall<ResolveTicket>,
    pub close: ServerCall<CloseTicket>,
    pub reopen: ServerCall<ReopenTicket>,
    pub ack_page: ServerCall<AckTicketPages>,
    pub decide: ServerCall<DecideApproval>,
    pub rate: ServerCall<RateTicket>,
    /// Reloads the ticket (after a change made outside these actions, e.g. an upload).
    pub refresh: RwSignal<u32>,
}

/// After an action: reload the ticket; on a refusal, say why (and reload too if the page was
/// stale, so it shows what changed).
/// One function for all seventeen actions (not generic over the action), so that the browser
/// gets one copy of it.
fn on_done(done: CallResult<()>, refresh: RwSignal<u32>, notice: RwSignal<Option<AppError>>) {
    Effect::new(move |_| {
        if let Some(result) = done.get() {
            match result {
                Ok(()) => {
                    notice.set(None);
                    refresh.update(|n| *n += 1);
                }
                Err(error) => {
                    let stale = matches!(error, AppError::Conflict(_));
                    notice.set(Some(error));
                    if stale {
                        refresh.update(|n| *n += 1);
                    }
                }
            }
        }
    });
}

impl TicketActionSet {
    pub fn new(refresh: RwSignal<u32>, notice: RwSignal<Option<AppError>>) -> Self {
        let set = TicketActionSet {
            claim: ServerCall::new(),
            assign: ServerCall::new(),
            hand_off: ServerCall::new(),
            tier: ServerCall::new(),
            reply: ServerCall::new(),
            note: ServerCall::new(),
            priority: ServerCall::new(),
            category: ServerCall::new(),
            flags: ServerCall::new(),
            pending: ServerCall::new(),
            resume: ServerCall::new(),
            resolve: ServerCall::new(),
            close: ServerCall::new(),
            reopen: ServerCall::new(),
            ack_page: ServerCall::new(),
            decide: ServerCall::new(),
            rate: ServerCall::new(),
            refresh,
        };
        on_done(set.claim.value(), refresh, notice);
        on_done(set.assign.value(), refresh, notice);
        on_done(set.hand_off.value(), refresh, notice);
        on_done(set.tier.value(), refresh, notice);
        on_done(set.reply.value(), refresh, notice);
        on_done(set.note.value(), refresh, notice);
        on_done(set.priority.value(), refresh, notice);
        on_done(set.category.value(), refresh, notice);
        on_done(set.flags.value(), refresh, notice);
        on_done(set.pending.value(), refresh, notice);
        on_done(set.resume.value(), refresh, notice);
        on_done(set.resolve.value(), refresh, notice);
        on_done(set.close.value(), refresh, notice);
        on_done(set.reopen.value(), refresh, notice);
        on_done(set.ack_page.value(), refresh, notice);
        on_done(set.decide.value(), refresh, notice);
        on_done(set.rate.value(), refresh, notice);
        set
    }

    /// True while any action is on its way to the server.
    pub fn busy(&self) -> bool {
        self.claim.pending().get()
            || self.assign.pending().get()
            || self.hand_off.pending().get()
            || self.tier.pending().get()
            || self.reply.pending().get()
            || self.note.pending().get()
            || self.priority.pending().get()
            || self.category.pending().get()
            || self.flags.pending().get()
            || self.pending.pending().get()
            || self.resume.pending().get()
            || self.resolve.pending().get()
            || self.close.pending().get()
            || self.reopen.pending().get()
            || self.ack_page.pending().get()
            || self.decide.pending().get()
            || self.rate.pending().get()
    }
}

/// A text area bound to a signal, with its label.
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

#[component]
pub fn ActionPanel(view: TicketView, set: TicketActionSet) -> impl IntoView {
    let t = view.ticket.clone();
    let a = view.actions.clone();
    let (number, version) = (t.number.0, t.version);
    let busy = move || set.busy();
    let page_waiting = view.page_waiting;
    let anything = page_waiting
        || a.claim
        || a.assign
        || a.hand_off
        || !a.escalate_to.is_empty()
        || !a.deescalate_to.is_empty()
        || a.set_priority
        || a.set_pending
        || a.resume
        || a.resolve
        || a.close
        || a.reopen
        || a.decide_approval
        || a.rate;
    if !anything {
        return ().into_any();
    }

    let assignee = RwSignal::new(String::new());
    let hand_to = RwSignal::new(String::new());
    let hand_note = RwSignal::new(String::new());
    let up_tier = RwSignal::new(
        a.escalate_to
            .first()
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    let down_tier = RwSignal::new(
        a.deescalate_to
            .last()
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    let tier_reason = RwSignal::new(String::new());
    let priority = RwSignal::new(t.priority.as_str().to_string());
    let category = RwSignal::new(
        t.category
            .as_ref()
            .map(|c| c.id.to_string())
            .unwrap_or_default(),
    );
    let budget = RwSignal::new(t.requires_budget);
    let approval = RwSignal::new(t.requires_approval);
    let pending_reason = RwSignal::new(PendingReason::Customer.as_str().to_string());
    let pending_note = RwSignal::new(String::new());
    let resolution = RwSignal::new(String::new());
    let reopen_reason = RwSignal::new(String::new());
    let decision_comment = RwSignal::new(String::new());
    let stars = RwSignal::new(String::new());
    let rating_comment = RwSignal::new(String::new());
    let decide = move |decision: Decision| {
        let comment = Some(decision_comment.get_untracked()).filter(|c| !c.trim().is_empty());
        set.decide.dispatch(DecideApproval {
            number,
            version,
            decision,
            comment,
        });
    };
    let id_of = |s: RwSignal<String>| s.get_untracked().parse::<i64>().unwrap_or(0);
    let colleagues = view.colleagues.clone();
    let colleague_options = move || {
        colleagues
            .iter()
            .map(|u| choice(u.id.to_string(), u.name.clone()))
            .collect::<Vec<_>>()
    };

    view! {
        <section class="card actions" aria-labelledby="actions-title">
            <h2 id="actions-title">"Actions"</h2>
            {page_waiting.then(|| view! {
                <button class="btn btn-primary btn-block page-ack" disabled=busy
                    on:click=move |_| { set.ack_page.dispatch(AckTicketPages { number }); }>
                    "Acknowledge the on-call page"
                </button>
            })}
            {a.decide_approval.then(|| view! {
                <div class="decision" role="group" aria-labelledby="decision-title">
                    <h3 id="decision-title">{t.pending_reason.map(|p| p.label()).unwrap_or("Requires approval")}": your decision"</h3>
                    <TextField id="decision-comment" label="Comment (needed to decline)" value=decision_comment />
                    <div class="button-row">
                        <button type="button" class="btn btn-primary" disabled=busy
                            on:click=move |_| decide(Decision::Approve)>"Approve"</button>
                        <button type="button" class="btn" disabled=busy
                            on:click=move |_| decide(Decision::Decline)>"Decline"</button>
                    </div>
                </div>
            })}
            {a.rate.then(|| view! {
                <form class="rating-form" on:submit=move |e| {
                    e.prevent_default();
                    let comment = Some(rating_comment.get_untracked()).filter(|c| !c.trim().is_empty());
                    let stars = stars.get_untracked().parse().unwrap_or(0);
                    set.rate.dispatch(RateTicket { number, version, stars, comment });
                }>
                    <fieldset>
                        <legend>"How did we do?"</legend>
                        <div class="stars">
                            {(1..=5u8).rev().map(|n| view! {
                                <label class="check">
                                    <input type="radio" name="stars" value=n.to_string() required
                                        on:change=move |_| stars.set(n.to_string()) />
                                    {format!(" {n} – {}", Rating::label(n))}
                                </label>
                            }).collect_view()}
                        </div>
                    </fieldset>
                    <TextField id="rating-comment" label="Anything to add? (optional)" value=rating_comment />
                    <button type="submit" class="btn btn-primary" disabled=busy>"Send rating"</button>
                </form>
            })}
            {a.claim.then(|| view! {
                <button class="btn btn-primary btn-block" disabled=busy
                    on:click=move |_| { set.claim.dispatch(ClaimTicket { number, version }); }>
                    "Claim this ticket"
                </button>
            })}
            {a.resume.then(|| view! {
                <button class="btn btn-block" disabled=busy
                    on:click=move |_| { set.resume.dispatch(ResumeTicket { number, version }); }>
                    "Resume work (leave pending)"
                </button>
            })}
            {a.resolve.then(|| view! {
                <details class="action">
                    <summary>"Resolve…"</summary>
                    <form on:submit=move |e| {
                        e.prevent_default();
                        set.resolve.dispatch(ResolveTicket { number, version, resolution: resolution.get_untracked() });
                    }>
                        <TextField id="resolution" label="Resolution (the requester sees this)" value=resolution required=true />
                        <button type="submit" class="btn btn-primary" disabled=busy>"Resolve"</button>
                    </form>
                </details>
            })}
            {a.close.then(|| view! {
                <button class="btn btn-block" disabled=busy
                    on:click=move |_| { set.close.dispatch(CloseTicket { number, version }); }>
                    "Confirm and close"
                </button>
            })}
            {a.reopen.then(|| view! {
                <details class="action">
                    <summary>"Reopen…"</summary>
                    <form on:submit=move |e| {
                        e.prevent_default();
                        let reason = Some(reopen_reason.get_untracked()).filter(|r| !r.trim().is_empty());
                        set.reopen.dispatch(ReopenTicket { number, version, reason });
                    }>
                        <TextField id="reopen-reason" label="What is still wrong?" value=reopen_reason />
                        <button type="submit" class="btn" disabled=busy>"Reopen"</button>
                    </form>
                </details>
            })}
            {a.assign.then(|| view! {
                <details class="action">
                    <summary>"Assign…"</summary>
                    <form on:submit=move |e| {
                        e.prevent_default();
                        set.assign.dispatch(AssignTicket { number, version, assignee_id: id_of(assignee) });
                    }>
                        <div class="field">
                            <label for="assignee">"Assign to"</label>
                            <Select value={assignee} prompt="Choose a person" options={colleague_options()} {..} id="assignee" required=true />
                        </div>
                        <button type="submit" class="btn" disabled=busy>"Assign"</button>
                    </form>
                </details>
            })}
            {a.hand_off.then(|| view! {
                <details class="action">
                    <summary>"Hand off…"</summary>
                    <form on:submit=move |e| {
                        e.prevent_default();
                        let to_user_id = hand_to.get_untracked().parse::<i64>().ok();
                        set.hand_off.dispatch(HandOverTicket { number, version, to_user_id, note: hand_note.get_untracked() });
                    }>
                        <div class="field">
                            <label for="hand-to">"Hand to"</label>
                            <Select value={hand_to} prompt="Choose a colleague"
                                options={std::iter::once(choice("next", "The next shift (back to the queue)")).chain(colleague_options()).collect()}
                                {..} id="hand-to" required=true />
                        </div>
                        <TextField id="hand-note" label="Hand-off note (where it stands, what is next)" value=hand_note required=true />
                        <button type="submit" class="btn" disabled=busy>"Hand off"</button>
                    </form>
                </details>
            })}
            {(!a.escalate_to.is_empty()).then(|| {
                let tiers = a.escalate_to.clone();
                view! {
                    <details class="action">
                        <summary>"Escalate…"</summary>
                        <form on:submit=move |e| {
                            e.prevent_default();
                            let tier = up_tier.get_untracked().parse().unwrap_or(2);
                            set.tier.dispatch(ChangeTicketTier { number, version, tier, reason: tier_reason.get_untracked() });
                        }>
                            <div class="field">
                                <label for="escalate-tier">"To tier"</label>
                                <Select value={up_tier} options={tier_choices(&tiers)} {..} id="escalate-tier" />
                            </div>
                            <TextField id="escalate-reason" label="Why it needs a senior" value=tier_reason required=true />
                            <button type="submit" class="btn" disabled=busy>"Escalate"</button>
                        </form>
                    </details>
                }
            })}
            {(!a.deescalate_to.is_empty()).then(|| {
                let tiers = a.deescalate_to.clone();
                view! {
                    <details class="action">
                        <summary>"Return to a lower tier…"</summary>
                        <form on:submit=move |e| {
                            e.prevent_default();
                            let tier = down_tier.get_untracked().parse().unwrap_or(1);
                            set.tier.dispatch(ChangeTicketTier { number, version, tier, reason: tier_reason.get_untracked() });
                        }>
                            <div class="field">
                                <label for="deescalate-tier">"To tier"</label>
                                <Select value={down_tier} options={tier_choices(&tiers)} {..} id="deescalate-tier" />
                            </div>
                            <TextField id="deescalate-reason" label="Reason" value=tier_reason required=true />
                            <button type="submit" class="btn" disabled=busy>"Return"</button>
                        </form>
                    </details>
                }
            })}
            {a.set_pending.then(|| view! {
                <details class="action">
                    <summary>"Set pending…"</summary>
                    <form on:submit=move |e| {
                        e.prevent_default();
                        let reason = pending_reason.get_untracked().parse().unwrap_or(PendingReason::Customer);
                        let note = Some(pending_note.get_untracked()).filter(|n| !n.trim().is_empty());
                        set.pending.dispatch(SetTicketPending { number, version, reason, note });
                    }>
                        <div class="field">
                            <label for="pending-reason">"Waiting on"</label>
                            <Select value={pending_reason} options={PendingReason::ALL.iter().map(|r| choice(r.as_str(), r.label())).collect()}
                                {..} id="pending-reason" />
                        </div>
                        <TextField id="pending-note" label="Message to the requester (optional)" value=pending_note />
                        <button type="submit" class="btn" disabled=busy>"Set pending"</button>
                    </form>
                </details>
            })}
            {a.set_priority.then(|| view! {
                <form class="inline-form" on:submit=move |e| {
                    e.prevent_default();
                    let priority = priority.get_untracked().parse().unwrap_or(Priority::P3);
                    set.priority.dispatch(SetTicketPriority { number, version, priority });
                }>
                    <label for="priority">"Priority"</label>
                    <Select value={priority} options={Priority::ALL.iter().map(|p| choice(p.as_str(), p.label())).collect()} {..} id="priority" />
                    <button type="submit" class="btn btn-small" disabled=busy>"Set"</button>
                </form>
            })}
            {a.set_category.then(|| {
                let categories = view.categories.clone();
                view! {
                    <form class="inline-form" on:submit=move |e| {
                        e.prevent_default();
                        set.category.dispatch(SetTicketCategory { number, version, category_id: id_of(category) });
                    }>
                        <label for="category">"Category"</label>
                        <Select value={category} prompt="None" options={categories.iter().map(|c| choice(c.id.to_string(), c.name.clone())).collect()}
                            {..} id="category" />
                        <button type="submit" class="btn btn-small" disabled=busy>"Set"</button>
                    </form>
                }
            })}
            {a.set_flags.then(|| view! {
                <form class="flags-form" on:submit=move |e| {
                    e.prevent_default();
                    set.flags.dispatch(SetTicketFlags { number, version, budget: budget.get_untracked(), approval: approval.get_untracked() });
                }>
                    <fieldset>
                        <legend>"Flags"</legend>
                        <label class="check"><CheckBox checked=budget />" Requires budget"</label>
                        <label class="check"><CheckBox checked=approval />" Requires additional approval"</label>
                    </fieldset>
                    <button type="submit" class="btn btn-small" disabled=busy>"Save flags"</button>
                </form>
            })}
        </section>
    }
    .into_any()
}

/// Tiers to move a ticket to, as a select's options.
fn tier_choices(tiers: &[u8]) -> Vec<Choice> {
    tiers
        .iter()
        .map(|t| choice(t.to_string(), format!("Tier {t}")))
        .collect()
}
