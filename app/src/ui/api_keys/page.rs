//! Settings → API keys: create a key (name, scopes, optional expiry) and copy its
//! secret, shown this once; the list with who made each key, when it was last used
//! and when it expires; "Revoke" after a confirmation. A person who may not manage
//! keys, or whose plan has none, is told which and why.

use crate::api::api_keys::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::domain::api_keys::{ApiKeyState, ApiKeyView, ApiScope, NewApiKey};
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{
    error_of, loading, open_dialog_for, use_toasts, Dialog, DialogFooter, FieldMessage, FormAlert,
    ShownOnce,
};
use crate::ui::widgets::{When, WhenOr};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let keys = Resource::new(move || reload.get(), |_| list_api_keys());
    let toasts = use_toasts();
    let create = ServerAction::<CreateApiKey>::new();
    let revoking = RwSignal::new(None::<ApiKeyView>);
    Effect::new(move |_| {
        if let Some(Ok(key)) = create.value().get() {
            toasts.success(format!(
                "API key “{}” created. Copy its secret now.",
                key.name
            ));
            reload.update(|n| *n += 1);
        }
    });
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <Title text="API keys" />
        <h1>"API keys"</h1>
        <p class="lead">"Your programs use an API key to ask Gatehouse whether someone may do something, and to manage members. A key works only for this tenant, and only for the scopes you give it."</p>
        <p class="links">
            <a href="/settings/api-keys/decisions">"Check decisions: every answer your programs were given"</a>
            " · "
            // A page the server writes from the OpenAPI document, outside the app.
            <a href="/v1/docs" rel="external">"API reference"</a>
        </p>
        {move || created().map(|key| view! {
            <ShownOnce id="api-key-secret" label="Secret" value=key.secret
                title=format!("Copy the secret of “{}” now", key.name)
                text="This is the only time it is shown: Gatehouse keeps only a fingerprint of it. Store it in your program's secret settings; anyone who has it can use the key.".to_string()
                on_done=Callback::new(move |_| create.value().set(None)) />
        })}
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match keys.await {
                    Err(error) => view! { <AccessExplanation error needs="feature:api_keys" /> }.into_any(),
                    Ok(list) => view! {
                        <NewKeyForm create />
                        {key_list(list, revoking)}
                    }.into_any(),
                }
            })}
        </Transition>
        <RevokeDialog revoking reload />
    }
}

#[component]
fn NewKeyForm(create: ServerAction<CreateApiKey>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![ApiScope::Check]);
    let error = error_of(move || create.value().get());
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            expires.set(String::new());
            scopes.set(vec![ApiScope::Check]);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateApiKey {
            input: NewApiKey {
                name: name.get(),
                scopes: scopes
                    .get()
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
                expires: expires.get(),
            },
        });
    };
    view! {
        <form class="card stack" on:submit=submit novalidate aria-labelledby="new-key-title">
            <h2 id="new-key-title">"New API key"</h2>
            <div class="field">
                <label for="key-name">"Name"</label>
                <input id="key-name" maxlength="80" placeholder="Billing service" bind:value=name
                    aria-describedby="key-name-error" />
                <FieldMessage error field="name" prefix="key-" />
            </div>
            <fieldset class="field scopes" aria-describedby="key-scopes-error">
                <legend>"Scopes: what the key may be used for"</legend>
                {ApiScope::ALL.into_iter().map(|scope| {
                    let id = format!("key-scope-{}", scope.as_str().replace(':', "-"));
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone()
                                checked=scope == ApiScope::Check
                                prop:checked=move || scopes.get().contains(&scope)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    scopes.update(|all| {
                                        all.retain(|s| *s != scope);
                                        if on { all.push(scope); all.sort(); }
                                    });
                                } />
                            <label for=id>
                                <strong>{scope.label()}</strong>" "
                                <span class="hint">{scope.description()}</span>
                            </label>
                        </div>
                    }
                }).collect_view()}
                <FieldMessage error field="scopes" prefix="key-" />
            </fieldset>
            <div class="field">
                <label for="key-expires">"Expires on (optional)"</label>
                <input id="key-expires" type="date" bind:value=expires aria-describedby="key-expires-hint key-expires-error" />
                <p class="hint" id="key-expires-hint">"Leave it empty for a key that works until it is revoked. It stops working at the end of that day (UTC)."</p>
                <FieldMessage error field="expires" prefix="key-" />
            </div>
            <FormAlert error />
            <div>
                // Needs JavaScript: the secret is shown in the page, never sent through a
                // redirect; shown unusable until the page is hydrated.
                <button type="submit" class="btn btn-primary needs-js" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create API key" }}
                </button>
            </div>
        </form>
    }
}

fn key_list(list: Vec<ApiKeyView>, revoking: RwSignal<Option<ApiKeyView>>) -> AnyView {
    if list.is_empty() {
        return view! {
            <section class="empty-state">
                <h2>"No API keys yet"</h2>
                <p>"Create a key for each program that asks Gatehouse about your people, so you can revoke one without touching the others."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <table class="table" data-testid="api-keys">
            <caption class="visually-hidden">"API keys"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Key"</th>
                    <th scope="col">"Scopes"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|key| {
                    let row = key.clone();
                    let scopes = key.scopes.iter().map(|s| s.label()).collect::<Vec<_>>().join(", ");
                    let status = match (&key.state, &key.revoked) {
                        (ApiKeyState::Revoked, Some(when)) => format!("Revoked {when}"),
                        (state, _) => state.label().to_string(),
                    };
                    view! {
                        <tr data-testid=format!("api-key-{}", key.name)>
                            <td data-label="Name">{key.name.clone()}</td>
                            <td data-label="Key"><code>{key.shown.clone()}</code></td>
                            <td data-label="Scopes">{scopes}</td>
                            <td data-label="Created"><When at=key.created /><br /><span class="hint">{format!("by {}", key.created_by)}</span></td>
                            <td data-label="Last used"><WhenOr at=key.last_used otherwise="Never" /></td>
                            <td data-label="Expires"><WhenOr at=key.expires otherwise="Never" /></td>
                            <td data-label="Status">{status}</td>
                            <td data-label="">{(key.state == ApiKeyState::Active).then(|| view! {
                                <button type="button" class="btn btn-small btn-danger-outline"
                                    on:click=move |_| revoking.set(Some(row.clone()))>
                                    "Revoke"<span class="visually-hidden">{format!(" {}", key.name)}</span>
                                </button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RevokeDialog(revoking: RwSignal<Option<ApiKeyView>>, reload: RwSignal<u64>) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<RevokeApiKey>::new();
    let error = error_of(move || action.value().get());
    open_dialog_for(revoking, open, move |_| action.value().set(None));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success("The API key was revoked. Programs using it are refused from now on.");
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <Dialog open title="Revoke API key" id="revoke-key-dialog">
            {move || revoking.get().map(|key| view! {
                <p>
                    "Revoke " <strong>{key.name.clone()}</strong> " (" <code>{key.shown.clone()}</code> ")? "
                    "Every program using it is refused from now on. This cannot be undone: a program that still needs access needs a new key."
                </p>
            })}
            <FormAlert error />
            <DialogFooter open pending=action.pending() label="Revoke key" busy_label="Revoking…" danger=true
                on_confirm=Callback::new(move |_| {
                    if let Some(key) = revoking.get_untracked() {
                        action.dispatch(RevokeApiKey { key_id: key.id });
                    }
                }) />
        </Dialog>
    }
}
