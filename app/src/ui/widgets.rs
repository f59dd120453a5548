//! Small shared pieces of UI.

use crate::domain::{AppError, TenantKind};
use leptos::prelude::*;

/// Marks `<body data-hydrated="true">` once the WASM app has taken over, so tests
/// (and CSS) can tell a hydrated page from a server-rendered one.
pub fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// A full page load of `path` (used after sign-in, sign-out and tenant switches so
/// no state of the previous identity survives in memory).
pub fn hard_navigate(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// What a section shows while its data loads (announced to screen readers).
pub fn loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

#[component]
pub fn KindBadge(kind: TenantKind) -> impl IntoView {
    let class = match kind {
        TenantKind::Production => "badge badge-production",
        TenantKind::Sandbox => "badge badge-sandbox",
    };
    view! { <span class=class>{kind.label()}</span> }
}

/// The sentence under a form: any error that is not about one field.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <p role="alert" class="form-alert" class:visible=move || error.get().is_some()>
            {move || {
                error
                    .get()
                    .map(|e| match e {
                        AppError::Validation(_) => "Please correct the marked fields.".to_string(),
                        other => other.to_string(),
                    })
            }}
        </p>
    }
}

/// The message next to a field, when the last answer named it.
#[component]
pub fn FieldMessage(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    #[prop(default = "")] prefix: &'static str,
) -> impl IntoView {
    let id = format!("{prefix}{field}-error");
    view! {
        <p class="field-error" id=id>
            {move || error.get().and_then(|e| e.field_message(field))}
        </p>
    }
}

/// Percent-encodes a path for use in a query string.
pub fn encode_component(value: &str) -> String {
    crate::domain::navigation::encode_query_value(value)
}

/// A modal dialog on the native `<dialog>` element: focus moves into it, Escape
/// closes it, the page behind is inert. `open` drives it both ways.
#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    id: &'static str,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let should_open = open.get();
        #[cfg(feature = "hydrate")]
        if let Some(dialog) = node.get() {
            if should_open && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !should_open && dialog.open() {
                dialog.close();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = should_open;
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog node_ref=node class="dialog" id=id aria-labelledby=labelled_by on:close=move |_| open.set(false)>
            <div class="dialog-header">
                <h2 id=title_id>{move || title.get()}</h2>
                <button type="button" class="icon-button" aria-label="Close" on:click=move |_| open.set(false)>"×"</button>
            </div>
            {children()}
        </dialog>
    }
}

/// Ties a dialog to the thing it is about: when `target` is set, `prepare` fills the
/// form from it and the dialog opens; when the dialog closes, `target` is cleared.
pub fn open_dialog_for<T>(
    target: RwSignal<Option<T>>,
    open: RwSignal<bool>,
    prepare: impl Fn(T) + 'static,
) where
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(value) = target.get() {
            prepare(value);
            open.set(true);
        }
    });
    Effect::new(move |_| {
        if !open.get() {
            target.set(None);
        }
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub message: String,
}

/// Short messages after an action ("Invitation sent"), announced to screen readers.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: RwSignal<u64>,
}

impl Toasts {
    pub fn provide() -> Self {
        let toasts = Toasts {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(0),
        };
        provide_context(toasts);
        toasts
    }

    pub fn push(&self, kind: ToastKind, message: impl Into<String>) {
        let id = self.next.get_untracked() + 1;
        self.next.set(id);
        self.items.update(|items| {
            items.push(Toast {
                id,
                kind,
                message: message.into(),
            })
        });
        let items = self.items;
        set_timeout(
            move || items.update(|v| v.retain(|t| t.id != id)),
            std::time::Duration::from_secs(6),
        );
    }

    pub fn success(&self, message: impl Into<String>) {
        self.push(ToastKind::Success, message);
    }

    pub fn error(&self, message: impl Into<String>) {
        self.push(ToastKind::Error, message);
    }
}

pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(Toasts::provide)
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class=match toast.kind {
                    ToastKind::Success => "toast toast-success",
                    ToastKind::Error => "toast toast-error",
                }>{toast.message}</div>
            </For>
        </div>
    }
}

