//! Teams: name, lead, members and the organizations served (set by administrators), and the
//! roster a team lead keeps for their own team.

use super::change::{AdminChange, Audit};
use super::{invalid, unique_or};
use crate::backend::db::Conn;
use crate::backend::policy::Actor;
use crate::backend::repo;
use crate::backend::state::AppState;
use crate::model::admin::{
    AuditAction, Choice, MyTeam, TeamChoices, TeamDraft, TeamRow, ValidTeam,
};
use crate::model::{AppError, AppResult, Page, Role};

async fn team_row(conn: &mut Conn, id: i64) -> AppResult<Option<TeamRow>> {
    let Some(f) = repo::teams::facts(&mut *conn, id).await? else {
        return Ok(None);
    };
    let lead = match f.lead_id {
        Some(lead) => repo::users::name(&mut *conn, lead)
            .await?
            .map(|name| crate::model::UserRef { id: lead, name }),
        None => None,
    };
    Ok(Some(TeamRow {
        id: f.id,
        name: f.name,
        lead,
        members: repo::teams::members(&mut *conn, id).await?,
        orgs: repo::teams::orgs(&mut *conn, id).await?,
    }))
}

async fn existing_team(conn: &mut Conn, id: i64) -> AppResult<TeamRow> {
    team_row(conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no team {id}.")))
}

pub async fn list_teams(state: &AppState, actor: &Actor) -> AppResult<Vec<TeamRow>> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let mut rows = Vec::new();
    for (id, _) in repo::teams::list(&mut conn).await? {
        if let Some(row) = team_row(&mut conn, id).await? {
            rows.push(row);
        }
    }
    Ok(rows)
}

pub async fn team_choices(state: &AppState, actor: &Actor) -> AppResult<TeamChoices> {
    actor.require_admin()?;
    let mut conn = state.pool.acquire().await?;
    let leads = repo::users::with_roles(&mut conn, &[Role::Lead])
        .await?
        .into_iter()
        .map(|(id, name, ..)| Choice { id, label: name })
        .collect();
    let analysts = repo::users::with_roles(&mut conn, &[Role::Analyst, Role::Senior])
        .await?
        .into_iter()
        .map(|(id, name, _, tier, team)| Choice {
            id,
            label: format!(
                "{name} (tier {}{})",
                tier.unwrap_or(1),
                team.map(|t| format!(", team {t}")).unwrap_or_default()
            ),
        })
        .collect();
    Ok(TeamChoices {
        leads,
        analysts,
        orgs: repo::orgs::choices(&mut conn).await?,
    })
}

/// Active analysts and seniors on no team, labelled with their tier: who may join a team.
async fn unteamed_analysts(conn: &mut Conn) -> AppResult<Vec<Choice>> {
    Ok(
        repo::users::with_roles(conn, &[Role::Analyst, Role::Senior])
            .await?
            .into_iter()
            .filter(|(.., team)| team.is_none())
            .map(|(id, name, _, tier, _)| Choice {
                id,
                label: format!("{name} (tier {})", tier.unwrap_or(1)),
            })
            .collect(),
    )
}

/// The team the actor leads, with the analysts who could join it.
pub async fn roster(state: &AppState, actor: &Actor) -> AppResult<MyTeam> {
    actor.require_page(Page::Team)?;
    let mut conn = state.pool.acquire().await?;
    let (team_id, _) = repo::teams::led_by(&mut conn, actor.id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(
                "You do not lead a team yet: an administrator sets that up in Teams.".into(),
            )
        })?;
    let team = existing_team(&mut conn, team_id).await?;
    Ok(MyTeam {
        team,
        candidates: unteamed_analysts(&mut conn).await?,
    })
}

