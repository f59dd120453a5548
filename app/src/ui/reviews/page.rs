//! Settings → Access reviews: settings, start, and the list of reviews.

use crate::api::reviews::{access_reviews, SetReviewSettings, StartAccessReview};
use crate::domain::reviews::{ReviewScope, REVIEW_EVERY_CHOICES, STALE_DAYS_CHOICES};
use crate::ui::widgets::When;
use crate::ui::widgets::{error_of, loading, toast_on_success, ErrorPage, FieldMessage, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn AccessReviewsPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let data = Resource::new(move || reload.get(), |_| access_reviews());
    let settings = ServerAction::<SetReviewSettings>::new();
    let start = ServerAction::<StartAccessReview>::new();
    toast_on_success(
        move || settings.value().get(),
        |_| "Saved the review settings.".to_string(),
        move || reload.update(|n| *n += 1),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            navigate(
                &format!("/settings/access-reviews/review?id={id}"),
                Default::default(),
            );
        }
    });
    let settings_error = error_of(move || settings.value().get());
    let start_error = error_of(move || start.value().get());
    view! {
        <Title text="Access reviews" />
        <h1>"Access reviews"</h1>
        <p class="lead">"A short, regular review keeps access right: confirm who is active, remove stale access, and revalidate elevated roles. Decisions are drafts until you complete the review; then they are applied together, audited, and kept as a record."</p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(p) => {
                        let open = p.reviews.iter().find(|r| r.record.is_none()).map(|r| r.id);
                        view! {
                            {p.due.clone().map(|due| view! { <p class="note note-warn" role="status">{due}</p> })}
                            <section class="card">
                                <h2>"Start a review"</h2>
                                {match open {
                                    Some(id) => view! {
                                        <p>{format!("Review #{id} is open. ")}<a href=format!("/settings/access-reviews/review?id={id}")>"Continue it"</a></p>
                                    }.into_any(),
                                    None => view! {
                                        <ActionForm action=start attr:class="form inline-form">
                                            <div class="field">
                                                <label for="review-scope">"Who"</label>
                                                <select id="review-scope" name="scope">
                                                    {[ReviewScope::Everyone, ReviewScope::Elevated].into_iter().map(|s| view! {
                                                        <option value=s.key()>{s.label()}</option>
                                                    }).collect_view()}
                                                </select>
                                                <FieldMessage error=start_error field="scope" prefix="review-" />
                                            </div>
                                            <button type="submit" class="btn btn-primary" disabled=move || start.pending().get()>"Start review"</button>
                                        </ActionForm>
                                        <FormAlert error=start_error />
                                    }.into_any(),
                                }}
                            </section>
                            <section class="card">
                                <h2>"Settings"</h2>
                                <ActionForm action=settings attr:class="form inline-form">
                                    <div class="field">
                                        <label for="stale-days">"Flag “No sign-in” after"</label>
                                        <select id="stale-days" name="stale_days">
                                            {STALE_DAYS_CHOICES.into_iter().map(|d| view! {
                                                <option value=d.to_string() selected=d == p.stale_days>{format!("{d} days")}</option>
                                            }).collect_view()}
                                        </select>
                                        <FieldMessage error=settings_error field="stale_days" prefix="review-" />
                                    </div>
                                    <div class="field">
                                        <label for="review-every">"Review access every"</label>
                                        <select id="review-every" name="every">
                                            {REVIEW_EVERY_CHOICES.into_iter().map(|d| view! {
                                                <option value=d.map(|d| d.to_string()).unwrap_or_default() selected=d == p.review_every_days>
                                                    {d.map(|d| format!("{d} days")).unwrap_or_else(|| "Off".to_string())}
                                                </option>
                                            }).collect_view()}
                                        </select>
                                        <FieldMessage error=settings_error field="every_days" prefix="review-" />
                                    </div>
                                    <button type="submit" class="btn" disabled=move || settings.pending().get()>"Save settings"</button>
                                </ActionForm>
                                <p class="note">"When a review is due, admins see “Access review due” on their home page and get one email."</p>
                            </section>
                            <h2>"Reviews"</h2>
                            {if p.reviews.is_empty() {
                                view! { <section class="empty-state"><h3>"No reviews yet"</h3><p>"Start the first one above: it lists each member once, with their access and flags."</p></section> }.into_any()
                            } else {
                                view! {
                                    <table class="table" data-testid="reviews">
                                        <thead><tr>
                                            <th scope="col">"Review"</th><th scope="col">"Who"</th><th scope="col">"Started"</th><th scope="col">"Completed"</th><th scope="col">"Kept / removed / reduced"</th>
                                        </tr></thead>
                                        <tbody>
                                            {p.reviews.into_iter().map(|r| view! {
                                                <tr>
                                                    <td data-label="Review"><a href=format!("/settings/access-reviews/review?id={}", r.id)>{format!("Review #{}", r.id)}</a></td>
                                                    <td data-label="Who">{r.scope.label()}</td>
                                                    <td data-label="Started"><When at=r.started_at />{format!(" by {}", r.started_by)}</td>
                                                    <td data-label="Completed">{match r.record.as_ref() {
                                                        Some(c) => view! { <When at=c.completed_at />{format!(" by {}", c.completed_by)} }.into_any(),
                                                        None => "Open".into_any(),
                                                    }}</td>
                                                    <td data-label="Kept / removed / reduced">{r.record.as_ref().map(|c| format!("{} / {} / {}", c.kept, c.removed, c.reduced)).unwrap_or_default()}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
