//! One access review: each member once with their access, flags and a decision
//! (saved as a draft), "Complete review" with a note; a completed one's record
//! and its CSV.

use crate::api::reviews::{access_review, CompleteAccessReview, DecideAccessReview};
use crate::domain::reviews::{Decision, ReviewRecord, ReviewRow, ReviewView, REVIEW_PAGE_SIZE};
use crate::domain::AppError;
use crate::ui::widgets::{
    encode_component, error_of, loading, toast_on_success, ErrorPage, FormAlert,
};
use crate::ui::widgets::{When, WhenOr};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn labels(perms: &[crate::domain::access::Permission]) -> String {
    perms
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn AccessReviewPage() -> impl IntoView {
    let params = use_query_map();
    let number = move |k: &str| params.read().get(k).and_then(|v| v.parse::<i64>().ok());
    let reload = RwSignal::new(0u64);
    let decide = ServerAction::<DecideAccessReview>::new();
    let complete = ServerAction::<CompleteAccessReview>::new();
    let review = Resource::new(
        move || (number("id"), number("page"), reload.get()),
        |(id, page, _)| async move {
            match id {
                Some(id) => access_review(id, page.unwrap_or(0).max(0) as u64).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    toast_on_success(
        move || decide.value().get(),
        |_| "Decision saved as a draft.".to_string(),
        move || reload.update(|n| *n += 1),
    );
    toast_on_success(
        move || complete.value().get(),
        |r| {
            format!(
                "Review completed: {} kept, {} removed, {} reduced.",
                r.kept, r.removed, r.reduced
            )
        },
        move || reload.update(|n| *n += 1),
    );
    let decide_error = error_of(move || decide.value().get());
    let complete_error = error_of(move || complete.value().get());
    view! {
        <Title text="Access review" />
        <p><a href="/settings/access-reviews">"← Access reviews"</a></p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match review.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(v) => match v.record.clone() {
                      Some(record) => view! { <Record v record /> }.into_any(),
                      None => {
                        let page = number("page").unwrap_or(0).max(0);
                        let id = v.id;
                        let pages = v.total.div_ceil(REVIEW_PAGE_SIZE).max(1) as i64;
                        view! {
                            <h1>{format!("Review #{} · {}", v.id, v.scope.label())}</h1>
                            <p class="lead">"Started "<When at=v.started_at />{format!(" by {}. {} of {} members decided; members without a decision are kept.", v.started_by, v.decided, v.total)}</p>
                            <FormAlert error=decide_error />
                            <ul class="review-list" data-testid="review-rows">
                                {v.rows.into_iter().map(|r| view! { <Row r id page decide /> }).collect_view()}
                            </ul>
                            <nav class="pager" aria-label="Review pages">
                                {(page > 0).then(|| view! { <a class="btn" href=format!("/settings/access-reviews/review?id={id}&page={}", page - 1)>"Previous"</a> })}
                                <span>{format!(" Page {} of {pages} ", page + 1)}</span>
                                {(page + 1 < pages).then(|| view! { <a class="btn" href=format!("/settings/access-reviews/review?id={id}&page={}", page + 1)>"Next"</a> })}
                            </nav>
                            <section class="card">
                                <h2>"Complete review"</h2>
                                <p>"Applies every decision at once, under the same rules as editing by hand; if one can't be applied, nothing is, and you are told which."</p>
                                <ActionForm action=complete attr:class="form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <div class="field">
                                        <label for="review-note">"Note for the record"</label>
                                        <textarea id="review-note" name="note" rows="2" maxlength="500" aria-describedby="review-note-error"
                                            aria-invalid=move || complete_error.get().and_then(|e| e.field_message("note")).is_some().to_string()></textarea>
                                        <p class="field-error" id="review-note-error">{move || complete_error.get().and_then(|e| e.field_message("note"))}</p>
                                    </div>
                                    <FormAlert error=complete_error />
                                    <button type="submit" class="btn btn-primary" disabled=move || complete.pending().get()>
                                        {move || if complete.pending().get() { "Completing…" } else { "Complete review" }}
                                    </button>
                                </ActionForm>
                            </section>
                        }.into_any()
                      }
                    },
                }
            })}
        </Transition>
    }
}

