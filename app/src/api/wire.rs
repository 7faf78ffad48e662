//! How a server function travels: the protocol every `#[server]` function of the app names.
//!
//! On the server it is server_fn's own HTTP protocol (arguments URL-encoded, or JSON for the
//! few that carry nested data; the answer in JSON). In the browser it sends the same request,
//! but through one function, `ui::browser::post`: server_fn's client is generic over each
//! function's arguments and answer, so the request, the status check and the error decoding
//! were compiled into the WebAssembly once per server function (about 0.9 KB each). What stays
//! per function is encoding its arguments and decoding its answer.
//!
//! Sign-in and sign-out keep the default protocol: Leptos' `ActionForm` requires it.

use crate::model::AppError;
use leptos::server_fn::codec::{Json, PostUrl};
use leptos::server_fn::{Http, Protocol};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::marker::PhantomData;

/// A server function's protocol, with its arguments encoded as `Args`.
pub struct Wire<Args>(PhantomData<Args>);

/// Arguments URL-encoded, as an HTML form sends them (most server functions).
pub type Form = Wire<PostUrl>;

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

impl<Args, Input, Output, Client, Server> Protocol<Input, Output, Client, Server, AppError>
    for Wire<Args>
where
    Http<Args, Json>: Protocol<Input, Output, Client, Server, AppError>,
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
        <Http<Args, Json> as Protocol<Input, Output, Client, Server, AppError>>::run_server(
            request, server_fn,
        )
    }

    fn run_client(
        path: &str,
        input: Input,
    ) -> impl Future<Output = Result<Output, AppError>> + Send {
        #[cfg(feature = "hydrate")]
        {
            let reply = crate::ui::browser::post(path, Args::CONTENT_TYPE, Args::encode(&input));
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

/// Reads a server function's answer as server_fn would: a success (`ok`) holds the JSON of
/// `Output`, a failure the app's error; whatever cannot be read is our fault, never a panic.
/// Answers carried in the page are read the same way (`ui::resource`).
pub fn read_answer<Output: DeserializeOwned>(ok: bool, json: &[u8]) -> Result<Output, AppError> {
    if ok {
        serde_json::from_slice(json).map_err(|_| AppError::Internal)
    } else {
        Err(serde_json::from_slice(json).unwrap_or(AppError::Internal))
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

    #[test]
    fn replies_decode_as_answers_or_errors() {
        let ok = |body: &str| {
            Ok(Reply {
                ok: true,
                body: body.as_bytes().to_vec(),
            })
        };
        let failed = |body: &str| {
            Ok(Reply {
                ok: false,
                body: body.as_bytes().to_vec(),
            })
        };
        assert_eq!(read_reply::<Vec<u32>>(ok("[1,2]")), Ok(vec![1, 2]));
        assert_eq!(
            read_reply::<Vec<u32>>(ok("<html>")),
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