/// Puts an analyst on (`member`) or takes them off a team. Administrators may change any team;
/// a lead only their own, and only with analysts who are on no other team.
pub async fn set_roster_member(
    state: &AppState,
    actor: &Actor,
    team_id: i64,
    user_id: i64,
    member: bool,
) -> AppResult<()> {
    // administrators change any team; a lead only their own, checked inside the change
    let mut c = AdminChange::begin_by(state, actor.id).await?;
    if actor.role != Role::Admin {
        actor.require_page(Page::Team)?;
        let led = repo::teams::led_by(&mut c.tx, actor.id).await?;
        if led.map(|(id, _)| id) != Some(team_id) {
            return Err(AppError::Forbidden(
                "You can change only the roster of the team you lead.".into(),
            ));
        }
    }
    let before = existing_team(&mut c.tx, team_id).await?;
    let person = repo::users::roles_of(&mut c.tx, &[user_id]).await?;
    match person.first() {
        Some((_, role, true)) if matches!(role.as_str(), "analyst" | "senior") => {}
        Some(_) => {
            return Err(invalid(
                "Only active analysts and senior analysts can be on a team roster.".into(),
            ))
        }
        None => return Err(AppError::NotFound(format!("There is no user {user_id}."))),
    }
    let on_this_team = before.members.iter().any(|m| m.id == user_id);
    if member == on_this_team {
        return Ok(()); // already as asked: nothing to change or record
    }
    if member
        && !unteamed_analysts(&mut c.tx)
            .await?
            .iter()
            .any(|c| c.id == user_id)
    {
        return Err(AppError::Conflict(
            "That analyst is on another team: their lead or an administrator takes them off it first."
                .into(),
        ));
    }
    repo::teams::set_member(&mut c.tx, user_id, member.then_some(team_id)).await?;
    let after = existing_team(&mut c.tx, team_id).await?;
    let name = repo::users::name(&mut c.tx, user_id)
        .await?
        .unwrap_or_default();
    let summary = if member {
        format!("Added {name} to team {}", before.name)
    } else {
        format!("Took {name} off team {}", before.name)
    };
    c.commit(
        Audit::new(AuditAction::TeamRoster, team_id, summary)
            .before(&before)
            .after(&after),
    )
    .await
}

/// Checks what the model cannot: the name is free, the lead leads no other team, the members
/// are active analysts and the organizations exist.
async fn check_team(conn: &mut Conn, v: &ValidTeam, id: Option<i64>) -> AppResult<()> {
    if repo::teams::name_taken(&mut *conn, &v.name, id).await? {
        return Err(AppError::Conflict(format!(
            "There is already a team called {}.",
            v.name
        )));
    }
    let lead = repo::users::roles_of(conn, &[v.lead_id]).await?;
    match lead.first() {
        Some((_, role, true)) if role == Role::Lead.as_str() => {}
        Some(_) => {
            return Err(invalid(
                "The chosen lead is not an active team lead; give them the team lead role first."
                    .into(),
            ))
        }
        None => return Err(invalid("The chosen lead does not exist.".into())),
    }
    if let Some((other, other_name)) = repo::teams::led_by(&mut *conn, v.lead_id).await? {
        if Some(other) != id {
            return Err(AppError::Conflict(format!(
                "That person already leads team {other_name}."
            )));
        }
    }
    let members = repo::users::roles_of(conn, &v.members).await?;
    if members.len() != v.members.len()
        || members
            .iter()
            .any(|(_, role, active)| !active || !matches!(role.as_str(), "analyst" | "senior"))
    {
        return Err(invalid(
            "Team members must be active analysts or senior analysts.".into(),
        ));
    }
    if repo::count_existing(conn, "organizations", &v.orgs).await? != v.orgs.len() as i64 {
        return Err(invalid(
            "One of the chosen organizations does not exist.".into(),
        ));
    }
    Ok(())
}

/// Writes a checked team: its name (a new row without `id`), lead, members and organizations.
async fn write_team(conn: &mut Conn, id: Option<i64>, v: &ValidTeam, now: i64) -> AppResult<i64> {
    let taken = |e| unique_or(e, || format!("The name {} is taken.", v.name));
    let team_id = match id {
        Some(id) => {
            repo::teams::rename(&mut *conn, id, &v.name)
                .await
                .map_err(taken)?;
            id
        }
        None => repo::teams::insert(&mut *conn, &v.name, now)
            .await
            .map_err(taken)?,
    };
    repo::teams::set_lead(&mut *conn, team_id, v.lead_id).await?;
    repo::teams::set_member(&mut *conn, v.lead_id, Some(team_id)).await?;
    repo::teams::clear_members(&mut *conn, team_id).await?;
    for m in &v.members {
        repo::teams::set_member(&mut *conn, *m, Some(team_id)).await?;
    }
    repo::teams::clear_orgs(&mut *conn, team_id).await?;
    for org in &v.orgs {
        repo::teams::serve_org(&mut *conn, team_id, *org).await?;
    }
    Ok(team_id)
}

/// Creates (no `id`) or changes a team: its name, lead, members and the organizations it serves.
pub async fn save_team(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    draft: &TeamDraft,
) -> AppResult<i64> {
    let mut c = AdminChange::begin(state, actor).await?;
    let v = draft.validate().map_err(invalid)?;
    let before = match id {
        Some(id) => Some(existing_team(&mut c.tx, id).await?),
        None => None,
    };
    check_team(&mut c.tx, &v, id).await?;
    let team_id = write_team(&mut c.tx, id, &v, c.now).await?;
    let after = existing_team(&mut c.tx, team_id).await?;
    let actions = (AuditAction::TeamCreate, AuditAction::TeamUpdate);
    let what = format!("team {}", v.name);
    c.commit(Audit::saved(actions, team_id, &what, before.as_ref()).after(&after))
        .await?;
    Ok(team_id)
}
