//! Settings → Access requests (admins and people managers): who asked for what,
//! why and when, what the evaluation says now, and Approve (with a justification,
//! choosing how: least privilege first) or Decline (with an optional note). Plain
//! forms: they work before hydration too.

use crate::api::requests::{list_access_requests, ApproveAccessRequest, DeclineAccessRequest};
use crate::domain::requests::{AccessRequestView, MAX_REASON_CHARS};
use crate::ui::widgets::When;
use crate::ui::widgets::{error_of, loading, toast_on_success, ErrorPage, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccessRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let reload = RwSignal::new(0u64);
    let requests = Resource::new(move || reload.get(), |_| list_access_requests());
    let approve = ServerAction::<ApproveAccessRequest>::new();
    let decline = ServerAction::<DeclineAccessRequest>::new();
    // Which card each action last answered for (the action's input clears once it
    // has answered): its error shows on that card only.
    let answered = RwSignal::new((None::<i64>, None::<i64>));
    Effect::new(move |_| {
        if let Some(i) = approve.input().get() {
            answered.update(|a| a.0 = Some(i.id));
        }
        if let Some(i) = decline.input().get() {
            answered.update(|a| a.1 = Some(i.id));
        }
    });
    toast_on_success(
        move || approve.value().get(),
        |_| "Approved. They have been emailed.".into(),
        move || reload.update(|n| *n += 1),
    );
    toast_on_success(
        move || decline.value().get(),
        |_| "Declined. They have been emailed.".into(),
        move || reload.update(|n| *n += 1),
    );
    view! {
        <Title text="Access requests" />
        <h1>"Access requests"</h1>
        <p class="lead">"People asking for something their role doesn't give them. Give the least that does the job: a role template that fits, or one permission."</p>
        // Only the two known words; anything else a link carries is never shown.
        {move || query.read().get("done").and_then(|done| match done.as_str() {
            "approved" => Some("Request approved. They have been emailed."),
            "declined" => Some("Request declined. They have been emailed."),
            _ => None,
        }).map(|text| view! { <p role="status" class="form-status">{text}</p> })}
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match requests.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No open requests"</h2>
                            <p>"When someone asks for access from My access, it shows here and the admins get an email."</p>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="request-list">
                            {list.into_iter().map(|r| view! { <RequestCard request=r approve decline answered /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RequestCard(
    request: AccessRequestView,
    approve: ServerAction<ApproveAccessRequest>,
    decline: ServerAction<DeclineAccessRequest>,
    answered: RwSignal<(Option<i64>, Option<i64>)>,
) -> impl IntoView {
    let id = request.id;
    let approve_error = error_of(move || {
        (answered.get().0 == Some(id))
            .then(|| approve.value().get())
            .flatten()
    });
    let decline_error = error_of(move || {
        (answered.get().1 == Some(id))
            .then(|| decline.value().get())
            .flatten()
    });
    let justification_error = Signal::derive(move || {
        approve_error
            .get()
            .and_then(|e| e.field_message("justification"))
    });
    let until_error =
        Signal::derive(move || approve_error.get().and_then(|e| e.field_message("until")));
    let first = request.options.first().map(|o| o.key.clone());
    let title = format!("{} asks to {}", request.requester, request.what);
    view! {
        <li class="card request-card" data-testid=format!("request-{}", request.email)>
            <h2>{title}</h2>
            <p class="note">{format!("{} · asked ", request.email)}<When at=request.created /></p>
            <p><strong>"Why: "</strong>{if request.why.is_empty() { "No reason given.".to_string() } else { request.why.clone() }}</p>
            <p><strong>"Diagnosis: "</strong>{request.verdict.clone()}</p>
            {match request.cannot_approve.clone() {
                Some(why) => view! { <p class="note">{format!("You can't approve this: {why}")}</p> }.into_any(),
                None => view! {
                    <ActionForm action=approve attr:class="form approve-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <fieldset>
                            <legend>"How to give it"</legend>
                            {request.options.iter().map(|o| {
                                let checked = Some(o.key.clone()) == first;
                                let input_id = format!("how-{id}-{}", o.key.replace(':', "-"));
                                let label_for = input_id.clone();
                                view! {
                                    <label class="check" for=label_for>
                                        <input type="radio" id=input_id name="how" value=o.key.clone() checked=checked />
                                        <span>{o.label.clone()}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <div class="field">
                            <label for=format!("justification-{id}")>"Justification (goes in the audit log)"</label>
                            <textarea id=format!("justification-{id}") name="justification" rows="2"
                                maxlength=MAX_REASON_CHARS.to_string()
                                aria-describedby=format!("justification-{id}-error")
                                aria-invalid=move || justification_error.get().is_some().to_string()></textarea>
                            <p class="field-error" id=format!("justification-{id}-error")>{move || justification_error.get()}</p>
                        </div>
                        <div class="field">
                            <label for=format!("until-{id}")>"Until (optional, UTC)"</label>
                            <input type="datetime-local" id=format!("until-{id}") name="until"
                                aria-describedby=format!("until-{id}-hint until-{id}-error")
                                aria-invalid=move || until_error.get().is_some().to_string() />
                            <p class="hint" id=format!("until-{id}-hint")>"Leave it empty to give it for good. At this time the access ends by itself, and the audit log says so."</p>
                            <p class="field-error" id=format!("until-{id}-error")>{move || until_error.get()}</p>
                        </div>
                        <FormAlert error=approve_error />
                        <button type="submit" class="btn btn-primary" disabled=move || approve.pending().get()>"Approve"</button>
                    </ActionForm>
                }.into_any(),
            }}
            <details class="decline">
                <summary class="btn btn-small">"Decline…"</summary>
                <ActionForm action=decline attr:class="form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <div class="field">
                        <label for=format!("note-{id}")>"Note to them (optional)"</label>
                        <textarea id=format!("note-{id}") name="note" rows="2" maxlength=MAX_REASON_CHARS.to_string()></textarea>
                    </div>
                    <FormAlert error=decline_error />
                    <button type="submit" class="btn btn-danger-outline" disabled=move || decline.pending().get()>"Decline request"</button>
                </ActionForm>
            </details>
        </li>
    }
}
