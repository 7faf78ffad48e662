//! Calls to the public API (`/api/v1`) with a bearer token, and tokens for the cast.

use super::TestApp;
use app::backend::api_tokens;
use app::backend::policy::Actor;
use serde_json::Value;

impl TestApp {
    /// The actor of the user with e-mail `email`.
    pub async fn actor_for(&self, email: &str) -> Actor {
        let id = self.user_id(email).await;
        let me = app::backend::repo::users::me(&mut self.state.pool.acquire().await.unwrap(), id)
            .await
            .expect("query")
            .expect("user");
        Actor::from(&me)
    }

    /// A personal API token of `email`'s, made as the profile page makes it.
    pub async fn api_token(&self, email: &str) -> String {
        let actor = self.actor_for(email).await;
        api_tokens::create_personal(&self.state, &actor, "tests", None)
            .await
            .expect("a token")
            .token
    }

    /// A request to `/api/v1{path}` with `token` (none: no Authorization header).
    pub fn api(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let request = client.request(method, self.url(&format!("/api/v1{path}")));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// GET `/api/v1{path}` with `token`: (status, JSON answer).
    pub async fn api_get(&self, client: &reqwest::Client, path: &str, token: &str) -> (u16, Value) {
        answer(self.api(client, reqwest::Method::GET, path, Some(token))).await
    }

    /// POST `body` as JSON to `/api/v1{path}` with `token`: (status, JSON answer).
    pub async fn api_post(
        &self,
        client: &reqwest::Client,
        path: &str,
        token: &str,
        body: &Value,
    ) -> (u16, Value) {
        answer(
            self.api(client, reqwest::Method::POST, path, Some(token))
                .json(body),
        )
        .await
    }
}

/// Sends `request`: its status and JSON answer (`Null` for an empty or non-JSON body).
pub async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let res = request.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `error.code` of an API error answer, checking its shape.
pub fn error_code(answer: &Value) -> &str {
    let error = answer
        .get("error")
        .unwrap_or_else(|| panic!("not an error answer: {answer}"));
    assert!(
        error.get("message").and_then(Value::as_str).is_some(),
        "an error without a message: {answer}"
    );
    error
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("an error without a code: {answer}"))
}
