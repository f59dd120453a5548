//! My access (`/access`): what I can and can't use here, each "can't" in plain
//! words and told apart (not in your role; not in your plan or not turned on), with
//! "Request access" next to every "can't" a role change would fix. A deep link
//! `/access?feature=…` or `?permission=…` answers one question, so a host product
//! can send its own "denied" screens here; Gatehouse's own refused pages show the
//! same [`AccessExplanation`].

use crate::api::requests::{get_my_access, RequestAccess};
use crate::domain::access::diagnose::Target;
use crate::domain::access::{FeatureDecision, Reason, ReasonKind};
use crate::domain::requests::{MyAccess, MAX_REASON_CHARS};
use crate::domain::AppError;
use crate::ui::widgets::{error_of, loading, toast_on_success, ErrorPage, FieldMessage, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// How a reason reads as a heading word (seed 001: told apart).
fn kind_words(kind: ReasonKind) -> &'static str {
    match kind {
        ReasonKind::Authentication => "You can't get in",
        ReasonKind::Authorization => "Not in your role",
        ReasonKind::ProductScope => "Not in your plan, or not turned on for this workspace",
    }
}

fn reason_list(reasons: Vec<Reason>) -> impl IntoView {
    view! {
        <ul class="feature-reasons">
            {reasons.into_iter().map(|r| view! {
                <li><strong class="reason-kind">{kind_words(r.kind)}": "</strong>{r.for_person}</li>
            }).collect_view()}
        </ul>
    }
}

/// "Request access", with an optional reason; a `<details>` so it opens without
/// JavaScript, and a plain form so it sends without it.
#[component]
fn RequestForm(
    target: Target,
    requested: bool,
    action: ServerAction<RequestAccess>,
) -> impl IntoView {
    if requested {
        return view! { <p class="note request-sent">"You've asked for this. Your admins will decide, and you'll get an email."</p> }.into_any();
    }
    let key = target.key();
    let id = format!("why-{}", key.replace([':', '.'], "-"));
    let error = error_of(move || action.value().get());
    view! {
        <details class="request">
            <summary class="btn btn-small">"Request access"</summary>
            <ActionForm action attr:class="form request-form">
                <input type="hidden" name="target" value=key />
                <div class="field">
                    <label for=id.clone()>"Why do you need it? (optional)"</label>
                    <textarea id=id name="why" rows="2" maxlength=MAX_REASON_CHARS.to_string()></textarea>
                    <FieldMessage error field="why" />
                </div>
                <FormAlert error />
                <button type="submit" class="btn btn-primary btn-small" disabled=move || action.pending().get()>
                    "Send request"
                </button>
            </ActionForm>
        </details>
    }
    .into_any()
}

/// One feature: available, or why not, with a request where one can help.
fn feature_row(
    decision: FeatureDecision,
    requested: &[String],
    action: ServerAction<RequestAccess>,
) -> impl IntoView {
    let allowed = decision.allowed();
    let target = Target::Feature(decision.feature);
    let asks = decision
        .reasons
        .iter()
        .all(|r| r.kind == ReasonKind::Authorization);
    let is_requested = requested.contains(&target.key());
    view! {
        <li class:allowed=allowed class:blocked=!allowed data-feature=decision.feature.as_str()>
            <span class="feature-name">{decision.feature.label()}</span>
            {if allowed {
                view! { <span class="feature-state">"Available"</span> }.into_any()
            } else {
                view! {
                    <span class="feature-state">"Not available"</span>
                    {reason_list(decision.reasons)}
                    {asks.then(|| view! { <RequestForm target requested=is_requested action /> })}
                }.into_any()
            }}
        </li>
    }
}

/// The features list (the home page shows it too).
#[component]
pub fn FeatureList(access: MyAccess, action: ServerAction<RequestAccess>) -> impl IntoView {
    let requested = access.requested.clone();
    view! {
        <ul class="feature-status" data-testid="my-features">
            {access.features.into_iter().map(|d| feature_row(d, &requested, action)).collect_view()}
        </ul>
    }
}

