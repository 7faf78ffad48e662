//! Server actions: a server function a page calls on a click or a submit, with its last result,
//! whether it is running, and how many times it has finished.
//!
//! Like resources (see `resource.rs`), every action is one Leptos action type, `Action<Call,
//! Answer>`, so Leptos' dispatch machinery is compiled once for all of them; a
//! [`ServerCall<S>`] gives it back its types.

use super::resource::{Answer, Loadable};
use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

/// One dispatch: the server function's arguments, ready to be sent.
#[derive(Clone)]
pub struct Call(Arc<dyn Run>);

trait Run: Send + Sync {
    fn run(&self) -> Pin<Box<dyn Future<Output = Answer> + Send>>;
}

impl<S> Run for S
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    Result<S::Output, AppError>: Loadable,
{
    fn run(&self) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        let call = self.clone().run_on_client();
        Box::pin(async move { Answer::new(call.await) })
    }
}

/// The one Leptos action type every server call goes through.
fn erased() -> Action<Call, Answer> {
    Action::new(|call: &Call| call.0.run())
}

/// Calls server function `S` from the page.
pub struct ServerCall<S> {
    inner: Action<Call, Answer>,
    of: PhantomData<fn() -> S>,
}

impl<S> Clone for ServerCall<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for ServerCall<S> {}

impl<S> ServerCall<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    Result<S::Output, AppError>: Loadable,
{
    pub fn new() -> Self {
        ServerCall {
            inner: erased(),
            of: PhantomData,
        }
    }

    /// Sends `input` to the server; the result arrives in [`ServerCall::value`].
    pub fn dispatch(&self, input: S) {
        self.inner.dispatch(Call(Arc::new(input)));
    }

    /// The result of the latest call, if one has finished.
    pub fn value(&self) -> CallResult<S::Output> {
        CallResult {
            inner: self.inner,
            of: PhantomData,
        }
    }

    /// Whether a call is on its way.
    pub fn pending(&self) -> Memo<bool> {
        self.inner.pending()
    }

    /// How many calls have finished (pages reload their data when it moves).
    pub fn version(&self) -> RwSignal<usize> {
        self.inner.version()
    }
}

impl<S> Default for ServerCall<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    Result<S::Output, AppError>: Loadable,
{
    fn default() -> Self {
        Self::new()
    }
}

/// The result of a [`ServerCall`], typed.
pub struct CallResult<O> {
    inner: Action<Call, Answer>,
    of: PhantomData<fn() -> O>,
}

impl<O> CallResult<O>
where
    Result<O, AppError>: Loadable,
{
    /// The result (reactive).
    pub fn get(&self) -> Option<Result<O, AppError>> {
        self.inner.value().get().map(|answer| answer.read())
    }

    /// Shows a result without calling the server: a refusal found in the browser already.
    pub fn set(&self, result: Option<Result<O, AppError>>) {
        self.inner.value().set(result.map(Answer::new));
    }
}