#[component]
fn Row(
    r: ReviewRow,
    id: i64,
    page: i64,
    decide: ServerAction<DecideAccessReview>,
) -> impl IntoView {
    let current = r.decision.clone().unwrap_or_else(|| Decision::Keep.key());
    let select_id = format!("decision-{}", r.item_id);
    let who = if r.name.is_empty() {
        r.email.clone()
    } else {
        format!("{} ({})", r.name, r.email)
    };
    view! {
        <li class="card review-row" data-testid=format!("review-{}", r.email)>
            <div class="review-head">
                <h3>{who}</h3>
                <span class=format!("status status-{}", r.status.as_str())>{r.status.label()}</span>
                {r.flags.iter().map(|f| view! { <span class="flag">{f.clone()}</span> }).collect_view()}
            </div>
            <p class="note">
                {format!("Role {}; template {}; groups {}; last sign-in ",
                    r.role.label(),
                    r.template.clone().unwrap_or_else(|| "none".into()),
                    if r.groups.is_empty() { "none".to_string() } else { r.groups.join(", ") })}
                <WhenOr at=r.last_sign_in otherwise="never" />
                {format!("; two-factor {}.", if r.two_factor { "on" } else { "off" })}
            </p>
            {(!r.elevated.is_empty()).then(|| view! {
                <p><strong>"Elevated: "</strong>{r.elevated.join("; ")}</p>
            })}
            <ActionForm action=decide attr:class="form inline-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="item_id" value=r.item_id.to_string() />
                <input type="hidden" name="page" value=page.to_string() />
                <div class="field">
                    <label for=select_id.clone()>"Decision"</label>
                    <select id=select_id name="decision">
                        <option value="keep" selected=current == "keep">"Keep"</option>
                        {(!r.own).then(|| {
                            let current = current.clone();
                            view! {
                                <option value="suspend" selected=current == "suspend">"Remove access: suspend"</option>
                                <option value="remove" selected=current == "remove">"Remove access: remove from the tenant"</option>
                                {r.reduce_options.iter().map(|o| {
                                    let key = Decision::Reduce(o.template_id).key();
                                    let mut words = format!("Reduce to “{}”", o.name);
                                    if !o.loses.is_empty() { words.push_str(&format!(" — loses {}", labels(&o.loses))); }
                                    if !o.gains.is_empty() { words.push_str(&format!(" — gains {}", labels(&o.gains))); }
                                    view! { <option value=key.clone() selected=current == key>{words}</option> }
                                }).collect_view()}
                            }
                        })}
                    </select>
                </div>
                <button type="submit" class="btn btn-small">"Save decision"</button>
                {r.own.then(|| view! { <span class="note">"Your own access: only Keep. Another admin reviews yours."</span> })}
            </ActionForm>
        </li>
    }
}

#[component]
fn Record(v: ReviewView, record: ReviewRecord) -> impl IntoView {
    let csv = format!("data:text/csv;charset=utf-8,{}", encode_component(&v.csv()));
    let r = record;
    view! {
        <h1>{format!("Review #{} · {}", v.id, v.scope.label())}</h1>
        <section class="card" data-testid="review-record">
            <p>"Started "<When at=v.started_at />{format!(" by {}; completed ", v.started_by)}<When at=r.completed_at />{format!(" by {}.", r.completed_by)}</p>
            <p><strong>{format!("{} kept, {} removed, {} reduced.", r.kept, r.removed, r.reduced)}</strong></p>
            <p>{format!("Note: {}", r.note)}</p>
            <a class="btn" href=csv download=format!("access-review-{}.csv", v.id)>"Export CSV"</a>
        </section>
        <table class="table" data-testid="review-items">
            <thead><tr><th scope="col">"Member"</th><th scope="col">"Had"</th><th scope="col">"Decision"</th><th scope="col">"Outcome"</th></tr></thead>
            <tbody>
                {v.items.into_iter().map(|i| view! {
                    <tr><td data-label="Member">{i.email}</td><td data-label="Had">{i.had}</td><td data-label="Decision">{i.decision}</td><td data-label="Outcome">{i.outcome}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
