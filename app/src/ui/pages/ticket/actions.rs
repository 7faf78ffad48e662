//! The actions a viewer may take on a ticket: the server calls behind them, shared by the page,
//! and the panel that shows those the viewer may take (each in `action_forms`). Each submits the
//! version of the ticket the page shows; afterwards the page reloads the ticket, and a refusal
//! is shown in plain words.

use super::action_forms::{
    AckPageButton, AssignForm, CategoryForm, ClaimButton, CloseButton, DecisionForm, FlagsForm,
    HandOffForm, OnTicket, PendingForm, PriorityForm, RatingForm, ReopenForm, ResolveForm,
    ResumeButton, TierForm, ESCALATE, RETURN,
};
use crate::api::oncall::AckTicketPages;
use crate::api::tickets::{
    AddTicketNote, AssignTicket, ChangeTicketTier, ClaimTicket, CloseTicket, DecideApproval,
    HandOverTicket, RateTicket, ReopenTicket, ReplyTicket, ResolveTicket, ResumeTicket,
    SetTicketCategory, SetTicketFlags, SetTicketPending, SetTicketPriority,
};
use crate::model::ticket_detail::TicketView;
use crate::model::AppError;
use crate::ui::action::{CallResult, ServerCall};
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

/// The actions the viewer may take on the ticket, one component each.
#[component]
pub fn ActionPanel(view: TicketView, set: TicketActionSet) -> impl IntoView {
    let t = view.ticket;
    let a = view.actions;
    let on = OnTicket {
        number: t.number.0,
        version: t.version,
        set,
    };
    let anything = view.page_waiting
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
    let what = t
        .pending_reason
        .map(|p| p.label())
        .unwrap_or("Requires approval");
    let (up, down) = (a.escalate_to, a.deescalate_to);
    view! {
        <section class="card actions" aria-labelledby="actions-title">
            <h2 id="actions-title">"Actions"</h2>
            {view.page_waiting.then(|| view! { <AckPageButton on /> })}
            {a.decide_approval.then(|| view! { <DecisionForm on what /> })}
            {a.rate.then(|| view! { <RatingForm on /> })}
            {a.claim.then(|| view! { <ClaimButton on /> })}
            {a.resume.then(|| view! { <ResumeButton on /> })}
            {a.resolve.then(|| view! { <ResolveForm on /> })}
            {a.close.then(|| view! { <CloseButton on /> })}
            {a.reopen.then(|| view! { <ReopenForm on /> })}
            {a.assign.then(|| view! { <AssignForm on colleagues=view.colleagues.clone() /> })}
            {a.hand_off.then(|| view! { <HandOffForm on colleagues=view.colleagues.clone() /> })}
            {up.first().map(|&first| view! { <TierForm on how=ESCALATE tiers=up.clone() first /> })}
            {down.last().map(|&first| view! { <TierForm on how=RETURN tiers=down.clone() first /> })}
            {a.set_pending.then(|| view! { <PendingForm on /> })}
            {a.set_priority.then(|| view! { <PriorityForm on priority=t.priority /> })}
            {a.set_category.then(|| view! {
                <CategoryForm on current=t.category.as_ref().map(|c| c.id) categories=view.categories.clone() />
            })}
            {a.set_flags.then(|| view! { <FlagsForm on budget=t.requires_budget approval=t.requires_approval /> })}
        </section>
    }
    .into_any()
}