/// Permission checkboxes grouped by category. `inherited` marks what another
/// source (a role template) already grants.
#[component]
pub fn PermissionPicker(
    selected: RwSignal<std::collections::BTreeSet<crate::domain::access::Permission>>,
    #[prop(into)] inherited: Signal<std::collections::BTreeSet<crate::domain::access::Permission>>,
    #[prop(into)] disabled: Signal<bool>,
    id_prefix: &'static str,
) -> impl IntoView {
    use crate::domain::access::{Action, Category, Permission};
    view! {
        <div class="permission-grid">
            {Category::ALL
                .iter()
                .map(|category| {
                    let category = *category;
                    view! {
                        <fieldset class="permission-group">
                            <legend>{category.label()}</legend>
                            {Action::ALL
                                .iter()
                                .map(|action| {
                                    let p = Permission::new(category, *action);
                                    let id = format!("{id_prefix}-{}-{}", category.as_str(), action.as_str());
                                    let label_for = id.clone();
                                    view! {
                                        <label class="check" for=label_for title=p.label()>
                                            <input
                                                type="checkbox"
                                                id=id
                                                prop:checked=move || selected.with(|s| s.contains(&p))
                                                disabled=move || disabled.get()
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    selected.update(|s| {
                                                        if on {
                                                            s.insert(p);
                                                        } else {
                                                            s.remove(&p);
                                                        }
                                                    });
                                                }
                                            />
                                            <span>{action.label()}</span>
                                            {move || inherited.with(|i| i.contains(&p)).then(|| view! { <span class="via">"via template"</span> })}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The buttons under a dialog: Cancel, and the confirming button with its busy label.
/// Without `on_confirm` the confirming button submits the dialog's form.
#[component]
pub fn DialogFooter(
    open: RwSignal<bool>,
    #[prop(into)] pending: Signal<bool>,
    label: &'static str,
    busy_label: &'static str,
    #[prop(optional)] danger: bool,
    #[prop(optional)] on_confirm: Option<Callback<()>>,
) -> impl IntoView {
    let class = if danger {
        "btn btn-danger"
    } else {
        "btn btn-primary"
    };
    let kind = if on_confirm.is_some() {
        "button"
    } else {
        "submit"
    };
    view! {
        <div class="dialog-actions">
            <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
            <button
                type=kind
                class=class
                disabled=move || pending.get()
                on:click=move |_| {
                    if let Some(confirm) = on_confirm {
                        confirm.run(());
                    }
                }
            >
                {move || if pending.get() { busy_label } else { label }}
            </button>
        </div>
    }
}

/// The error of an action's last answer, if it failed: what forms show next to
/// their fields and in their alert.
pub fn error_of<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value().and_then(|r| r.err()))
}

/// `aria-invalid` for a field: "true" when the last answer named it.
pub fn invalid_attr(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    move || {
        error
            .get()
            .and_then(|e| e.field_message(field))
            .is_some()
            .to_string()
    }
}

/// After each successful answer of an action: a success toast with `message`, then
/// `then` (usually reloading what the page shows). Errors stay with their form.
pub fn toast_on_success<T: Clone + Send + Sync + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + 'static,
    message: impl Fn(&T) -> String + 'static,
    then: impl Fn() + 'static,
) {
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(out)) = value() {
            toasts.success(message(&out));
            then();
        }
    });
}

/// The QR code and the secret to connect an authenticator app.
#[component]
pub fn TotpSetupView(setup: crate::domain::auth::TotpSetup) -> impl IntoView {
    let size = setup.qr_size + 8;
    view! {
        <div class="totp-setup">
            <svg
                class="qr"
                role="img"
                aria-label="QR code to scan with your authenticator app"
                viewBox=format!("-4 -4 {size} {size}")
                width="200"
                height="200"
                shape-rendering="crispEdges"
            >
                <rect x="-4" y="-4" width=size.to_string() height=size.to_string() fill="#fff" />
                <path d=setup.qr_path fill="#000" />
            </svg>
            <div>
                <ol class="steps">
                    <li>"Open your authenticator app and add an account."</li>
                    <li>"Scan the QR code, or type this key:"</li>
                </ol>
                <p><code class="secret" data-testid="totp-secret">{setup.secret}</code></p>
                <p class="muted">"Time-based, 6 digits, every 30 seconds."</p>
                <ol class="steps" start="3">
                    <li>"Enter the 6-digit code the app shows."</li>
                </ol>
            </div>
        </div>
    }
}

/// Recovery codes, shown once right after they are made.
#[component]
pub fn RecoveryCodes(codes: Vec<String>, on_done: Callback<()>) -> impl IntoView {
    view! {
        <div class="recovery-codes" role="region" aria-labelledby="recovery-codes-title">
            <h3 id="recovery-codes-title">"Your recovery codes"</h3>
            <p>"Each code signs you in once if you lose your phone. Save them somewhere safe, like a password manager: this is the only time they are shown."</p>
            <ul class="codes" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <button type="button" class="btn btn-primary" on:click=move |_| on_done.run(())>"I've saved my codes"</button>
        </div>
    }
}
