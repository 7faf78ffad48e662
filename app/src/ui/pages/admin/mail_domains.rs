//! An organization's mail domains, on its edit page: mail from a stranger at one of them opens a
//! ticket for the organization. Each is added or removed on its own (and audited), apart from
//! the organization's form.

use crate::api::admin::{mail_domains, AddMailDomain, RemoveMailDomain};
use crate::model::admin::clean_domain;
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading};
use crate::ui::fields::TextInput;
use crate::ui::resource::resource;
use leptos::prelude::*;

#[component]
pub fn MailDomains(org_id: i64) -> impl IntoView {
    let add = ServerCall::<AddMailDomain>::new();
    let remove = ServerCall::<RemoveMailDomain>::new();
    let typed = RwSignal::new(String::new());
    let changes = Memo::new(move |_| add.version().get() + remove.version().get());
    let domains = resource(move || changes.get(), move |_| mail_domains(org_id));
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            typed.set(String::new());
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let domain = typed.get_untracked();
        add.send_checked(clean_domain(&domain), || AddMailDomain { org_id, domain });
    };
    let list = move || {
        Suspend::new(async move {
            match domains.await {
                Ok(list) if list.is_empty() => view! {
                    <p class="muted small">"No mail domains: mail from strangers waits in Unprocessed mail for someone to choose the client."</p>
                }
                .into_any(),
                Ok(list) => view! {
                    <ul class="holiday-list">
                        {list.into_iter().map(|domain| {
                            let label = format!("Remove the mail domain {domain}");
                            let gone = domain.clone();
                            view! {
                                <li>
                                    <span>{domain}</span>
                                    <button type="button" class="btn btn-quiet btn-small" aria-label=label
                                        disabled=move || remove.pending().get()
                                        on:click=move |_| remove.dispatch(RemoveMailDomain { org_id, domain: gone.clone() })>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            }
        })
    };
    view! {
        <section class="card admin-form" aria-labelledby="mail-domains-title">
            <h2 id="mail-domains-title">"Mail domains"</h2>
            <p class="muted small">"Mail from someone unknown at one of these domains opens a ticket for this organization and makes them a client of it."</p>
            <Transition fallback=move || view! { <Loading what="Loading mail domains…" /> }>{list}</Transition>
            {move || add.refusal().or_else(|| remove.refusal()).map(|error| view! { <ErrorNotice error /> })}
            <form class="field-row" on:submit=submit novalidate>
                <div class="field">
                    <label for="mail-domain">"Mail domain"</label>
                    <TextInput value={typed} {..} id="mail-domain" type="text" placeholder="e.g. contoso.com" maxlength="253" />
                </div>
                <div class="field field-button">
                    <button type="submit" class="btn" disabled=move || add.pending().get()>"Add domain"</button>
                </div>
            </form>
        </section>
    }
}
