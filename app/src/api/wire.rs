//! How a server function travels: the protocol every `#[server]` function of the app names.
//!
//! On the server it is server_fn's own HTTP protocol (arguments URL-encoded, or JSON for the
//! few that carry nested data), with the answer in JSON, or in postcard ([`Compact`]) for a
//! caller that asks for it with its `Accept` header. The browser always asks: postcard is read
//! by position rather than by field name, and its decoders are a fraction of the size of JSON's
//! in the WebAssembly. Anyone else (tests, scripts, `curl`) gets JSON. Errors are JSON either
//! way.
//!
//! In the browser the request is sent through one function, `transport::call_server_fn`:
//! server_fn's client is generic over each function's arguments and answer, so it would compile
//! the request, the status check and the error decoding into the WebAssembly once per server
//! function. What stays per function is encoding its arguments and decoding its answer.
//!
//! Sign-in and sign-out keep the default protocol: Leptos' `ActionForm` requires it.

use crate::model::AppError;
use leptos::server_fn::codec::{Json, Post, PostUrl};
use leptos::server_fn::request::Req;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType, Http, Protocol};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::marker::PhantomData;

/// A server function's protocol, with its arguments encoded as `Args`.
pub struct Wire<Args>(PhantomData<Args>);

/// Arguments URL-encoded, as an HTML form sends them (most server functions).
pub type FormArgs = Wire<PostUrl>;

/// Arguments as JSON (lists and nested records).
pub type JsonArgs = Wire<Json>;

/// How the browser encodes the arguments of a [`Wire`] call.
pub trait ArgsEncoding {
    const CONTENT_TYPE: &'static str;
    fn encode<T: Serialize>(args: &T) -> Option<String>;
}

impl ArgsEncoding for PostUrl {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";

    fn encode<T: Serialize>(args: &T) -> Option<String> {
        serde_qs::to_string(args).ok()
    }
}

impl ArgsEncoding for Json {
    const CONTENT_TYPE: &'static str = "application/json";

    fn encode<T: Serialize>(args: &T) -> Option<String> {
        serde_json::to_string(args).ok()
    }
}

/// The media type of answers in postcard.
pub const COMPACT: &str = "application/x-postcard";

/// Answers in postcard, for callers that ask for them (the browser).
pub struct Compact;

impl ContentType for Compact {
    const CONTENT_TYPE: &'static str = COMPACT;
}

impl FormatType for Compact {
    const FORMAT_TYPE: Format = Format::Binary;
}

impl<T: Serialize + DeserializeOwned> Encodes<T> for Compact {
    type Error = NotCompact;

    fn encode(answer: &T) -> Result<Bytes, NotCompact> {
        compact(answer).map(Bytes::from).ok_or(NotCompact)
    }
}

impl<T: DeserializeOwned> Decodes<T> for Compact {
    type Error = NotCompact;

    fn decode(bytes: Bytes) -> Result<T, NotCompact> {
        postcard::from_bytes(&bytes).map_err(|_| NotCompact)
    }
}

/// A value that postcard could not carry.
#[derive(Debug)]
pub struct NotCompact;

impl std::fmt::Display for NotCompact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the value cannot be written in postcard")
    }
}

/// `value` in postcard. Postcard leaves out field names and types, so a type whose serde form
/// depends on them (`skip_serializing_if`, internally tagged or untagged enums, `flatten`)
/// writes bytes it cannot read back. Debug builds, which every test runs, read each answer
/// back and refuse one that does not survive, naming its type in the log.
pub fn compact<T: Serialize + DeserializeOwned>(value: &T) -> Option<Vec<u8>> {
    let bytes = postcard::to_allocvec(value).ok()?;
    if cfg!(debug_assertions) && postcard::from_bytes::<T>(&bytes).is_err() {
        #[cfg(feature = "ssr")]
        tracing::error!(
            answer = std::any::type_name::<T>(),
            "this type cannot be read back from postcard"
        );
        return None;
    }
    Some(bytes)
}

impl<Args, Input, Output, Client, Server> Protocol<Input, Output, Client, Server, AppError>
    for Wire<Args>
