//! Modal dialogs (native `<dialog>`: focus trap, Escape and backdrop for free).

use leptos::prelude::*;

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
