//! `/api/v1` organizations, teams, users and knowledge base articles: reads as the pages allow
//! them, and client users created as an administrator creates them.

use super::auth::Caller;
use super::error::{ApiError, ApiJson, ApiQuery, ApiResult, ErrorBody};
use app::backend::{admin, kb, tickets, AppState};
use app::model::admin::{UserDraft, UserFilter};
use app::model::{AppError, Role};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(organizations))
        .routes(routes!(teams))
        .routes(routes!(users, create_user))
        .routes(routes!(articles))
        .routes(routes!(article))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    #[schema(example = "NWL")]
    pub code: String,
    pub name: String,
}

/// The client organizations the caller serves (administrators: all of them).
#[utoipa::path(get, path = "/organizations", tag = "directory",
    responses((status = 200, body = Vec<Organization>), (status = "4XX", body = ErrorBody)))]
async fn organizations(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<Organization>>> {
    let actor = &caller.actor;
    let orgs = if actor.require_admin().is_ok() {
        admin::list_orgs(&state, actor)
            .await?
            .into_iter()
            .map(|o| (o.id, o.code, o.name))
            .collect()
    } else {
        tickets::visible_orgs(&state, actor).await?
    };
    Ok(Json(
        orgs.into_iter()
            .map(|(id, code, name)| Organization { id, code, name })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub lead: Option<String>,
    /// Codes of the organizations it serves.
    pub organizations: Vec<String>,
}

/// The desk's teams (administrators).
#[utoipa::path(get, path = "/teams", tag = "directory",
    responses((status = 200, body = Vec<Team>), (status = "4XX", body = ErrorBody)))]
async fn teams(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<Team>>> {
    let rows = admin::list_teams(&state, &caller.actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| Team {
                id: t.id,
                name: t.name,
                lead: t.lead.map(|l| l.name),
                organizations: t.orgs.into_iter().map(|o| o.label).collect(),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// `client`, `client_admin`, `analyst`, `senior`, `lead`, `manager`, `admin`.
    pub role: String,
    pub organization: Option<String>,
    pub team: Option<String>,
    pub active: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of a name or e-mail address.
    q: Option<String>,
    role: Option<String>,
    organization_id: Option<i64>,
}

/// Accounts (administrators), at most 200 per answer.
#[utoipa::path(get, path = "/users", tag = "directory", params(UserQuery),
    responses((status = 200, body = Vec<User>), (status = "4XX", body = ErrorBody)))]
async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<UserQuery>,
) -> ApiResult<Json<Vec<User>>> {
    let role = p
        .role
        .as_deref()
        .map(str::parse::<Role>)
        .transpose()
        .map_err(|e| ApiError::on_field(AppError::invalid(e.to_string()), "role"))?;
    let filter = UserFilter {
        q: p.q.unwrap_or_default(),
        role,
        org_id: p.organization_id,
        include_inactive: false,
    };
    let rows = admin::list_users(&state, &caller.actor, &filter).await?;
    Ok(Json(
        rows.into_iter()
            .map(|u| User {
                id: u.id,
                name: u.name,
                email: u.email,
                role: u.role.as_str().to_string(),
                organization: u.org_name,
                team: u.team_name,
                active: u.active,
            })
            .collect(),
    ))
}

/// A new client user (administrators).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientUser {
    pub email: String,
    pub name: String,
    /// `client` (default) or `client_admin`.
    pub role: Option<String>,
    pub organization_id: i64,
    pub department: Option<String>,
    pub location: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub id: i64,
    /// Where its owner sets a password (a one-time link, relative to the desk's address).
    pub password_link: String,
    pub password_link_expires_at: i64,
}

/// Creates a client user, without a password: give them the link to set one.
#[utoipa::path(post, path = "/users", tag = "directory", request_body = NewClientUser,
    responses((status = 201, body = CreatedUser), (status = "4XX", body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(u): ApiJson<NewClientUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let role = match u.role.as_deref() {
        None | Some("client") => Role::Client,
        Some("client_admin") => Role::ClientAdmin,
        Some(other) => {
            return Err(ApiError::on_field(
                AppError::invalid(format!(
                    "The API creates client users only (client or client_admin), not \"{other}\"."
                )),
                "role",
            ))
        }
    };
    let draft = UserDraft {
        email: u.email,
        name: u.name,
        role,
        org_id: Some(u.organization_id),
        department: u.department.unwrap_or_default(),
        location: u.location.unwrap_or_default(),
        job_title: u.job_title.unwrap_or_default(),
        phone: u.phone.unwrap_or_default(),
        ..UserDraft::default()
    };
    let link = admin::create_user(&state, &caller.actor, &draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            id: link.user_id,
            password_link: link.path,
            password_link_expires_at: link.expires_at,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    /// Around the matched words, HTML-escaped, matches in `<mark>`.
    pub snippet_html: String,
    pub tags: Vec<String>,
    pub updated_at: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Words to search for; the latest articles without it.
    q: Option<String>,
}

/// Knowledge base articles the caller may read: a search, or the latest.
#[utoipa::path(get, path = "/kb/articles", tag = "knowledge base", params(ArticleQuery),
    responses((status = 200, body = Vec<ArticleSummary>), (status = "4XX", body = ErrorBody)))]
async fn articles(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<ArticleQuery>,
) -> ApiResult<Json<Vec<ArticleSummary>>> {
    let page = kb::kb_page(&state, &caller.actor, p.q.as_deref()).await?;
    Ok(Json(
        page.articles
            .into_iter()
            .map(|a| ArticleSummary {
                id: a.id,
                title: a.title,
                snippet_html: a.snippet_html,
                tags: a.tags,
                updated_at: a.updated_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Article {
    pub id: i64,
    pub title: String,
    /// Rendered from Markdown and sanitized.
    pub body_html: String,
    pub tags: Vec<String>,
    pub author: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// One article (counted as a view).
#[utoipa::path(get, path = "/kb/articles/{id}", tag = "knowledge base",
    params(("id" = i64, Path)),
    responses((status = 200, body = Article), (status = "4XX", body = ErrorBody)))]
async fn article(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<Article>> {
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::from(AppError::not_found("That article")))?;
    let a = kb::article(&state, &caller.actor, id).await?;
    Ok(Json(Article {
        id: a.id,
        title: a.title,
        body_html: a.body_html,
        tags: a.tags,
        author: a.author,
        created_at: a.created_at,
        updated_at: a.updated_at,
        version: a.version,
    }))
}
