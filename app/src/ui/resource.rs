//! Resources: the data a page loads through a server function, fetched on the server for the
//! first paint and handed to the browser in the page.
//!
//! Leptos compiles its whole resource machinery (the async task that refetches, hydration,
//! Suspense bookkeeping) once per resource: per data type and per pair of closures. Here every
//! resource is one Leptos resource type, [`Resource<Answer, AnswerCodec>`], built by one non-generic
//! function; what stays per page is a boxed fetch and reading the typed value back ([`Loaded<T>`]).
//!
//! In the browser a value that came with the page is kept as text until a page reads it (see
//! [`Loadable`]).

use crate::api::wire::read_answer;
use crate::model::AppError;
use codee::{Decoder, Encoder};
use leptos::prelude::*;
use leptos::reactive::computed::AsyncDerivedFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::Any;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// What a page's data can be: loaded by a server function, carried in the page as text.
///
/// In the page, a value is written as the server function's answer to the browser (postcard,
/// see `api::wire`) in base64, behind a one-letter tag, so that the browser reads it with the
/// decoder it already has for that server function's answers, not a second one for the
/// `Result` or `Option` around it. An error is written as JSON, as the server answers it.
pub trait Loadable: Clone + Send + Sync + 'static {
    #[cfg(feature = "ssr")]
    fn to_page(&self) -> Option<String>;

    /// Reads what `to_page` wrote; whatever cannot be read (a browser still running an older
    /// copy of the app against a newer server) gives an error or nothing, never a panic.
    fn from_page(text: &[u8]) -> Self;
}

impl<T> Loadable for Result<T, AppError>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    #[cfg(feature = "ssr")]
    fn to_page(&self) -> Option<String> {
        match self {
            Ok(value) => in_page('o', value),
            Err(error) => serde_json::to_string(error)
                .ok()
                .map(|json| format!("e{json}")),
        }
    }

    fn from_page(text: &[u8]) -> Self {
        match text.split_first() {
            Some((b'o', text)) => from_base64(text)
                .ok_or(AppError::Internal)
                .and_then(|bytes| read_answer(true, &bytes)),
            Some((b'e', json)) => read_answer(false, json),
            _ => Err(AppError::Internal),
        }
    }
}

impl<T> Loadable for Option<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    #[cfg(feature = "ssr")]
    fn to_page(&self) -> Option<String> {
        match self {
            Some(value) => in_page('s', value),
            None => Some("n".to_owned()),
        }
    }

    fn from_page(text: &[u8]) -> Self {
        match text.split_first() {
            Some((b's', text)) => read_answer(true, &from_base64(text)?).ok(),
            _ => None,
        }
    }
}

/// `value` as the browser reads an answer, in base64 behind its one-letter tag.
#[cfg(feature = "ssr")]
fn in_page<T: Serialize + DeserializeOwned>(tag: char, value: &T) -> Option<String> {
    use base64::Engine;
    let bytes = crate::api::wire::compact(value)?;
    Some(format!("{tag}{}", BASE64.encode(bytes)))
}

fn from_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    BASE64.decode(text).ok()
}

/// Letters, digits, `-` and `_` only: nothing a page needs to escape.
const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A loaded value of any page's data type.
#[derive(Clone)]
pub struct Answer {
    value: Arc<dyn Any + Send + Sync>,
    /// How the server writes the value into the page (only the server does).
    #[cfg(feature = "ssr")]
    to_page: fn(&(dyn Any + Send + Sync)) -> Option<String>,
}

/// A value as it came with the page, read when a page reads it.
struct InPage(String);

impl Answer {
    pub(super) fn new<T: Loadable>(value: T) -> Self {
        Answer {
            value: Arc::new(value),
            #[cfg(feature = "ssr")]
            to_page: |v| v.downcast_ref::<T>().and_then(T::to_page),
        }
    }

    pub(super) fn read<T: Loadable>(&self) -> T {
        match self.value.downcast_ref::<T>() {
            Some(value) => value.clone(),
            None => {
                let text = self.value.downcast_ref::<InPage>().map(|p| p.0.as_bytes());
                T::from_page(text.unwrap_or_default())
            }
        }
    }
}

/// How an [`Answer`] travels in the page.
pub struct AnswerCodec;

#[derive(Debug)]
pub struct NotWritable;

impl Encoder<Answer> for AnswerCodec {
    type Error = NotWritable;
    type Encoded = String;

    fn encode(answer: &Answer) -> Result<String, NotWritable> {
        #[cfg(feature = "ssr")]
        return (answer.to_page)(answer.value.as_ref()).ok_or(NotWritable);
        #[cfg(not(feature = "ssr"))]
        {
            let _ = answer;
            Err(NotWritable)
        }
    }
}

impl Decoder<Answer> for AnswerCodec {
    type Error = std::convert::Infallible;
    type Encoded = str;

    fn decode(text: &str) -> Result<Answer, Self::Error> {
        Ok(Answer {
            value: Arc::new(InPage(text.to_owned())),
            #[cfg(feature = "ssr")]
            to_page: |_| None,
        })
    }
}

