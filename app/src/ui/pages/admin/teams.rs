//! Teams: the list, and the form with lead, members and the organizations served.

use super::{edit_page, id_choices, member_of, opt_id, record_id, AdminNav, EditPageText};
use crate::api::admin::{get_team_choices, list_teams, SaveTeam};
use crate::model::admin::{TeamChoices, TeamDraft, TeamRow};
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::components::{EmptyState, ErrorNotice, Loading, PageHeader};
use crate::ui::fields::{CheckBox, Select, TextInput};
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn AdminTeamsPage() -> impl IntoView {
    let teams = resource(|| (), |_| list_teams());
    view! {
        <Title text="Teams" />
        <AdminNav />
        <PageHeader title="Teams" subtitle="Analysts see the queues of the organizations their team serves.">
            <a class="btn btn-primary" href="/admin/teams/new">"New team"</a>
        </PageHeader>
        <Transition fallback=|| view! { <Loading what="Loading teams…" /> }>
            {move || Suspend::new(async move {
                match teams.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState title="No teams yet." hint="Give someone the team lead role, then create a team with “New team”." />
                    }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table>
                                <caption class="visually-hidden">"Teams"</caption>
                                <thead><tr><th scope="col">"Team"</th><th scope="col">"Lead"</th><th scope="col">"Members"</th><th scope="col">"Serves"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|t| view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/admin/teams/{}", t.id)>{t.name}</a></th>
                                            <td>{t.lead.map(|l| l.name).unwrap_or_else(|| "No lead".into())}</td>
                                            <td>{t.members.len()}</td>
                                            <td>{t.orgs.iter().map(|o| o.label.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AdminTeamEditPage() -> impl IntoView {
    let text = EditPageText {
        opening: "Opening the team…",
        title: "Team",
        back_href: "/admin/teams",
        back_label: "Back to teams",
    };
    edit_page(
        text,
        |id| async move {
            let choices = get_team_choices().await?;
            let edit = match record_id(id, "There is no such team.")? {
                Some(id) => {
                    let team = list_teams().await?.into_iter().find(|t| t.id == id);
                    Some(team.ok_or_else(|| AppError::NotFound(format!("There is no team {id}.")))?)
                }
                None => None,
            };
            Ok((choices, edit))
        },
        |(choices, edit)| view! { <TeamForm choices edit /> }.into_any(),
    )
}

#[component]
fn TeamForm(choices: TeamChoices, edit: Option<TeamRow>) -> impl IntoView {
    let team_id = edit.as_ref().map(|t| t.id);
    let name = RwSignal::new(edit.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let lead = RwSignal::new(
        edit.as_ref()
            .and_then(|t| t.lead.as_ref().map(|l| l.id.to_string()))
            .unwrap_or_default(),
    );
    let members = RwSignal::new(
        edit.as_ref()
            .map(|t| t.members.iter().map(|m| m.id).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let orgs = RwSignal::new(
        edit.as_ref()
            .map(|t| t.orgs.iter().map(|o| o.id).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let save = ServerCall::<SaveTeam>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate("/admin/teams", Default::default());
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = TeamDraft {
            name: name.get_untracked(),
            lead_id: opt_id(&lead.get_untracked()),
            members: members.get_untracked(),
            orgs: orgs.get_untracked(),
        };
        if let Err(message) = draft.validate() {
            save.value().set(Some(Err(AppError::Invalid(message))));
            return;
        }
        save.dispatch(SaveTeam { id: team_id, draft });
    };
    // an existing record is named, so that nobody edits the wrong one
    let heading = edit
        .as_ref()
        .map_or_else(|| "New team".to_owned(), |t| format!("{} team", t.name));
    let check_list = |items: Vec<crate::model::admin::Choice>, set: RwSignal<Vec<i64>>| {
        items
            .into_iter()
            .map(|c| {
                let id = c.id;
                view! {
                    <label class="check">
                        <CheckBox checked=member_of(set, id) />
                        {c.label}
                    </label>
                }
            })
            .collect_view()
    };
    view! {
        <Title text=heading.clone() />
        <PageHeader title=heading subtitle="Moving an analyst here takes them off their previous team." />
        <form class="card admin-form" on:submit=submit novalidate>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <div class="field-row">
                <div class="field">
                    <label for="team-name">"Team name"</label>
                    <TextInput value={name} {..} id="team-name" type="text" required=true maxlength="60" />
                </div>
                <div class="field">
                    <label for="team-lead">"Team lead"</label>
                    <Select value={lead} prompt="Choose…" options={id_choices(choices.leads)} {..} id="team-lead" required=true />
                </div>
            </div>
            <fieldset class="fieldset">
                <legend>"Members"</legend>
                <div class="check-grid">{check_list(choices.analysts, members)}</div>
            </fieldset>
            <fieldset class="fieldset">
                <legend>"Organizations it serves"</legend>
                <div class="check-grid">{check_list(choices.orgs, orgs)}</div>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else if team_id.is_some() { "Save changes" } else { "Create team" }}
                </button>
                <a class="btn btn-quiet" href="/admin/teams">"Back to teams"</a>
            </div>
        </form>
    }
}