/// The answer to one question: can I do this here, and if not why, with a request.
#[component]
fn FocusVerdict(access: MyAccess, action: ServerAction<RequestAccess>) -> impl IntoView {
    let Some(focus) = access.focus.clone() else {
        return ().into_any();
    };
    let what = focus.target.what();
    let tenant = access.tenant.clone();
    let requested = access.requested.contains(&focus.target.key());
    let asks = !focus.reasons.is_empty()
        && focus
            .reasons
            .iter()
            .all(|r| r.kind == ReasonKind::Authorization);
    let allowed = focus.reasons.is_empty();
    view! {
        <section class="card focus-verdict" class:allowed=allowed data-testid="focus-verdict" aria-labelledby="focus-title">
            <h2 id="focus-title">{format!("Can you {what}?")}</h2>
            {if allowed {
                view! { <p>{format!("Yes: you can {what} in {tenant}. If it still doesn't work, sign out and in again, then try once more.")}</p> }.into_any()
            } else {
                view! {
                    <p>{format!("No, not in {tenant} right now.")}</p>
                    {reason_list(focus.reasons)}
                    {asks.then(|| view! { <RequestForm target=focus.target requested action /> })}
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// The target of `?feature=…`, `?permission=…` or `?focus=…`, as a key.
fn focus_key(feature: Option<String>, permission: Option<String>, focus: Option<String>) -> String {
    match (feature, permission, focus) {
        (Some(f), _, _) => format!("feature:{f}"),
        (None, Some(p), _) => format!("permission:{p}"),
        (None, None, Some(k)) => k,
        _ => String::new(),
    }
}

/// A request action whose success says so and reloads with `reload`.
pub fn request_action(reload: RwSignal<u64>) -> ServerAction<RequestAccess> {
    let action = ServerAction::<RequestAccess>::new();
    toast_on_success(
        move || action.value().get(),
        |_| "Request sent. Your admins have been emailed.".into(),
        move || reload.update(|n| *n += 1),
    );
    action
}

#[component]
pub fn MyAccessPage() -> impl IntoView {
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        focus_key(q.get("feature"), q.get("permission"), q.get("focus"))
    };
    let reload = RwSignal::new(0u64);
    let access = Resource::new(move || (key(), reload.get()), |(k, _)| get_my_access(k));
    let action = request_action(reload);
    view! {
        <Title text="My access" />
        <h1>"My access"</h1>
        <p class="lead">"What you can use in this workspace, and why not where you can't. Where your role is the reason, you can ask your admins."</p>
        {move || query.read().get("requested").map(|_| view! {
            <p role="status" class="form-status">"Request sent. Your admins have been emailed."</p>
        })}
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match access.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(a) => view! {
                        <FocusVerdict access=a.clone() action />
                        <section class="card" aria-labelledby="features-title">
                            <h2 id="features-title">{format!("What you can use in {}", a.tenant)}</h2>
                            <FeatureList access=a action />
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What a page shows instead of a bare refusal: the error, then the same verdict as
/// My access for what the page needs (a target key), with "Request access".
#[component]
pub fn AccessExplanation(error: AppError, needs: &'static str) -> impl IntoView {
    if !matches!(error, AppError::Forbidden(_)) {
        return view! { <ErrorPage error /> }.into_any();
    }
    let reload = RwSignal::new(0u64);
    let access = Resource::new(
        move || reload.get(),
        move |_| get_my_access(needs.to_string()),
    );
    let action = request_action(reload);
    view! {
        <ErrorPage error />
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                access.await.map(|a| view! {
                    <FocusVerdict access=a action />
                    <p><a href="/access">"See everything you can use here"</a></p>
                })
            })}
        </Transition>
    }
    .into_any()
}