/// One load of a resource: the source value it was made for and how to fetch it. Two loads are
/// the same (no refetch) when their sources are equal.
#[derive(Clone)]
pub struct Load(Arc<dyn Fetch>);

trait Fetch: Send + Sync {
    fn source(&self) -> &dyn Any;
    fn same_source(&self, other: &dyn Any) -> bool;
    fn start(&self) -> Pin<Box<dyn Future<Output = Answer> + Send>>;
}

struct Pending<S, F> {
    source: S,
    fetcher: Arc<F>,
}

impl<S, T, Fut, F> Fetch for Pending<S, F>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Loadable,
    Fut: Future<Output = T> + Send + 'static,
    F: Fn(S) -> Fut + Send + Sync + 'static,
{
    fn source(&self) -> &dyn Any {
        &self.source
    }

    fn same_source(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<S>() == Some(&self.source)
    }

    fn start(&self) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        let fetch = (self.fetcher)(self.source.clone());
        Box::pin(async move { Answer::new(fetch.await) })
    }
}

impl PartialEq for Load {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_source(other.0.source())
    }
}

/// The one Leptos resource type every page's data goes through.
fn erased(
    next: Arc<dyn Fn() -> Load + Send + Sync>,
    blocking: bool,
) -> Resource<Answer, AnswerCodec> {
    Resource::new_with_options(move || next(), |load: Load| load.0.start(), blocking)
}

/// A page's data of type `T`: `.await` it inside `Suspend`, or `get()` it in a closure.
pub struct Loaded<T> {
    inner: Resource<Answer, AnswerCodec>,
    of: PhantomData<fn() -> T>,
}

impl<T> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loaded<T> {}

impl<T: Loadable> Loaded<T> {
    /// The value, if loaded (reactive).
    pub fn get(&self) -> Option<T> {
        self.inner.get().map(|answer| answer.read())
    }
}

impl<T: Loadable> IntoFuture for Loaded<T> {
    type Output = T;
    type IntoFuture = Reading<T>;

    fn into_future(self) -> Reading<T> {
        Reading {
            inner: self.inner.into_future(),
            of: PhantomData,
        }
    }
}

/// Waiting for a [`Loaded`] value (what `.await` on it gives).
pub struct Reading<T> {
    inner: AsyncDerivedFuture<Answer>,
    of: PhantomData<fn() -> T>,
}

impl<T: Loadable> Future for Reading<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.inner)
            .poll(cx)
            .map(|answer| answer.read())
    }
}

fn loaded<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
    blocking: bool,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Loadable,
    Fut: Future<Output = T> + Send + 'static,
{
    let fetcher = Arc::new(fetcher);
    let next = move || {
        Load(Arc::new(Pending {
            source: source(),
            fetcher: Arc::clone(&fetcher),
        }))
    };
    Loaded {
        inner: erased(Arc::new(next), blocking),
        of: PhantomData,
    }
}

/// A page's resource: `fetcher` runs again whenever `source` changes.
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Loadable,
    Fut: Future<Output = T> + Send + 'static,
{
    loaded(source, fetcher, false)
}

/// A resource the server waits for before sending any of the page (it decides the status code).
#[track_caller]
pub fn blocking_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Loadable,
    Fut: Future<Output = T> + Send + 'static,
{
    loaded(source, fetcher, true)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn through_page<T: Loadable>(value: T) -> T {
        let text = AnswerCodec::encode(&Answer::new(value)).expect("writable");
        let Ok(answer) = AnswerCodec::decode(&text);
        answer.read()
    }

    #[test]
    fn answers_survive_the_page() {
        assert_eq!(
            through_page::<Result<Vec<u32>, AppError>>(Ok(vec![1, 2])),
            Ok(vec![1, 2])
        );
        let refused = AppError::Forbidden("Not yours.".into());
        assert_eq!(
            through_page::<Result<u32, AppError>>(Err(refused.clone())),
            Err(refused)
        );
        assert_eq!(through_page(Some("x".to_string())), Some("x".to_string()));
        assert_eq!(through_page::<Option<String>>(None), None);
    }

    #[test]
    fn a_loaded_value_is_read_without_the_page() {
        let answer = Answer::new::<Result<u32, AppError>>(Ok(7));
        assert_eq!(answer.read::<Result<u32, AppError>>(), Ok(7));
    }

    #[test]
    fn what_cannot_be_read_is_an_error_or_nothing_never_a_panic() {
        for text in ["", "o", "o{", "e\"x\"", "x1", "o\"text\"", "o[1]"] {
            let Ok(answer) = AnswerCodec::decode(text);
            assert_eq!(
                answer.read::<Result<u32, AppError>>(),
                Err(AppError::Internal),
                "{text:?}"
            );
            assert_eq!(answer.read::<Option<u32>>(), None, "{text:?}");
        }
    }

    #[test]
    fn equal_sources_are_the_same_load() {
        let fetch = Arc::new(|n: u32| async move { Some(n) });
        let load = |source: u32| {
            Load(Arc::new(Pending {
                source,
                fetcher: Arc::clone(&fetch),
            }))
        };
        let (first, again, other) = (load(1), load(1), load(2));
        assert!(first == again);
        assert!(first != other);
    }
}
