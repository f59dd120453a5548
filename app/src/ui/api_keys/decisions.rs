//! Settings → API keys → Check decisions: every answer the check API gave, newest
//! first, filtered by key, person, answer and days (a GET form: each view is a link
//! and works before hydration), each with a link to diagnostics for the same
//! question; and how many days decisions are kept.

use crate::api::api_keys::{list_check_decisions, SetDecisionRetention};
use crate::domain::decisions::{DecisionPage, DecisionQuery, DecisionRow, MAX_DECISION_DAYS};
use crate::domain::AppError;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::When;
use crate::ui::widgets::{
    encode_component, error_of, filtered_href, invalid_attr, loading, use_toasts, FieldMessage,
    FormAlert,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/settings/api-keys/decisions";

/// The link to a page of the log with these filters, older than `before`.
fn page_href(q: &DecisionQuery, before: Option<i64>) -> String {
    filtered_href(
        PATH,
        &[
            ("key", &q.key),
            ("who", &q.who),
            ("answer", &q.answer),
            ("from", &q.from),
            ("to", &q.to),
        ],
        before,
    )
}

#[component]
pub fn CheckDecisionsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        let get = |k: &str| p.get(k).unwrap_or_default();
        DecisionQuery {
            key: get("key"),
            who: get("who"),
            answer: get("answer"),
            from: get("from"),
            to: get("to"),
        }
    });
    let before = Memo::new(move |_| {
        params
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    });
    let save = ServerAction::<SetDecisionRetention>::new();
    let page = Resource::new(
        move || (query.get(), before.get(), save.version().get()),
        |(q, b, _)| list_check_decisions(q, b),
    );
    view! {
        <Title text="Check decisions" />
        <h1>"Check decisions"</h1>
        <p class="lead">"Every answer the check API gave your programs: which key asked, about whom, what, and why the answer was no. "<a href="/settings/api-keys">"Back to API keys"</a></p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let result = page.await;
                let q = query.get_untracked();
                let error = match &result {
                    Err(e @ AppError::Validation(_)) => Some(e.clone()),
                    _ => None,
                };
                match result {
                    Err(AppError::Validation(_)) => view! {
                        <DecisionFilters q keys=Vec::new() error />
                    }.into_any(),
                    Err(error) => view! { <AccessExplanation error needs="feature:api_keys" /> }.into_any(),
                    Ok(page) => decisions_view(page, &q, before.get_untracked().is_some(), save),
                }
            })}
        </Transition>
    }
}

