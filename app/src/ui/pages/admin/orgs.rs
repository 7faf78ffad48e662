//! Organizations: the list, and the form with calendar, holidays, SLA targets and teams.

use super::list::{admin_list, ListText};
use super::mail_domains::MailDomains;
use super::{check_list, edit_actions, edit_page, record_id, AdminHead, EditPageText};
use crate::api::admin::{get_admin_choices, get_org, list_orgs, SaveOrg, SetOrgActive};
use crate::model::admin::{
    parse_date, AdminChoices, HolidayDraft, OrgDraft, OrgEdit, WEEKDAY_NAMES,
};
use crate::ui::action::ServerCall;
use crate::ui::components::{DataTable, ErrorNotice, PageHeader};
use crate::ui::fields::{Bound, CheckBox, TextInput};
use crate::ui::form::Draft;
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn AdminOrgsPage() -> impl IntoView {
    let orgs = resource(|| (), |_| list_orgs());
    let text = ListText {
        loading: "Loading organizations…",
        empty: "No organizations yet.",
        hint: "Create the first client organization with “New organization”.",
    };
    view! {
        <AdminHead title="Organizations" subtitle="Client companies, their business hours and SLA policy.">
            <a class="btn btn-primary" href="/admin/orgs/new">"New organization"</a>
        </AdminHead>
        {admin_list(text, orgs, |rows| view! {
            <DataTable caption="Organizations" columns=&["Name", "Code", "Time zone", "Active users", "Served by", "Status"]>
                {rows.into_iter().map(|o| view! {
                    <tr>
                        <th scope="row"><a href=format!("/admin/orgs/{}", o.id)>{o.name}</a></th>
                        <td>{o.code}</td>
                        <td>{o.time_zone}</td>
                        <td>{o.users}</td>
                        <td>{if o.teams.is_empty() { "No team".to_string() } else { o.teams.join(", ") }}</td>
                        <td>{if o.active {
                            view! { <span class="badge">"Active"</span> }.into_any()
                        } else {
                            view! { <span class="badge badge-quiet">"Deactivated"</span> }.into_any()
                        }}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }.into_any())}
    }
}

#[component]
pub fn AdminOrgEditPage() -> impl IntoView {
    let text = EditPageText {
        opening: "Opening the organization…",
        title: "Organization",
        back_href: "/admin/orgs",
        back_label: "Back to organizations",
    };
    edit_page(
        text,
        |id| async move {
            let choices = get_admin_choices().await?;
            let edit = match record_id(id, "There is no such organization.")? {
                Some(id) => Some(get_org(id).await?),
                None => None,
            };
            Ok((choices, edit))
        },
        |(choices, edit)| view! { <OrgForm choices edit /> }.into_any(),
    )
}

#[component]
fn OrgForm(choices: AdminChoices, edit: Option<OrgEdit>) -> impl IntoView {
    let org_id = edit.as_ref().map(|e| e.id);
    let start = edit.as_ref().map(|e| e.draft.clone()).unwrap_or_default();
    let active = RwSignal::new(edit.as_ref().map(|e| e.active).unwrap_or(true));
    // kept as typed: the number is read when the form is sent
    let warn = RwSignal::new(start.warn_percent.to_string());
    let draft = Draft::new(start);
    let new_day = RwSignal::new(String::new());
    let new_day_name = RwSignal::new(String::new());
    let holiday_error = RwSignal::new(None::<String>);

    let save = ServerCall::<SaveOrg>::new();
    let toggle = ServerCall::<SetOrgActive>::new();
    let saved = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            if org_id.is_none() {
                navigate(&format!("/admin/orgs/{id}"), Default::default());
            } else {
                saved.set(true);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = toggle.value().get() {
            active.update(|a| *a = !*a);
        }
    });
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        saved.set(false);
        let draft = OrgDraft {
            warn_percent: warn.get_untracked().trim().parse().unwrap_or(0),
            ..draft.get()
        };
        save.send_checked(draft.validate(), || SaveOrg { id: org_id, draft });
    };
    let add_holiday = move |_| {
        holiday_error.set(None);
        match parse_date(&new_day.get_untracked()) {
            Ok(day) => {
                if draft.with(|d| d.holidays.iter().any(|x| x.day == day)) {
                    holiday_error.set(Some(format!("{day} is already a holiday.")));
                    return;
                }
                let name = new_day_name.get_untracked();
                draft.update(|d| {
                    d.holidays.push(HolidayDraft { day, name });
                    d.holidays.sort_by(|a, b| a.day.cmp(&b.day));
                });
                new_day.set(String::new());
                new_day_name.set(String::new());
            }
            Err(message) => holiday_error.set(Some(message)),
        }
    };
    // an existing record is named, so that nobody edits the wrong one
    let heading = edit
        .as_ref()
        .map_or_else(|| "New organization".to_owned(), |e| e.draft.name.clone());
    let zones = choices.time_zones.clone();
    view! {
        <Title text=heading.clone() />
        <PageHeader title=heading subtitle="Changes to the calendar and targets apply to tickets raised from now on.">
            {org_id.map(|id| view! {
                <span class="badge">{move || if active.get() { "Active" } else { "Deactivated" }}</span>
                <button type="button" class="btn" disabled=move || toggle.pending().get()
                    on:click=move |_| { toggle.dispatch(SetOrgActive { id, active: !active.get_untracked() }); }>
                    {move || if active.get() { "Deactivate organization" } else { "Reactivate organization" }}
                </button>
            })}
        </PageHeader>
        {move || toggle.refusal().map(|error| view! { <ErrorNotice error /> })}
        <Show when=move || !active.get()>
            <p class="notice notice-info" role="status">"This organization is deactivated: its users cannot sign in. Its tickets are kept."</p>
        </Show>
        <form class="card admin-form" on:submit=submit novalidate>
            {move || save.refusal().map(|error| view! { <ErrorNotice error /> })}
            <Show when=move || saved.get()>
                <p class="notice notice-success" role="status">"Saved."</p>
            </Show>
            <div class="field-row">
                <div class="field">
                    <label for="org-name">"Name"</label>
                    <TextInput value={draft.part(|d| d.name.clone(), |d, name| d.name = name)} {..} id="org-name" type="text" required=true maxlength="120" />
                </div>
                <div class="field">
                    <label for="org-code">"Short code"</label>
                    <TextInput value={draft.part(|d| d.code.clone(), |d, code| d.code = code)} {..} id="org-code" type="text" required=true maxlength="12" placeholder="e.g. NWL" />
                </div>
                <div class="field">
                    <label for="org-tz">"Time zone"</label>
                    <TextInput value={draft.part(|d| d.time_zone.clone(), |d, zone| d.time_zone = zone)} {..} id="org-tz" type="text" required=true list="time-zones" placeholder="Europe/Paris" />
                    <datalist id="time-zones">
                        {zones.into_iter().map(|z| view! { <option value=z.clone()></option> }).collect_view()}
                    </datalist>
                </div>
            </div>
            <fieldset class="fieldset">
                <legend>"Business hours (local time)"</legend>
                <div class="field-row">
                    <div class="field">
                        <label for="org-start">"Opens at"</label>
                        <TextInput value={draft.part(|d| d.hours_start.clone(), |d, at| d.hours_start = at)} {..} id="org-start" type="time" required=true />
                    </div>
                    <div class="field">
                        <label for="org-end">"Closes at"</label>
                        <TextInput value={draft.part(|d| d.hours_end.clone(), |d, at| d.hours_end = at)} {..} id="org-end" type="time" required=true />
                    </div>
                </div>
                <div class="weekdays" role="group" aria-label="Working days">
                    {(0..7).map(|i| view! {
                        <label class="check">
                            <CheckBox checked=Bound::part(move || draft.with(|d| d.working_days[i]), move |on| draft.update(|d| d.working_days[i] = on)) />
                            {WEEKDAY_NAMES[i]}
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset class="fieldset">
                <legend>"Holidays (no business hours on these dates)"</legend>
                {move || {
                    let list = draft.with(|d| d.holidays.clone());
                    if list.is_empty() {
                        view! { <p class="muted small">"No holidays."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="holiday-list">
                                {list.into_iter().map(|h| {
                                    let day = h.day.clone();
                                    let label = format!("Remove the holiday on {}", h.day);
                                    view! {
                                        <li>
                                            <span>{h.day.clone()}" "{if h.name.trim().is_empty() { "Holiday".to_string() } else { h.name.clone() }}</span>
                                            <button type="button" class="btn btn-quiet btn-small" aria-label=label
                                                on:click=move |_| draft.update(|d| d.holidays.retain(|x| x.day != day))>"Remove"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
                <div class="field-row">
                    <div class="field">
                        <label for="holiday-day">"Holiday date"</label>
                        <TextInput value={new_day} {..} id="holiday-day" type="date" />
                    </div>
                    <div class="field">
                        <label for="holiday-name">"Holiday name"</label>
                        <TextInput value={new_day_name} {..} id="holiday-name" type="text" maxlength="80" />
                    </div>
                    <div class="field field-button">
                        <button type="button" class="btn" on:click=add_holiday>"Add holiday"</button>
                    </div>
                </div>
                {move || holiday_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </fieldset>
            <fieldset class="fieldset">
                <legend>"SLA policy"</legend>
                <div class="field narrow">
                    <label for="org-warn">"Warn when this much of a target has elapsed (%)"</label>
                    <TextInput value={warn} {..} id="org-warn" type="number" min="1" max="99" required=true />
                </div>
                <div class="table-wrap" tabindex="0">
                    <table>
                        <caption class="visually-hidden">"Targets per priority, in minutes"</caption>
                        <thead><tr>
                            <th scope="col">"Priority"</th>
                            <th scope="col">"First response (minutes)"</th>
                            <th scope="col">"Resolution (minutes)"</th>
                            <th scope="col">"Counted around the clock"</th>
                        </tr></thead>
                        <tbody>
                            {draft.get().targets.into_iter().enumerate().map(|(i, t)| {
                                let p = t.priority.label();
                                view! {
                                    <tr>
                                        <th scope="row">{p}</th>
                                        <td><TextInput value={minutes(draft, i, false)} {..}
                                            type="number" min="1" aria-label=format!("{p} first response target in minutes") /></td>
                                        <td><TextInput value={minutes(draft, i, true)} {..}
                                            type="number" min="1" aria-label=format!("{p} resolution target in minutes") /></td>
                                        <td><CheckBox checked={Bound::part(
                                                move || draft.with(|d| d.targets.get(i).is_some_and(|x| x.around_the_clock)),
                                                move |on| draft.update(|d| if let Some(x) = d.targets.get_mut(i) { x.around_the_clock = on }),
                                            )} {..} aria-label=format!("{p} counted around the clock") /></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </fieldset>
            <fieldset class="fieldset">
                <legend>"Teams that serve it"</legend>
                {if choices.teams.is_empty() {
                    view! { <p class="muted small">"There are no teams yet."</p> }.into_any()
                } else {
                    check_list(choices.teams, draft.part(|d| d.teams.clone(), |d, ids| d.teams = ids)).into_any()
                }}
            </fieldset>
            {edit_actions(save.pending(), org_id.is_some(), "Create organization", "/admin/orgs", "Back to organizations")}
        </form>
        {org_id.map(|org_id| view! { <MailDomains org_id /> })}
    }
}

/// One target's minutes (the resolution's or the first response's) as the text of a number
/// field; what is typed that is not a number counts as 0 (the form's check then says so).
fn minutes(draft: Draft<OrgDraft>, i: usize, resolution: bool) -> Bound<String> {
    Bound::part(
        move || {
            draft.with(|d| {
                d.targets
                    .get(i)
                    .map(|x| {
                        if resolution {
                            x.resolution_mins
                        } else {
                            x.response_mins
                        }
                    })
                    .map(|mins| mins.to_string())
                    .unwrap_or_default()
            })
        },
        move |text: String| {
            let mins = text.trim().parse().unwrap_or(0);
            draft.update(|d| match d.targets.get_mut(i) {
                Some(x) if resolution => x.resolution_mins = mins,
                Some(x) => x.response_mins = mins,
                None => {}
            })
        },
    )
}
