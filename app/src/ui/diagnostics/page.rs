//! Settings → Access diagnostics: "why can't this person sign in, or do X?".
//!
//! The form is a GET form, so a run is a link (the Users table's "Run diagnostics"
//! opens one filled in) and works before hydration; each fix is a plain form too.

use crate::api::diagnostics::{run_diagnostics, ApplyDiagnosticFix};
use crate::domain::access::diagnose::{Check, CheckResult, Diagnosis, Fix, Target};
use crate::domain::access::ReasonKind;
use crate::domain::diagnostics::{DiagnosticsReport, MAX_SEEN_CHARS};
use crate::domain::AppError;
use crate::ui::widgets::{
    encode_component, error_of, invalid_attr, loading, toast_on_success, ErrorPage, FieldMessage,
    FormAlert,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DiagnosticsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).unwrap_or_default();
    let reload = RwSignal::new(0u64);
    let report = Resource::new(
        // `run` changes with every submit, so running the same question again runs.
        move || {
            (
                param("email"),
                param("target"),
                param("seen"),
                param("run"),
                reload.get(),
            )
        },
        |(email, target, seen, _, _)| async move {
            if email.trim().is_empty() && target.is_empty() {
                return Ok(None);
            }
            let target = if target.is_empty() {
                Target::SignIn.key()
            } else {
                target
            };
            run_diagnostics(email, target, seen).await.map(Some)
        },
    );
    let fix = ServerAction::<ApplyDiagnosticFix>::new();
    toast_on_success(
        move || fix.value().get(),
        |label: &String| format!("Done: {label}. Diagnostics ran again."),
        move || reload.update(|n| *n += 1),
    );
    let fix_error = error_of(move || fix.value().get());
    view! {
        <Title text="Access diagnostics" />
        <h1>"Access diagnostics"</h1>
        <p class="lead">"Why can't someone sign in, or do something? Enter their email and what they're trying to do: Gatehouse checks everything in order, says what it found in plain words, and offers the fix."</p>
        <p>"The reverse question, for access reviews: " <a href="/settings/who-can">"Who can …?"</a></p>
        // A link's own words are never shown: only that a fix was applied.
        {move || query.read().get("fixed").map(|_| view! {
            <p role="status" class="form-status">"Done: the fix was applied. Diagnostics ran again."</p>
        })}
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let result = report.await;
                let error = match &result {
                    Err(e @ AppError::Validation(_)) => Some(e.clone()),
                    _ => None,
                };
                let next_run = param("run").parse::<u64>().unwrap_or(0) + 1;
                let form = view! { <DiagnosticsForm email=param("email") target=param("target") seen=param("seen") next_run error /> };
                match result {
                    Ok(None) => view! {
                        {form}
                        <section class="empty-state">
                            <h2>"No diagnosis yet"</h2>
                            <p>"Enter an email to check. From Settings → Users, each person's row has “Run diagnostics” too."</p>
                        </section>
                    }.into_any(),
                    Ok(Some(r)) => view! { {form} <ReportView report=r fix fix_error /> }.into_any(),
                    Err(AppError::Validation(_)) => form.into_any(),
                    Err(error) => view! { {form} <ErrorPage error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The question: who, trying to do what, and what they saw.
#[component]
fn DiagnosticsForm(
    email: String,
    target: String,
    seen: String,
    next_run: u64,
    error: Option<AppError>,
) -> impl IntoView {
    let error = Signal::stored(error);
    let chosen = if target.is_empty() {
        Target::SignIn.key()
    } else {
        target
    };
    let option = move |t: Target| {
        let key = t.key();
        let selected = key == chosen;
        view! { <option value=key selected=selected>{t.label()}</option> }
    };
    let features: Vec<Target> = Target::all()
        .filter(|t| matches!(t, Target::Feature(_)))
        .collect();
    let permissions: Vec<Target> = Target::all()
        .filter(|t| matches!(t, Target::Permission(_)))
        .collect();
    let option2 = option.clone();
    let option3 = option.clone();
    view! {
        <Form method="GET" action="" attr:class="card form diag-form" attr:novalidate="true">
            <div class="diag-fields">
                <div class="field">
                    <label for="diag-email">"Email"</label>
                    <input id="diag-email" name="email" type="email" maxlength="254" value=email
                        placeholder="name@example.com" autocomplete="off"
                        aria-describedby="email-error" aria-invalid=invalid_attr(error, "email") />
                    <FieldMessage error field="email" />
                </div>
                <div class="field">
                    <label for="diag-target">"Trying to"</label>
                    <select id="diag-target" name="target" aria-describedby="target-error"
                        aria-invalid=invalid_attr(error, "target")>
                        {option(Target::SignIn)}
                        <optgroup label="Use a part of the product">
                            {features.into_iter().map(option2).collect_view()}
                        </optgroup>
                        <optgroup label="A permission">
                            {permissions.into_iter().map(option3).collect_view()}
                        </optgroup>
                    </select>
                    <FieldMessage error field="target" />
                </div>
            </div>
            <div class="field">
                <label for="diag-seen">"What did they see? (optional)"</label>
                <textarea id="diag-seen" name="seen" rows="2" maxlength=MAX_SEEN_CHARS.to_string()
                    placeholder="The exact message, if they sent one" aria-describedby="seen-error"
                    aria-invalid=invalid_attr(error, "seen")>{seen}</textarea>
                <FieldMessage error field="seen" />
            </div>
            <input type="hidden" name="run" value=next_run.to_string() />
            <button type="submit" class="btn btn-primary">"Run diagnostics"</button>
        </Form>
    }
}

fn result_class(result: CheckResult) -> &'static str {
    match result {
        CheckResult::Pass => "diag-check diag-pass",
        CheckResult::Fail => "diag-check diag-fail",
        CheckResult::Warning => "diag-check diag-warning",
        CheckResult::NotReached => "diag-check diag-not-reached",
    }
}

fn headline(d: &Diagnosis) -> String {
    match d.blocker {
        None => format!("Nothing blocks this: {}", d.target.label().to_lowercase()),
        Some(ReasonKind::Authentication) => "Blocked at sign-in".to_string(),
        Some(ReasonKind::Authorization) => "Blocked by permissions".to_string(),
        Some(ReasonKind::ProductScope) => "Blocked by the plan or a feature flag".to_string(),
    }
}

#[component]
fn ReportView(
    report: DiagnosticsReport,
    fix: ServerAction<ApplyDiagnosticFix>,
    fix_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let d = report.diagnosis.clone();
    let email = report.email.clone();
    let target = d.target.key();
    let download = format!(
        "data:application/json;charset=utf-8,{}",
        encode_component(&report.bundle_json)
    );
    let file = format!("gatehouse-escalation-{}.json", report.reference);
    let bundle = report.bundle_text.clone();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let copied = RwSignal::new(false);
    let checks = d.checks.clone();
    view! {
        <section class="card diag-result" aria-labelledby="verdict-title" data-testid="diagnosis"
            class:allowed=d.allowed>
            <p class="diag-headline">{headline(&d)}</p>
            <h2 id="verdict-title">"Verdict"</h2>
            <p data-testid="verdict">{d.verdict.clone()}</p>
            <h2>"What to tell them"</h2>
            <blockquote class="tell-them" data-testid="tell-them">{d.tell_them.clone()}</blockquote>
            <FormAlert error=fix_error />
            <h2>"Checks"</h2>
            <ol class="checks">
                {checks.into_iter().map(|c| view! {
                    <CheckRow check=c person=d.person.clone() tenant=d.tenant.clone()
                        email=email.clone() target=target.clone() fix />
                }).collect_view()}
            </ol>
        </section>
        <section class="card" aria-labelledby="bundle-title">
            <h2 id="bundle-title">"Escalation bundle"</h2>
            <p class="note">"If the checks pass and they still can't get in, send this to support: what they tried, the message they saw, their role and tenant, and every check. It holds no password, link or secret."</p>
            <pre class="bundle" data-testid="bundle" tabindex="0">{bundle.clone()}</pre>
            <div class="row-actions">
                <button type="button" class="btn" disabled=move || !hydrated.get()
                    on:click=move |_| { copy_text(&bundle); copied.set(true); }>
                    "Copy escalation bundle"
                </button>
                <a class="btn" href=download download=file>"Download as JSON"</a>
                <span role="status" class="note">{move || copied.get().then_some("Copied.")}</span>
            </div>
        </section>
    }
}

#[component]
fn CheckRow(
    check: Check,
    person: String,
    tenant: String,
    email: String,
    target: String,
    fix: ServerAction<ApplyDiagnosticFix>,
) -> impl IntoView {
    let fixes: Vec<Fix> = check.fixes.clone();
    view! {
        <li class=result_class(check.result) data-testid=format!("check-{}", check.area.label())>
            <div class="check-head">
                <h3>{check.area.label()}</h3>
                <span class="check-result">{check.result.label()}</span>
                {(check.result == CheckResult::Fail).then(|| view! { <span class="check-kind">{check.kind.label()}</span> })}
            </div>
            {check.evidence.iter().map(|e| view! { <p class="evidence">{e.clone()}</p> }).collect_view()}
            {fixes.into_iter().map(|f| {
                let preview = f.preview(&person, &tenant);
                let (email, target) = (email.clone(), target.clone());
                view! {
                    <ActionForm action=fix attr:class="fix-form">
                        <input type="hidden" name="email" value=email />
                        <input type="hidden" name="target" value=target />
                        <input type="hidden" name="fix" value=f.key() />
                        <p class="fix-preview">{preview}</p>
                        <button type="submit" class="btn btn-small btn-primary" disabled=move || fix.pending().get()>
                            {f.label()}
                        </button>
                    </ActionForm>
                }
            }).collect_view()}
        </li>
    }
}

/// Puts text on the clipboard (after hydration only; the button is disabled before).
#[allow(unused_variables)]
fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}
