//! Forms that edit a record: the draft in one signal, its fields bound to its parts, and the
//! server's own checks run in the browser first, so that a refusal shows before anything is sent.

use super::action::ServerCall;
use super::fields::Bound;
use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The record a form edits. Fields are bound to its parts ([`Draft::part`]); the form sends
/// [`Draft::get`] as a whole.
pub struct Draft<D: Send + Sync + 'static>(RwSignal<D>);

impl<D: Send + Sync + 'static> Clone for Draft<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Send + Sync + 'static> Copy for Draft<D> {}

impl<D: Clone + Send + Sync + 'static> Draft<D> {
    pub fn new(draft: D) -> Self {
        Draft(RwSignal::new(draft))
    }

    /// The draft as it stands (not reactive: read on submit).
    pub fn get(&self) -> D {
        self.0.get_untracked()
    }

    /// Starts over from `draft` (another record, or a blank one).
    pub fn set(&self, draft: D) {
        self.0.set(draft);
    }

    /// Reads a part of the draft (reactive).
    pub fn with<T>(&self, read: impl FnOnce(&D) -> T) -> T {
        self.0.with(read)
    }

    /// Changes a part of the draft.
    pub fn update(&self, write: impl FnOnce(&mut D)) {
        self.0.update(write);
    }

    /// A select's value for an optional record id in the draft ("" for none).
    pub fn id_part(
        &self,
        read: fn(&D) -> Option<i64>,
        write: fn(&mut D, Option<i64>),
    ) -> Bound<String> {
        let draft = self.0;
        Bound::part(
            move || draft.with(|d| read(d).map(|id| id.to_string()).unwrap_or_default()),
            move |value: String| draft.update(|d| write(d, value.parse().ok())),
        )
    }

    /// One field's value: `read` takes it from the draft, `write` puts what was typed back.
    pub fn part<T: Send + Sync + 'static>(
        &self,
        read: fn(&D) -> T,
        write: fn(&mut D, T),
    ) -> Bound<T> {
        let draft = self.0;
        Bound::part(
            move || draft.with(read),
            move |value| draft.update(|d| write(d, value)),
        )
    }
}

impl<S> ServerCall<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    Result<S::Output, AppError>: super::resource::Loadable,
{
    /// Sends `input` if the form's draft passed `check` (the rules the server applies);
    /// otherwise shows the refusal as this call's result, without calling the server.
    pub fn send_checked<Valid>(&self, check: Result<Valid, String>, input: impl FnOnce() -> S) {
        match check {
            Ok(_) => self.dispatch(input()),
            Err(message) => self.value().set(Some(Err(AppError::Invalid(message)))),
        }
    }

    /// Why the latest call was refused, if it was (reactive).
    pub fn refusal(&self) -> Option<AppError> {
        self.value().get().and_then(Result::err)
    }
}
