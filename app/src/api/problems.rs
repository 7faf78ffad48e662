//! Problem records made from the recurring groups of the reports page.

use super::wire::FormArgs;
use crate::model::problems::{NewProblem, ProblemList, ProblemNumber};
use crate::model::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::{problems, request};

#[server(prefix = "/api", endpoint = "record_problem", protocol = FormArgs)]
pub async fn record_problem(new: NewProblem) -> Result<ProblemNumber, AppError> {
    let actor = request::actor()?;
    problems::record(&request::state()?, &actor, &new).await
}

#[server(prefix = "/api", endpoint = "problems", protocol = FormArgs)]
pub async fn get_problems() -> Result<ProblemList, AppError> {
    let actor = request::actor()?;
    problems::list(&request::state()?, &actor).await
}
