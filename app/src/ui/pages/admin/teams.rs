//! Teams: the list, and the form with lead, members and the organizations served.

use super::list::{admin_list, ListText};
use super::{check_list, edit_actions, edit_page, id_choices, record_id, AdminHead, EditPageText};
use crate::api::admin::{get_team_choices, list_teams, SaveTeam};
use crate::model::admin::{Choice, TeamChoices, TeamDraft, TeamRow};
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, ErrorNotice, PageHeader};
use crate::ui::fields::{Bound, Select, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn AdminTeamsPage() -> impl IntoView {
    let teams = resource(|| (), |_| list_teams());
    let text = ListText {
        loading: "Loading teams…",
        empty: "No teams yet.",
        hint: "Give someone the team lead role, then create a team with “New team”.",
    };
    view! {
        <AdminHead title="Teams" subtitle="Analysts see the queues of the organizations their team serves.">
            <a class="btn btn-primary" href="/admin/teams/new">"New team"</a>
        </AdminHead>
        {admin_list(text, teams, |rows| view! {
            <DataTable caption="Teams" columns=&["Team", "Lead", "Members", "Serves"]>
                {rows.into_iter().map(|t| view! {
                    <tr>
                        <th scope="row"><a href=format!("/admin/teams/{}", t.id)>{t.name}</a></th>
                        <td>{t.lead.map(|l| l.name).unwrap_or_else(|| "No lead".into())}</td>
                        <td>{t.members.len()}</td>
                        <td>{t.orgs.iter().map(|o| o.label.clone()).collect::<Vec<_>>().join(", ")}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }.into_any())}
    }
}

/// A fieldset of checkboxes in a grid: who or what, of `items`, is in `list`.
fn check_fieldset(
    legend: &'static str,
    items: Vec<Choice>,
    list: Bound<Vec<i64>>,
) -> impl IntoView {
    view! {
        <fieldset class="fieldset">
            <legend>{legend}</legend>
            <div class="check-grid">{check_list(items, list)}</div>
        </fieldset>
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
    let draft = Draft::new(edit.as_ref().map(team_draft).unwrap_or_default());
    let save = ServerCall::<SaveTeam>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate("/admin/teams", Default::default());
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let draft = draft.get();
        save.send_checked(draft.validate(), || SaveTeam { id: team_id, draft });
    };
    // an existing record is named, so that nobody edits the wrong one
    let heading = edit
        .as_ref()
        .map_or_else(|| "New team".to_owned(), |t| format!("{} team", t.name));
    let lead = draft.id_part(|d| d.lead_id, |d, id| d.lead_id = id);
    view! {
        <Title text=heading.clone() />
        <PageHeader title=heading subtitle="Moving an analyst here takes them off their previous team." />
        <form class="card admin-form" on:submit=submit novalidate>
            {move || save.refusal().map(|error| view! { <ErrorNotice error /> })}
            <div class="field-row">
                <div class="field">
                    <label for="team-name">"Team name"</label>
                    <TextInput value={draft.part(|d| d.name.clone(), |d, name| d.name = name)} {..}
                        id="team-name" type="text" required=true maxlength="60" />
                </div>
                <div class="field">
                    <label for="team-lead">"Team lead"</label>
                    <Select value={lead} prompt="Choose…" options={id_choices(choices.leads)} {..} id="team-lead" required=true />
                </div>
            </div>
            {check_fieldset("Members", choices.analysts, draft.part(|d| d.members.clone(), |d, ids| d.members = ids))}
            {check_fieldset("Organizations it serves", choices.orgs, draft.part(|d| d.orgs.clone(), |d, ids| d.orgs = ids))}
            {edit_actions(save.pending(), team_id.is_some(), "Create team", "/admin/teams", "Back to teams")}
        </form>
    }
}

/// The draft of an existing team.
fn team_draft(team: &TeamRow) -> TeamDraft {
    TeamDraft {
        name: team.name.clone(),
        lead_id: team.lead.as_ref().map(|l| l.id),
        members: team.members.iter().map(|m| m.id).collect(),
        orgs: team.orgs.iter().map(|o| o.id).collect(),
    }
}
