//! Success and error toasts.

use crate::domain::AppError;
use leptos::prelude::*;

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
