//! The ticket lifecycle: raising, working and viewing tickets, and the queue.

mod alerts;
mod change;
mod maintenance;
mod portal;
mod queue;
mod raise;
mod view;
mod work;

pub use alerts::{report_alert, AlertAnswer};
pub use change::{
    commit_and_announce, facts, live_event, visible_ticket as visible, Changed, TicketChange,
};
pub use maintenance::{
    end_maintenance, maintenance_windows, monitoring, plan_maintenance, plan_maintenance_from_form,
};
pub use portal::{decide_approval, portal_page, rate};
pub use queue::{
    find_requesters, held_by, list_page, queue_counts, queue_page, visible_clients, visible_orgs,
    MAX_LIST_PAGE,
};
pub use raise::{commit_opened, open_ticket, raise, Opening};
pub use view::ticket_view;
pub(crate) use work::{add_reply, reopen_step};
pub use work::{
    assign, change_tier, claim, close, hand_over, number_of, reopen, reply, resolve, resume,
    set_category, set_flags, set_pending, set_priority,
};
