//! Form fields bound to a value: what is typed goes into the value, and a change of the value
//! shows in the field. Every bound field of the app is one of these.
//!
//! Leptos' `bind:value` and `bind:checked` set the field's property, which only happens in the
//! browser: on the server a bound field renders empty, so a form filled in from a record would be
//! painted empty and fill in only once the page hydrates. Each field here also writes its first
//! value the way HTML does (`value`, `checked`, an option's `selected`, a textarea's text), which
//! also picks the right option of a select whose options are built after the select itself. When
//! Leptos renders bindings on the server, these become plain `bind:` again (see `ui/mod.rs`).
//!
//! Attributes other than the value go after `{..}`:
//! `<TextInput value=name {..} id="team-name" type="text" required maxlength="60" />`.

use leptos::prelude::*;

/// A field's value: what the field shows, and where what is typed goes.
pub struct Bound<T: Send + Sync + 'static> {
    read: Signal<T>,
    write: SignalSetter<T>,
}

impl<T: Send + Sync + 'static> Clone for Bound<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Bound<T> {}

impl<T: Send + Sync + 'static> From<RwSignal<T>> for Bound<T> {
    fn from(signal: RwSignal<T>) -> Self {
        Bound {
            read: signal.into(),
            write: signal.into(),
        }
    }
}

impl<T: Send + Sync + 'static> Bound<T> {
    /// A part of a larger value (one target of a list, one day of a week): `read` gives it,
    /// `write` puts a new one in place.
    pub fn part(
        read: impl Fn() -> T + Send + Sync + 'static,
        write: impl Fn(T) + Send + Sync + 'static,
    ) -> Self {
        Bound {
            read: Signal::derive(read),
            write: SignalSetter::map(write),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> Bound<T> {
    fn first(&self) -> T {
        self.read.get_untracked()
    }

    /// Reads the value (reactive).
    pub fn with<R>(&self, read: impl FnOnce(&T) -> R) -> R {
        self.read.with(read)
    }

    /// Changes the value in place.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        let mut value = self.read.get_untracked();
        change(&mut value);
        self.write.set(value);
    }
}

/// An `<input>` of any type that has a text value (text, e-mail, search, date, number…).
#[component]
pub fn TextInput(#[prop(into)] value: Bound<String>) -> impl IntoView {
    let first = Some(value.first()).filter(|v| !v.is_empty());
    view! { <input bind:value=(value.read, value.write) value=first /> }
}

/// A `<textarea>`; its first value is its text.
#[component]
pub fn TextArea(#[prop(into)] value: Bound<String>) -> impl IntoView {
    let first = value.first();
    let bound = (value.read, value.write);
    // an empty text would be rendered as a space
    if first.is_empty() {
        return view! { <textarea bind:value=bound></textarea> }.into_any();
    }
    // Leptos writes a textarea's text into the page as it is, as it does a script's: escaped
    // here, so that a `</textarea>` in it stays text. The browser builds its text node from
    // the text itself.
    #[cfg(feature = "ssr")]
    let first = escape_text(&first);
    view! { <textarea bind:value=bound>{first}</textarea> }.into_any()
}

/// `text` as it may stand in the page between tags.
#[cfg(feature = "ssr")]
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An `<input type="checkbox">`.
#[component]
pub fn CheckBox(#[prop(into)] checked: Bound<bool>) -> impl IntoView {
    let first = checked.first();
    view! { <input type="checkbox" bind:checked=(checked.read, checked.write) checked=first /> }
}

/// One option of a [`Select`].
pub struct Choice {
    value: String,
    label: String,
}

/// An option of a [`Select`]: its value, and what it says.
pub fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
    }
}

/// A `<select>` of `options`, after a first option `prompt` of value "" if there is one; the
/// option whose value is the first value is marked selected.
#[component]
pub fn Select(
    #[prop(into)] value: Bound<String>,
    options: Vec<Choice>,
    #[prop(optional)] prompt: Option<&'static str>,
) -> impl IntoView {
    let first = value.first();
    let options = options
        .into_iter()
        .map(|option| {
            let selected = !first.is_empty() && option.value == first;
            view! { <option value=option.value selected=selected>{option.label}</option> }
        })
        .collect_view();
    let prompt = prompt.map(|prompt| view! { <option value="">{prompt}</option> });
    view! { <select bind:value=(value.read, value.write)>{prompt}{options}</select> }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn html(view: impl FnOnce() -> AnyView) -> String {
        let owner = Owner::new();
        owner.with(|| view().to_html())
    }

    #[test]
    fn fields_are_painted_with_their_first_value() {
        let input = html(|| {
            let name = RwSignal::new("Atlas".to_string());
            view! { <TextInput value={name} {..} id="name" type="text" /> }.into_any()
        });
        assert!(input.contains(r#"value="Atlas""#), "{input}");
        assert!(input.contains(r#"id="name""#), "{input}");

        let text = html(|| {
            let body = RwSignal::new("Restart <it></textarea>".to_string());
            view! { <TextArea value={body} {..} id="body" /> }.into_any()
        });
        assert!(
            text.contains(">Restart &lt;it&gt;&lt;/textarea&gt;</textarea>"),
            "{text}"
        );

        let check = html(|| view! { <CheckBox checked=RwSignal::new(true) /> }.into_any());
        assert!(check.contains("checked"), "{check}");

        let select = html(|| {
            let tier = RwSignal::new("3".to_string());
            let options = vec![choice("2", "Tier 2"), choice("3", "Tier 3")];
            view! { <Select value={tier} prompt="Choose…" options /> }.into_any()
        });
        assert!(select.contains(r#"<option value="">Choose…"#), "{select}");
        assert!(select.contains(r#"<option value="2">Tier 2"#), "{select}");
        assert!(
            select.contains(r#"<option value="3" selected>Tier 3"#),
            "{select}"
        );
    }

    #[test]
    fn empty_fields_carry_no_first_value() {
        let input = html(|| view! { <TextInput value=RwSignal::new(String::new()) /> }.into_any());
        assert!(!input.contains("value"), "{input}");
        let text = html(|| view! { <TextArea value=RwSignal::new(String::new()) /> }.into_any());
        assert!(text.contains("<textarea></textarea>"), "{text}");
        let check = html(|| view! { <CheckBox checked=RwSignal::new(false) /> }.into_any());
        assert!(!check.contains("checked"), "{check}");
    }
}
