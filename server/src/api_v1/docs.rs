//! The API's description: the OpenAPI 3.1 document, and a plain HTML page listing its
//! operations (server-rendered, no scripts: the pages' CSP allows none from elsewhere).

use app::backend::AppState;
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use std::fmt::Write;
use std::sync::Arc;
use utoipa::openapi::OpenApi as Document;

pub fn routes(document: Arc<Document>) -> Router<AppState> {
    let page = Html(reference_page(&document));
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .route("/api/v1/docs", get(move || async move { page }))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every operation of `document`, by path, with its method and description.
pub fn reference_page(document: &Document) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Frontline API v1</title></head><body><h1>Frontline API v1</h1>",
    );
    let _ = write!(
        html,
        "<p>{}</p><p>The machine-readable description: <a href=\"/api/v1/openapi.json\">\
         openapi.json</a> (OpenAPI 3.1).</p><table><thead><tr><th>Method</th><th>Path</th>\
         <th>What it does</th></tr></thead><tbody>",
        escape(document.info.description.as_deref().unwrap_or_default())
    );
    for (path, item) in &document.paths.paths {
        for (method, op) in operations_of(item) {
            let what = op
                .description
                .as_deref()
                .or(op.summary.as_deref())
                .unwrap_or_default();
            let _ = write!(
                html,
                "<tr><td>{method}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(path),
                escape(what)
            );
        }
    }
    html.push_str("</tbody></table></body></html>");
    html
}

/// (method, operation) of a path item, in a fixed order.
pub fn operations_of(
    item: &utoipa::openapi::PathItem,
) -> Vec<(&'static str, &utoipa::openapi::path::Operation)> {
    [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_ref().map(|op| (method, op)))
    .collect()
}
