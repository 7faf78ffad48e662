//! Browser-only helpers (feature `hydrate`). On the server these do nothing: everything that
//! touches `window` lives here, in one place.

/// Loads `path` as a fresh page, so that it renders with the new session (after sign-in/out).
pub fn load_page(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Marks the document as hydrated (`<html data-hydrated>`), so that tests and tools know the
/// page is interactive.
pub fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "");
    }
}

/// Waits `millis` in the browser (at once on the server).
pub async fn pause(millis: u32) {
    #[cfg(feature = "hydrate")]
    {
        let timer = js_sys::Promise::new(&mut |done, _| {
            if let Some(window) = web_sys::window() {
                let _ = window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&done, millis as i32);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(timer).await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = millis;
}

/// A key the queue acts on, with the row it applies to.
pub enum QueueKey {
    /// j/k moved the selection to this row.
    Select,
    Open,
    Claim,
}

/// The queue's keyboard: j/k move the selection (and focus) between rows, Enter opens the
/// selected ticket, c claims it. Keys typed into fields are left alone. `current` says which row
/// is selected now; the page keeps the selection, so that it survives the queue refreshing.
pub fn listen_to_queue_keys(
    rows: usize,
    current: impl Fn() -> usize + 'static,
    on_key: impl Fn(QueueKey, usize) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        use wasm_bindgen::JsCast;
        if rows == 0 {
            return;
        }
        let focus_row = |index: usize| {
            let link = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| {
                    d.query_selector_all("table.queue tbody tr td.ticket-cell a")
                        .ok()
                })
                .and_then(|links| links.item(index as u32))
                .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(link) = link {
                let _ = link.focus();
            }
        };
        let listener =
            window_event_listener(leptos::ev::keydown, move |e: web_sys::KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                            || el.has_attribute("contenteditable")
                    })
                    .unwrap_or(false);
                if typing {
                    return;
                }
                let current = current().min(rows - 1);
                let moved = match e.key().as_str() {
                    "j" => Some((current + 1).min(rows - 1)),
                    "k" => Some(current.saturating_sub(1)),
                    "Enter" => {
                        // a focused link opens itself; otherwise open the selected row
                        let on_link = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|el| el.tag_name() == "A");
                        if !on_link {
                            on_key(QueueKey::Open, current);
                        }
                        None
                    }
                    "c" => {
                        on_key(QueueKey::Claim, current);
                        None
                    }
                    _ => None,
                };
                if let Some(next) = moved {
                    on_key(QueueKey::Select, next);
                    focus_row(next);
                    e.prevent_default();
                }
            });
        on_cleanup(move || listener.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (rows, current, on_key);
}

/// The browser's clock in unix seconds (`None` on the server).
pub fn unix_now() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        Some((js_sys::Date::now() / 1000.0).floor() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// Moves the shared clock on every second (one timer per tab, kept for the page's life).
pub fn start_clock(clock: super::live::Clock) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        thread_local!(static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
        if STARTED.with(|s| s.replace(true)) {
            return;
        }
        if clock.now.get_untracked() == 0 {
            clock.now.set(unix_now().unwrap_or(0));
        }
        gloo_timers::callback::Interval::new(1000, move || {
            if let Some(now) = unix_now() {
                clock.now.set(now + clock.offset.get_untracked());
            }
        })
        .forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = clock;
}

/// Opens the tab's one EventSource on /api/live (once; later calls do nothing). Ticket events
/// update `last` at once; `version` moves at most every 300 ms so a burst refetches once.
/// After a reconnect everything on screen is refetched, since events may have been missed.
pub fn connect_live(live: super::live::LiveUpdates) {
    #[cfg(feature = "hydrate")]
    {
        use crate::model::live::{LiveMessage, EVENT_RESYNC, EVENT_TICKET};
        use leptos::prelude::*;
        use std::cell::{Cell, RefCell};
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        thread_local! {
            static SOURCE: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
            static BUMP_PENDING: Cell<bool> = const { Cell::new(false) };
            static HAD_ERROR: Cell<bool> = const { Cell::new(false) };
        }
        if SOURCE.with(|s| s.borrow().is_some()) {
            return;
        }
        let Ok(source) = web_sys::EventSource::new("/api/live") else {
            return;
        };
        let bump = move || {
            if BUMP_PENDING.with(|p| p.replace(true)) {
                return;
            }
            gloo_timers::callback::Timeout::new(300, move || {
                BUMP_PENDING.with(|p| p.set(false));
                live.version.update(|v| *v += 1);
            })
            .forget();
        };
        let on_ticket =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let message = e
                    .data()
                    .as_string()
                    .and_then(|d| serde_json::from_str::<LiveMessage>(&d).ok());
                if let Some(message) = message {
                    live.last.set(Some(message));
                    bump();
                }
            });
        let on_resync = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
            live.last.set(None);
            bump();
        });
        let on_open = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            if HAD_ERROR.with(|h| h.replace(false)) {
                live.last.set(None);
                bump();
            }
        });
        let on_error =
            Closure::<dyn Fn(web_sys::Event)>::new(move |_| HAD_ERROR.with(|h| h.set(true)));
        let _ = source
            .add_event_listener_with_callback(EVENT_TICKET, on_ticket.as_ref().unchecked_ref());
        let _ = source
            .add_event_listener_with_callback(EVENT_RESYNC, on_resync.as_ref().unchecked_ref());
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // the listeners live as long as the tab
        on_ticket.forget();
        on_resync.forget();
        on_open.forget();
        on_error.forget();
        SOURCE.with(|s| *s.borrow_mut() = Some(source));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
}

