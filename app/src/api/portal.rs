//! The client portal: the requests a client follows and the approvals a client admin decides.
//! Deciding and rating are ticket changes (see `api::tickets`).

use super::wire::FormArgs;
use crate::model::portal::{PortalFilter, PortalPage};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{request, tickets};

#[server(prefix = "/api", endpoint = "portal", protocol = FormArgs)]
pub async fn get_portal(filter: PortalFilter) -> Result<PortalPage, AppError> {
    let actor = request::actor()?;
    tickets::portal_page(&request::state()?, &actor, &filter).await
}
