//! Settings → Webhooks: endpoints with the events they hear about; the signing
//! secret shown once (on creation and rotation); "Send test event"; each endpoint's
//! delivery log on its own page (a link: works before hydration). A person who may
//! not manage integrations, or whose plan has no webhooks, is told which and why.

use crate::api::webhooks::{
    list_webhooks, webhook_deliveries, CreateWebhook, DeleteWebhook, RotateWebhookSecret,
    SendTestWebhook,
};
use crate::domain::webhooks::{EndpointSecret, EndpointView, NewEndpoint, WebhookEvent};
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{
    error_of, loading, open_dialog_for, use_toasts, Dialog, DialogFooter, FieldMessage, FormAlert,
    ShownOnce,
};
use crate::ui::widgets::{When, WhenOr};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let endpoints = Resource::new(move || reload.get(), |_| list_webhooks());
    let toasts = use_toasts();
    let create = ServerAction::<CreateWebhook>::new();
    let rotate = ServerAction::<RotateWebhookSecret>::new();
    let test = ServerAction::<SendTestWebhook>::new();
    let shown = RwSignal::new(None::<EndpointSecret>);
    let confirming = RwSignal::new(None::<(EndpointView, bool)>);
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            toasts.success("Endpoint added. Copy its signing secret now.");
            shown.set(Some(created));
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(rotated)) = rotate.value().get() {
            toasts.success("New signing secret made. The old one no longer signs anything.");
            shown.set(Some(rotated));
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| match test.value().get() {
        Some(Ok(())) => {
            toasts.success("Test event queued: it is sent within a few seconds. See Deliveries.")
        }
        Some(Err(error)) => toasts.error(error.to_string()),
        None => {}
    });
    view! {
        <Title text="Webhooks" />
        <h1>"Webhooks"</h1>
        <p class="lead">"Gatehouse tells your programs about changes as they happen: a POST to your URL for each event you choose, signed so the program can check it came from here."</p>
        {move || shown.get().map(|s| view! {
            <ShownOnce id="webhook-secret" label="Signing secret" value=s.secret
                title="Copy the signing secret now".to_string()
                text=format!("For {}. This is the only time it is shown. Your program uses it to check the webhook-signature header of every event (the Standard Webhooks way).", s.url)
                on_done=Callback::new(move |_| shown.set(None)) />
        })}
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match endpoints.await {
                    Err(error) => view! { <AccessExplanation error needs="feature:webhooks" /> }.into_any(),
                    Ok(list) => view! {
                        <NewEndpointForm create />
                        {endpoint_list(list, test, confirming)}
                    }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog confirming rotate reload />
    }
}

#[component]
fn NewEndpointForm(create: ServerAction<CreateWebhook>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(vec![WebhookEvent::MemberInvited]);
    let error = error_of(move || create.value().get());
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            url.set(String::new());
            events.set(vec![WebhookEvent::MemberInvited]);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateWebhook {
            input: NewEndpoint {
                url: url.get(),
                events: events
                    .get()
                    .iter()
                    .map(|e| e.as_str().to_string())
                    .collect(),
            },
        });
    };
    view! {
        <form class="card stack" on:submit=submit novalidate aria-labelledby="new-webhook-title">
            <h2 id="new-webhook-title">"New endpoint"</h2>
            <div class="field">
                <label for="webhook-url">"URL"</label>
                <input id="webhook-url" type="url" maxlength="2000" placeholder="https://example.com/hooks/gatehouse"
                    bind:value=url aria-describedby="webhook-url-error" />
                <FieldMessage error field="url" prefix="webhook-" />
            </div>
            <fieldset class="field scopes" aria-describedby="webhook-events-error">
                <legend>"Events to send"</legend>
                {WebhookEvent::ALL.into_iter().map(|event| {
                    let id = format!("webhook-event-{}", event.as_str().replace('.', "-"));
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone()
                                checked=event == WebhookEvent::MemberInvited
                                prop:checked=move || events.get().contains(&event)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    events.update(|all| {
                                        all.retain(|e| *e != event);
                                        if on { all.push(event); all.sort(); }
                                    });
                                } />
                            <label for=id>{event.label()}" "<code class="hint">{event.as_str()}</code></label>
                        </div>
                    }
                }).collect_view()}
                <FieldMessage error field="events" prefix="webhook-" />
            </fieldset>
            <FormAlert error />
            <div>
                // Needs JavaScript: the secret is shown in the page, never sent through a
                // redirect; shown unusable until the page is hydrated.
                <button type="submit" class="btn btn-primary needs-js" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Adding…" } else { "Add endpoint" }}
                </button>
            </div>
        </form>
    }
}

