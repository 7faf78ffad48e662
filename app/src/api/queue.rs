//! The queue of the analysts, seniors, leads and managers.

use super::wire::FormArgs;
use crate::model::queue::{QueueCounts, QueueFilter, QueuePage};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{request, tickets};

#[server(prefix = "/api", endpoint = "queue", protocol = FormArgs)]
pub async fn get_queue(filter: QueueFilter) -> Result<QueuePage, AppError> {
    let actor = request::actor()?;
    tickets::queue_page(&request::state()?, &actor, &filter).await
}

#[server(prefix = "/api", endpoint = "queue_counts", protocol = FormArgs)]
pub async fn get_queue_counts(filter: QueueFilter) -> Result<QueueCounts, AppError> {
    let actor = request::actor()?;
    tickets::queue_counts(&request::state()?, &actor, &filter).await
}
