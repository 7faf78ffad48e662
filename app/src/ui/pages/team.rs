//! My team: a team lead keeps their own roster (who is on the team), without the administrators.

use crate::api::admin::{get_team_roster, SetTeamMember};
use crate::model::admin::MyTeam;
use crate::ui::action::ServerCall;
use crate::ui::components::{EmptyState, ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{choice, Select};
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TeamPage() -> impl IntoView {
    let change = ServerCall::<SetTeamMember>::new();
    let roster = resource(move || change.version().get(), |_| get_team_roster());
    view! {
        <Title text="My team" />
        <PageHeader title="My team" subtitle="Who is on your team: they see and work the queues of the organizations it serves." />
        {move || change.refusal().map(|error| view! { <ErrorNotice error /> })}
        <Transition fallback=|| view! { <Loading what="Loading your team…" /> }>
            {move || Suspend::new(async move {
                match roster.await {
                    Ok(roster) => view! { <Roster roster change /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Roster(roster: MyTeam, change: ServerCall<SetTeamMember>) -> impl IntoView {
    let MyTeam { team, candidates } = roster;
    let team_id = team.id;
    let serves = if team.orgs.is_empty() {
        "no organization yet".to_string()
    } else {
        team.orgs
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = RwSignal::new(String::new());
    let busy = move || change.pending().get();
    let members = team.members;
    view! {
        <section class="card" aria-labelledby="roster-title">
            <h2 id="roster-title">{format!("Team {}", team.name)}</h2>
            <p class="muted">{format!("Serves {serves}.")}</p>
            {if members.is_empty() {
                view! { <EmptyState title="Nobody is on your team yet." hint="Add an analyst below." /> }.into_any()
            } else {
                view! {
                    <ul class="roster" aria-label="Team members">
                        {members.into_iter().map(|m| {
                            // the visible words first, so that speech input ("click Take off the team") finds it
                            let label = format!("Take off the team: {}", m.name);
                            view! {
                                <li>
                                    <span>{m.name.clone()}</span>
                                    <button type="button" class="btn btn-small" aria-label=label disabled=busy
                                        on:click=move |_| { change.dispatch(SetTeamMember { team_id, user_id: m.id, member: false }); }>
                                        "Take off the team"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <form class="card admin-form" on:submit=move |e| {
            e.prevent_default();
            if let Ok(user_id) = chosen.get_untracked().parse::<i64>() {
                change.dispatch(SetTeamMember { team_id, user_id, member: true });
                chosen.set(String::new());
            }
        }>
            <h2>"Add an analyst"</h2>
            {if candidates.is_empty() {
                view! { <p class="muted">"Every active analyst is on a team. An administrator can move someone from another team."</p> }.into_any()
            } else {
                view! {
                    <div class="field">
                        <label for="roster-add">"Analyst without a team"</label>
                        <Select value={chosen} prompt="Choose an analyst…"
                            options={candidates.into_iter().map(|c| choice(c.id.to_string(), c.label)).collect()} {..} id="roster-add" />
                    </div>
                    <button type="submit" class="btn btn-primary" disabled=move || busy() || chosen.read().is_empty()>"Add to the team"</button>
                }.into_any()
            }}
        </form>
    }
}