/// Copies `source` into `settled` once it has stopped changing for `ms` milliseconds (typing
/// pauses), so that a search runs once per pause rather than once per key.
pub fn debounce(
    source: leptos::prelude::RwSignal<String>,
    settled: leptos::prelude::RwSignal<String>,
    ms: u32,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        use std::cell::RefCell;
        use std::rc::Rc;
        let pending: Rc<RefCell<Option<gloo_timers::callback::Timeout>>> = Rc::default();
        Effect::new(move |_| {
            let text = source.get();
            // dropping the previous timeout cancels it
            let timeout = gloo_timers::callback::Timeout::new(ms, move || settled.set(text));
            pending.borrow_mut().replace(timeout);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (source, settled, ms);
}

/// A counter that follows `source` at most once per `ms` milliseconds: a change after a quiet
/// spell passes at once, changes during the spell pass as one at its end. For work too dear to
/// redo on every live event (the forecast).
pub fn throttle(source: leptos::prelude::RwSignal<u64>, ms: u32) -> leptos::prelude::RwSignal<u64> {
    use leptos::prelude::*;
    let out = RwSignal::new(0u64);
    #[cfg(feature = "hydrate")]
    {
        use std::cell::Cell;
        use std::rc::Rc;
        let cooling = Rc::new(Cell::new(false));
        let missed = Rc::new(Cell::new(false));
        Effect::new(move |seen: Option<()>| {
            source.track();
            // the first run is the page arriving, not a change
            if seen.is_none() {
                return;
            }
            if cooling.get() {
                missed.set(true);
            } else {
                out.update(|v| *v += 1);
                cool(out, cooling.clone(), missed.clone(), ms);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (source, ms);
    out
}

#[cfg(feature = "hydrate")]
fn cool(
    out: leptos::prelude::RwSignal<u64>,
    cooling: std::rc::Rc<std::cell::Cell<bool>>,
    missed: std::rc::Rc<std::cell::Cell<bool>>,
    ms: u32,
) {
    use leptos::prelude::*;
    cooling.set(true);
    gloo_timers::callback::Timeout::new(ms, move || {
        // the page may be gone by now: its signal with it
        if missed.replace(false) && out.try_update(|v| *v += 1).is_some() {
            cool(out, cooling, missed, ms);
        } else {
            cooling.set(false);
        }
    })
    .forget();
}

/// The file input `input_id` and the file chosen in it, if any.
#[cfg(feature = "hydrate")]
fn chosen_file(input_id: &str) -> Option<(web_sys::HtmlInputElement, web_sys::File)> {
    use wasm_bindgen::JsCast;
    let input = web_sys::window()?
        .document()?
        .get_element_by_id(input_id)?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let file = input.files()?.get(0)?;
    Some((input, file))
}

/// Sends the file chosen in the file input `input_id` to ticket `ticket` as an attachment (for
/// the desk only when `internal`).
/// `Ok(None)` when no file was chosen; the server's refusal comes back as its error.
pub async fn upload_attachment(
    input_id: &str,
    ticket: i64,
    internal: bool,
) -> Result<Option<()>, crate::model::AppError> {
    #[cfg(feature = "hydrate")]
    {
        use crate::model::AppError;
        let Some((input, file)) = chosen_file(input_id) else {
            return Ok(None);
        };
        let url = format!(
            "/api/attachments?ticket={ticket}&internal={internal}&name={}",
            String::from(js_sys::encode_uri_component(&file.name()))
        );
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&file);
        let response = crate::api::transport::fetch(&url, &init).await?;
        if response.ok() {
            input.set_value("");
            return Ok(Some(()));
        }
        let text = match response.text() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        Err(serde_json::from_str(&text).unwrap_or_else(|_| {
            if response.status() == 413 {
                AppError::PayloadTooLarge("The file is too large to attach.".into())
            } else {
                AppError::Internal
            }
        }))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (input_id, ticket, internal);
        Ok(None)
    }
}

/// Reads the text file chosen in the file input `input_id` (`Ok(None)` when none is chosen). A
/// file over `max_bytes` or not in UTF-8 is refused with a plain message before anything is sent.
pub async fn read_text_file(
    input_id: &str,
    max_bytes: usize,
) -> Result<Option<String>, crate::model::AppError> {
    #[cfg(feature = "hydrate")]
    {
        use crate::model::AppError;
        let Some((_, file)) = chosen_file(input_id) else {
            return Ok(None);
        };
        if file.size() > max_bytes as f64 {
            return Err(AppError::PayloadTooLarge(format!(
                "{} is larger than {} KB. Split it into smaller files.",
                file.name(),
                max_bytes / 1024
            )));
        }
        let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| AppError::Invalid(format!("{} could not be read.", file.name())))?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let text = String::from_utf8(bytes).map_err(|_| {
            AppError::Invalid(format!(
                "{} is not UTF-8 text. Save it as “CSV UTF-8” and choose it again.",
                file.name()
            ))
        })?;
        // A UTF-8 byte-order mark (as spreadsheets write it) is not part of the first column name.
        Ok(Some(text.trim_start_matches('\u{feff}').to_string()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (input_id, max_bytes);
        Ok(None)
    }
}
