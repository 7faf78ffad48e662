//! How the browser sends a server function's request: one POST for every server function (see
//! `api::wire`), and the fetch it shares with uploads.

/// Sends a server function's request as server_fn's browser client would: a POST of the encoded
/// arguments to `path`, asking for the answer in postcard. One function for every server function (see
/// `api::wire`). `None` arguments (they could not be encoded) are refused without a request.
#[cfg(feature = "hydrate")]
pub fn call_server_fn(
    path: &str,
    content_type: &'static str,
    body: Option<String>,
) -> std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<crate::api::wire::Reply, crate::model::AppError>>
            + Send,
    >,
> {
    let path = path.to_owned();
    Box::pin(send_wrapper::SendWrapper::new(async move {
        use crate::api::wire::Reply;
        use crate::model::AppError;
        let body = body.ok_or(AppError::Internal)?;
        let headers = web_sys::Headers::new().map_err(|_| AppError::Internal)?;
        let _ = headers.set("Content-Type", content_type);
        let _ = headers.set("Accept", crate::api::wire::COMPACT);
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&wasm_bindgen::JsValue::from_str(&body));
        let response = fetch(&path, &init).await?;
        let buffer = response.array_buffer().map_err(|_| AppError::Network)?;
        let buffer = wasm_bindgen_futures::JsFuture::from(buffer)
            .await
            .map_err(|_| AppError::Network)?;
        Ok(Reply {
            ok: response.ok(),
            body: js_sys::Uint8Array::new(&buffer).to_vec(),
        })
    }))
}

/// Sends `init` to `url`; no answer at all (offline, refused) is a network error.
#[cfg(feature = "hydrate")]
pub async fn fetch(
    url: &str,
    init: &web_sys::RequestInit,
) -> Result<web_sys::Response, crate::model::AppError> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or(crate::model::AppError::Network)?;
    wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .ok()
        .and_then(|response| response.dyn_into().ok())
        .ok_or(crate::model::AppError::Network)
}
