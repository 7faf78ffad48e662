//! Two-step sign-in as people see it: the QR code to set it up, recovery codes shown once, and
//! the security card of "My preferences".

use crate::api::profile::{
    get_second_factor, FinishSecondFactor, ForgetTrustedBrowsers, RenewRecoveryCodes,
    StartSecondFactor, TurnOffSecondFactor,
};
use crate::model::second_factor::{EnrolmentOffer, SecondFactorStatus};
use crate::model::time::format_utc;
use crate::model::AppError;
use crate::ui::action::ServerCall;
use crate::ui::components::{ErrorNotice, Loading};
use crate::ui::resource::resource;
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;

/// The new secret as a QR code to scan, a link for an app on this device, and text to type.
#[component]
pub fn EnrolmentQr(offer: EnrolmentOffer) -> impl IntoView {
    let key = offer.secret.replace(' ', "");
    view! {
        <div class="enrolment">
            // the server made this picture from the secret alone; nothing in it comes from a user
            <div class="qr" role="img" aria-label="QR code to scan with your authenticator app" inner_html=offer.qr_svg></div>
            <div>
                <p class="small">"Can't scan it? Type this key into your app (time-based):"</p>
                <p><code class="secret" data-secret=key>{offer.secret}</code></p>
                <p class="small"><a href=offer.otpauth_uri>"Open in an authenticator app on this device"</a></p>
            </div>
        </div>
    }
}

/// Recovery codes, shown once: each signs in one time when the phone is not at hand.
#[component]
pub fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="notice notice-success" role="status">
            <h2>"Your recovery codes"</h2>
            <p>
                "Each of these codes signs you in once if you lose your phone. Print them or keep them in your password manager now: they are not shown again."
            </p>
            <ul class="recovery-codes" aria-label="Recovery codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}

/// The security card: set up, renew recovery codes, forget trusted browsers, turn off.
#[component]
pub fn SecondFactorCard() -> impl IntoView {
    let start = ServerCall::<StartSecondFactor>::new();
    let finish = ServerCall::<FinishSecondFactor>::new();
    let renew = ServerCall::<RenewRecoveryCodes>::new();
    let turn_off = ServerCall::<TurnOffSecondFactor>::new();
    let forget = ServerCall::<ForgetTrustedBrowsers>::new();
    let changes = move || {
        (
            finish.version().get(),
            turn_off.version().get(),
            forget.version().get(),
            renew.version().get(),
        )
    };
    let status = resource(changes, |_| get_second_factor());
    view! {
        <section class="card" aria-labelledby="second-factor-title">
            <h2 id="second-factor-title">"Two-step sign-in"</h2>
            {move || {
                let codes = finish
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .or_else(|| renew.value().get().and_then(Result::ok));
                codes.map(|codes| view! { <RecoveryCodes codes /> })
            }}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) if status.enrolled => EitherOf4::A(view! {
                            <Enrolled status renew turn_off forget />
                        }),
                        Ok(status) => match start.value().get() {
                            Some(Ok(offer)) => EitherOf4::B(view! {
                                <p>"Scan this code with your authenticator app, then enter the 6 digits it shows."</p>
                                <EnrolmentQr offer />
                                <CodeForm
                                    send=Callback::new(move |code| finish.dispatch(FinishSecondFactor { code }))
                                    pending=finish.pending()
                                    error=Signal::derive(move || finish.value().get().and_then(Result::err))
                                    label="Code from your app"
                                    button="Turn on"
                                />
                            }),
                            _ => EitherOf4::C(view! {
                                <p>
                                    {if status.required {
                                        "Your desk requires a code from an authenticator app when you sign in on a new browser."
                                    } else {
                                        "Add a code from an authenticator app to your password, so a stolen password alone cannot sign in as you."
                                    }}
                                </p>
                                {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                                <button type="button" class="btn btn-primary" disabled=move || start.pending().get()
                                    on:click=move |_| start.dispatch(StartSecondFactor {})>
                                    "Set up two-step sign-in"
                                </button>
                            }),
                        },
                        Err(error) => EitherOf4::D(view! { <ErrorNotice error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Enrolled(
    status: SecondFactorStatus,
    renew: ServerCall<RenewRecoveryCodes>,
    turn_off: ServerCall<TurnOffSecondFactor>,
    forget: ServerCall<ForgetTrustedBrowsers>,
) -> impl IntoView {
    let devices = status.trusted_devices;
    view! {
        <p>
            <strong>"On."</strong>
            {format!(
                " You sign in with a code from your authenticator app. {} unused recovery code{} left.",
                status.recovery_codes_left,
                if status.recovery_codes_left == 1 { "" } else { "s" },
            )}
        </p>
        <h3>"Trusted browsers"</h3>
        {if devices.is_empty() {
            Either::Left(view! { <p class="muted">"No browser skips the code."</p> })
        } else {
            Either::Right(view! {
                <ul class="trusted-browsers">
                    {devices.into_iter().map(|d| view! {
                        <li>{d.label}" — trusted until "{format_utc(d.expires_at)}</li>
                    }).collect_view()}
                </ul>
                <button type="button" class="btn" disabled=move || forget.pending().get()
                    on:click=move |_| forget.dispatch(ForgetTrustedBrowsers {})>
                    "Forget these browsers"
                </button>
            })
        }}
        <h3>"New recovery codes"</h3>
        <CodeForm
            send=Callback::new(move |code| renew.dispatch(RenewRecoveryCodes { code }))
            pending=renew.pending()
            error=Signal::derive(move || renew.value().get().and_then(Result::err))
            label="Current code from your app"
            button="Make new recovery codes"
        />
        {(!status.required).then(|| view! {
            <h3>"Turn off"</h3>
            <CodeForm
                send=Callback::new(move |code| turn_off.dispatch(TurnOffSecondFactor { code }))
                pending=turn_off.pending()
                error=Signal::derive(move || turn_off.value().get().and_then(Result::err))
                label="Code to turn off"
                button="Turn off two-step sign-in"
            />
        })}
    }
}

/// A code field and a button; `send` gets what was typed.
#[component]
fn CodeForm(
    send: Callback<String>,
    pending: Memo<bool>,
    error: Signal<Option<AppError>>,
    label: &'static str,
    button: &'static str,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let id = format!("code-{}", label.to_lowercase().replace(' ', "-"));
    view! {
        <form class="inline-form" on:submit=move |e| {
            e.prevent_default();
            send.run(code.get_untracked());
        }>
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="20" required bind:value=code />
            </div>
            <button type="submit" class="btn" disabled=move || pending.get()>{button}</button>
        </form>
        {move || error.get().map(|error| view! { <ErrorNotice error /> })}
    }
}