where
    Http<Args, Json>: Protocol<Input, Output, Client, Server, AppError>,
    Http<Args, Post<Compact>>: Protocol<Input, Output, Client, Server, AppError>,
    Args: ArgsEncoding,
    Input: Serialize + Send,
    Output: DeserializeOwned + Send,
    Client: leptos::server_fn::client::Client<AppError>,
    Server: leptos::server_fn::server::Server<AppError>,
{
    const METHOD: http::Method =
        <Http<Args, Json> as Protocol<Input, Output, Client, Server, AppError>>::METHOD;

    fn run_server<F, Fut>(
        request: Server::Request,
        server_fn: F,
    ) -> impl Future<Output = Result<Server::Response, AppError>> + Send
    where
        F: Fn(Input) -> Fut + Send,
        Fut: Future<Output = Result<Output, AppError>> + Send,
    {
        let compact = request
            .accepts()
            .is_some_and(|accept| accept.contains(COMPACT));
        async move {
            if compact {
                <Http<Args, Post<Compact>> as Protocol<_, _, _, _, _>>::run_server(
                    request, server_fn,
                )
                .await
            } else {
                <Http<Args, Json> as Protocol<_, _, _, _, _>>::run_server(request, server_fn).await
            }
        }
    }

    fn run_client(
        path: &str,
        input: Input,
    ) -> impl Future<Output = Result<Output, AppError>> + Send {
        #[cfg(feature = "hydrate")]
        {
            let reply =
                super::transport::call_server_fn(path, Args::CONTENT_TYPE, Args::encode(&input));
            async move { read_reply(reply.await) }
        }
        // only the browser calls server functions over HTTP; elsewhere keep server_fn's client
        #[cfg(not(feature = "hydrate"))]
        <Http<Args, Json> as Protocol<Input, Output, Client, Server, AppError>>::run_client(
            path, input,
        )
    }
}

/// What the server answered: its status said success or not, and the body.
pub struct Reply {
    pub ok: bool,
    pub body: Vec<u8>,
}

/// Reads a server function's answer to the browser: a success (`ok`) holds `Output` in
/// postcard, a failure the app's error in JSON; whatever cannot be read is our fault, never a
/// panic. Answers carried in the page are read the same way (`ui::resource`).
pub fn read_answer<Output: DeserializeOwned>(ok: bool, body: &[u8]) -> Result<Output, AppError> {
    if ok {
        postcard::from_bytes(body).map_err(|_| AppError::Internal)
    } else {
        Err(serde_json::from_slice(body).unwrap_or(AppError::Internal))
    }
}

#[cfg(any(feature = "hydrate", test))]
fn read_reply<Output: DeserializeOwned>(
    reply: Result<Reply, AppError>,
) -> Result<Output, AppError> {
    reply.and_then(|reply| read_answer(reply.ok, &reply.body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn replies_decode_as_answers_or_errors() {
        let ok = |body: &[u8]| {
            Ok(Reply {
                ok: true,
                body: body.to_vec(),
            })
        };
        let failed = |body: &str| {
            Ok(Reply {
                ok: false,
                body: body.as_bytes().to_vec(),
            })
        };
        let list = compact(&vec![1u32, 300]).unwrap();
        assert_eq!(read_reply::<Vec<u32>>(ok(&list)), Ok(vec![1, 300]));
        // an answer of another shape (a proxy's page, JSON from a server older than the page)
        assert_eq!(
            read_reply::<Vec<u32>>(ok(b"<html>")),
            Err(AppError::Internal)
        );
        assert_eq!(
            read_reply::<Vec<u32>>(ok(b"[1,2]")),
            Err(AppError::Internal)
        );
        assert_eq!(
            read_reply::<Vec<u32>>(failed(r#"{"kind":"conflict","message":"Taken."}"#)),
            Err(AppError::Conflict("Taken.".into()))
        );
        // a refusal from a layer in front of the app (a proxy, the body limit) is not JSON
        assert_eq!(
            read_reply::<Vec<u32>>(failed("Payload Too Large")),
            Err(AppError::Internal)
        );
        assert_eq!(
            read_reply::<Vec<u32>>(Err(AppError::Network)),
            Err(AppError::Network)
        );
    }

    #[test]
    fn a_type_postcard_cannot_read_back_is_refused_not_sent() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Sparse {
            #[serde(skip_serializing_if = "Option::is_none")]
            note: Option<String>,
            id: u32,
        }
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        #[serde(tag = "state")]
        enum Tagged {
            Open { id: u32 },
        }
        let full = Sparse {
            note: Some("x".into()),
            id: 1,
        };
        assert!(compact(&full).is_some());
        // only a debug build reads each answer back (and every test runs one)
        assert!(compact(&Sparse { note: None, id: 1 }).is_none());
        assert!(compact(&Tagged::Open { id: 1 }).is_none());
    }

    #[test]
    fn json_arguments_encode_as_the_server_reads_them() {
        #[derive(Serialize)]
        struct Args {
            name: String,
            ids: Vec<i64>,
        }
        let args = Args {
            name: "Atlas".into(),
            ids: vec![1, 2],
        };
        assert_eq!(
            <Json as ArgsEncoding>::encode(&args).as_deref(),
            Some(r#"{"name":"Atlas","ids":[1,2]}"#)
        );
    }
}
