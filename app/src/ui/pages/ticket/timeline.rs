use crate::model::TimelineEntry;
use crate::ui::components::Ago;
use leptos::prelude::*;

/// Every step of the ticket the viewer may see, oldest first. Internal steps are marked.
#[component]
pub fn Timeline(entries: Vec<TimelineEntry>, now: i64) -> impl IntoView {
    view! {
        <section class="timeline" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"History"</h2>
            <ol>
                {entries.into_iter().map(|e| {
                    let class = match (e.public, e.body_html.is_some()) {
                        (false, _) => "entry entry-internal",
                        (true, true) => "entry entry-message",
                        (true, false) => "entry",
                    };
                    let actor = e.actor.clone().unwrap_or_else(|| "Frontline".into());
                    view! {
                        <li class=class data-kind=e.kind.as_str()>
                            <div class="entry-head">
                                <strong>{actor}</strong>" "{e.summary.clone()}
                                {(!e.public).then(|| view! { <span class="badge badge-internal">"Internal"</span> })}
                                {e.mail_id.map(|id| view! {
                                    <span class="badge badge-quiet">"by e-mail"</span>
                                    <a class="small" href=format!("/mail/{id}") download>"Original message"</a>
                                })}
                                <span class="entry-time"><Ago at=e.at now /></span>
                            </div>
                            {e.body_html.clone().map(|html| view! { <div class="entry-body" inner_html=html></div> })}
                            {e.quoted.clone().map(|text| view! {
                                <details class="quoted-text">
                                    <summary>"Show quoted text"</summary>
                                    <pre>{text}</pre>
                                </details>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