fn decisions_view(
    page: DecisionPage,
    q: &DecisionQuery,
    paged: bool,
    save: ServerAction<SetDecisionRetention>,
) -> AnyView {
    let older = page
        .has_more
        .then(|| page_href(q, page.rows.last().map(|r| r.id)));
    let keys = page
        .keys
        .iter()
        .map(|k| (k.id.to_string(), k.name.clone()))
        .collect::<Vec<_>>();
    let table = if page.rows.is_empty() {
        view! {
            <section class="empty-state">
                <h2>"No decisions"</h2>
                <p>{if *q == DecisionQuery::default() {
                    "When a program asks POST /v1/check with one of your keys, each answer appears here."
                } else {
                    "Nothing matches these filters."
                }}</p>
            </section>
        }
        .into_any()
    } else {
        view! {
            <table class="table decisions-table" data-testid="decisions">
                <caption class="visually-hidden">"Check decisions"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"About"</th>
                        <th scope="col">"Asked"</th>
                        <th scope="col">"Answer"</th>
                        <th scope="col">"Why not"</th>
                    </tr>
                </thead>
                <tbody>{page.rows.into_iter().map(decision_row).collect_view()}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <DecisionFilters q=q.clone() keys error=None />
        {table}
        {paged.then(|| view! { <a class="btn" href=page_href(q, None)>"Newest decisions"</a> " " })}
        {older.map(|href| view! { <a class="btn" href=href>"Older decisions"</a> })}
        <RetentionForm days=page.retention_days save />
    }
    .into_any()
}

fn decision_row(d: DecisionRow) -> impl IntoView {
    let diagnose = d.subject.contains('@').then(|| {
        format!(
            "/settings/diagnostics?email={}&target={}",
            encode_component(&d.subject),
            encode_component(&d.target)
        )
    });
    view! {
        <tr>
            <td data-label="Time" class="nowrap"><When at=d.time /></td>
            <td data-label="Key">{d.key_name}</td>
            <td data-label="About">{d.subject}</td>
            <td data-label="Asked">{d.asked}</td>
            <td data-label="Answer">{if d.allowed {
                view! { <span class="status status-active">"Allowed"</span> }
            } else {
                view! { <span class="status status-suspended">"Denied"</span> }
            }}</td>
            <td data-label="Why not">
                {(!d.reasons.is_empty()).then(|| view! {
                    <ul class="codes">{d.reasons.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                })}
                {(!d.allowed).then_some(diagnose).flatten().map(|href| view! {
                    <a href=href>"Explain in diagnostics"</a>
                })}
            </td>
        </tr>
    }
}

#[component]
fn DecisionFilters(
    q: DecisionQuery,
    keys: Vec<(String, String)>,
    error: Option<AppError>,
) -> impl IntoView {
    let error = Signal::derive(move || error.clone());
    view! {
        <Form method="GET" action=PATH attr:class="filters decision-filters">
            <div class="field">
                <label for="decision-key">"Key"</label>
                <select id="decision-key" name="key" aria-describedby="decision-key-error">
                    <option value="" selected=q.key.is_empty()>"Every key"</option>
                    {keys.into_iter().map(|(id, name)| view! {
                        <option value=id.clone() selected=q.key == id>{name}</option>
                    }).collect_view()}
                </select>
                <FieldMessage error field="key" prefix="decision-" />
            </div>
            <div class="field">
                <label for="decision-who">"About"</label>
                <input id="decision-who" type="search" name="who" placeholder="email" maxlength="254" value=q.who.clone()
                    aria-describedby="decision-who-error" aria-invalid=invalid_attr(error, "who") />
                <FieldMessage error field="who" prefix="decision-" />
            </div>
            <div class="field">
                <label for="decision-answer">"Answer"</label>
                <select id="decision-answer" name="answer" aria-describedby="decision-answer-error">
                    <option value="" selected=q.answer.is_empty()>"Both"</option>
                    <option value="allowed" selected=q.answer == "allowed">"Allowed"</option>
                    <option value="denied" selected=q.answer == "denied">"Denied"</option>
                </select>
                <FieldMessage error field="answer" prefix="decision-" />
            </div>
            <div class="field">
                <label for="decision-from">"From (UTC)"</label>
                <input id="decision-from" type="date" name="from" value=q.from.clone()
                    aria-describedby="decision-from-error" aria-invalid=invalid_attr(error, "from") />
                <FieldMessage error field="from" prefix="decision-" />
            </div>
            <div class="field">
                <label for="decision-to">"To (UTC)"</label>
                <input id="decision-to" type="date" name="to" value=q.to.clone()
                    aria-describedby="decision-to-error" aria-invalid=invalid_attr(error, "to") />
                <FieldMessage error field="to" prefix="decision-" />
            </div>
            <div class="field field-submit">
                <button type="submit" class="btn">"Filter"</button>
            </div>
        </Form>
    }
}

/// How many days decisions are kept: a plain form, so it works before hydration.
#[component]
fn RetentionForm(days: i64, save: ServerAction<SetDecisionRetention>) -> impl IntoView {
    let toasts = use_toasts();
    let error = error_of(move || save.value().get());
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toasts.success("Saved. Older decisions are deleted within a minute.");
        }
    });
    view! {
        <section class="card" aria-labelledby="retention-title">
            <h2 id="retention-title">"Keep decisions"</h2>
            <ActionForm action=save attr:class="form inline-form">
                <div class="field">
                    <label for="decision-days">"Days to keep each decision"</label>
                    <input id="decision-days" name="days" type="number" min="1" max=MAX_DECISION_DAYS
                        required value=days aria-describedby="decision-days-hint decision-days-error"
                        aria-invalid=invalid_attr(error, "days") />
                    <p class="hint" id="decision-days-hint">{format!("From 1 to {MAX_DECISION_DAYS} days. Older decisions are deleted for good.")}</p>
                    <FieldMessage error field="days" prefix="decision-" />
                </div>
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </ActionForm>
        </section>
    }
}