fn endpoint_list(
    list: Vec<EndpointView>,
    test: ServerAction<SendTestWebhook>,
    confirming: RwSignal<Option<(EndpointView, bool)>>,
) -> AnyView {
    if list.is_empty() {
        return view! {
            <section class="empty-state">
                <h2>"No endpoints yet"</h2>
                <p>"Add the URL of a program that should hear when people are invited, change or leave."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <ul class="cards" data-testid="webhooks">
            {list.into_iter().map(|e| {
                let (rotate_row, delete_row) = (e.clone(), e.clone());
                let id = e.id;
                let events = e.events.iter().map(|ev| ev.as_str()).collect::<Vec<_>>().join(", ");
                view! {
                    <li class="card" data-testid=format!("webhook-{}", e.id)>
                        <h2 class="endpoint-url"><code>{e.url.clone()}</code></h2>
                        <p>{format!("Sends: {events}")}</p>
                        <p class="hint">{format!("Added by {}, ", e.created_by)}<When at=e.created />
                            {e.secret_rotated.map(|at| view! { " · secret rotated " <When at /> })}</p>
                        {(e.retrying + e.failed > 0).then(|| view! {
                            <p class="status status-locked">{format!("Last 7 days: {} waiting to retry, {} given up", e.retrying, e.failed)}</p>
                        })}
                        <div class="actions">
                            <a class="btn btn-small" href=format!("/settings/webhooks/deliveries?endpoint={id}")>"Deliveries"</a>
                            <button type="button" class="btn btn-small needs-js" disabled=move || test.pending().get()
                                on:click=move |_| { test.dispatch(SendTestWebhook { endpoint_id: id }); }>
                                "Send test event"
                            </button>
                            <button type="button" class="btn btn-small needs-js"
                                on:click=move |_| confirming.set(Some((rotate_row.clone(), false)))>"Rotate secret"</button>
                            <button type="button" class="btn btn-small btn-danger-outline needs-js"
                                on:click=move |_| confirming.set(Some((delete_row.clone(), true)))>"Delete"</button>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// "Rotate secret" or "Delete", after a confirmation.
#[component]
fn ConfirmDialog(
    confirming: RwSignal<Option<(EndpointView, bool)>>,
    rotate: ServerAction<RotateWebhookSecret>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let delete = ServerAction::<DeleteWebhook>::new();
    let error = Signal::derive(move || {
        error_of(move || delete.value().get())
            .get()
            .or_else(|| error_of(move || rotate.value().get()).get())
    });
    open_dialog_for(confirming, open, move |_| {
        delete.value().set(None);
        rotate.value().set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            toasts.success("Endpoint deleted. Nothing more is sent to it.");
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = rotate.value().get() {
            open.set(false);
        }
    });
    let deleting = move || confirming.get().is_some_and(|(_, d)| d);
    let pending = Signal::derive(move || delete.pending().get() || rotate.pending().get());
    view! {
        <Dialog open title="Confirm" id="webhook-confirm-dialog">
            {move || confirming.get().map(|(e, deleting)| if deleting {
                view! { <p>"Delete the endpoint " <code>{e.url.clone()}</code> "? Nothing more is sent to it, and its delivery log goes too."</p> }.into_any()
            } else {
                view! { <p>"Make a new signing secret for " <code>{e.url.clone()}</code> "? The old one stops at once: update your program with the new one."</p> }.into_any()
            })}
            <FormAlert error />
            {move || if deleting() {
                view! {
                    <DialogFooter open pending label="Delete endpoint" busy_label="Deleting…" danger=true
                        on_confirm=Callback::new(move |_| {
                            if let Some((e, _)) = confirming.get_untracked() {
                                delete.dispatch(DeleteWebhook { endpoint_id: e.id });
                            }
                        }) />
                }.into_any()
            } else {
                view! {
                    <DialogFooter open pending label="Rotate secret" busy_label="Rotating…"
                        on_confirm=Callback::new(move |_| {
                            if let Some((e, _)) = confirming.get_untracked() {
                                rotate.dispatch(RotateWebhookSecret { endpoint_id: e.id });
                            }
                        }) />
                }.into_any()
            }}
        </Dialog>
    }
}

/// Settings → Webhooks → Deliveries: one endpoint's log, newest first.
#[component]
pub fn WebhookDeliveriesPage() -> impl IntoView {
    let params = use_query_map();
    let endpoint = Memo::new(move |_| {
        params
            .read()
            .get("endpoint")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let before = Memo::new(move |_| {
        params
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    });
    let log = Resource::new(
        move || (endpoint.get(), before.get()),
        |(e, b)| webhook_deliveries(e, b),
    );
    view! {
        <Title text="Webhook deliveries" />
        <h1>"Webhook deliveries"</h1>
        <p class="lead">"Every event sent to this endpoint, newest first: the answer it gave, how long it took, and when a failed one is tried again. "<a href="/settings/webhooks">"Back to Webhooks"</a></p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match log.await {
                    Err(error) => view! { <AccessExplanation error needs="feature:webhooks" /> }.into_any(),
                    Ok((rows, _)) if rows.is_empty() => view! {
                        <section class="empty-state"><h2>"Nothing sent yet"</h2><p>"Events this endpoint chose appear here as they are sent. Try “Send test event”."</p></section>
                    }.into_any(),
                    Ok((rows, more)) => {
                        let id = endpoint.get_untracked();
                        let older = more.then(|| rows.last().map(|r| format!("/settings/webhooks/deliveries?endpoint={id}&before={}", r.id))).flatten();
                        view! {
                            <table class="table" data-testid="deliveries">
                                <caption class="visually-hidden">"Deliveries"</caption>
                                <thead><tr>
                                    <th scope="col">"Time"</th>
                                    <th scope="col">"Event"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Attempts"</th>
                                    <th scope="col">"Last answer"</th>
                                    <th scope="col">"Took"</th>
                                    <th scope="col">"Next try"</th>
                                </tr></thead>
                                <tbody>{rows.into_iter().map(|d| view! {
                                    <tr>
                                        <td data-label="Time" class="nowrap"><When at=d.created /></td>
                                        <td data-label="Event"><code>{d.event}</code><br /><span class="hint">{d.message_id}</span></td>
                                        <td data-label="Status">{d.state.label()}</td>
                                        <td data-label="Attempts">{d.attempts}</td>
                                        <td data-label="Last answer">{d.last_result.unwrap_or_else(|| "—".into())}</td>
                                        <td data-label="Took">{d.last_duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_else(|| "—".into())}</td>
                                        <td data-label="Next try"><WhenOr at=d.next_retry otherwise="—" /></td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                            {before.get_untracked().is_some().then(|| view! { <a class="btn" href=format!("/settings/webhooks/deliveries?endpoint={id}")>"Newest"</a> " " })}
                            {older.map(|href| view! { <a class="btn" href=href>"Older deliveries"</a> })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
