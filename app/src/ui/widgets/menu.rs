//! Menus on `<details>`: they open and close without JavaScript (before hydration,
//! or with it off); once hydrated they follow the WAI-ARIA patterns.

use leptos::prelude::*;

/// One "Actions" menu button for a row (WAI-ARIA menu button): Enter, Space or
/// ArrowDown opens it on its first item, ArrowUp on its last; arrows, Home and End
/// move; Escape closes it and returns focus to the button; Tab, a choice, or a
/// click elsewhere closes it. Children are the items: `<button role="menuitem"
/// class="menu-item">` or `<a role="menuitem" class="menu-item">`.
// Component props are passed by value.
#[allow(clippy::needless_pass_by_value)]
#[component]
pub fn RowMenu(
    /// What the row is (an email, a template's name): the button reads "Actions for …".
    #[prop(into)]
    subject: String,
    /// Why some items can't be chosen: (id for the items' `aria-describedby`, words),
    /// shown under the items when the menu is open.
    #[prop(default = None)]
    note: Option<(String, String)>,
    children: Children,
) -> impl IntoView {
    let label = format!("Actions for {subject}");
    let open = RwSignal::new(false);
    // Until hydration the native <details> says whether it is open; the ARIA state
    // (and the menu's own keys) take over once the browser runs the app.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <details class="menu row-menu"
            on:toggle=move |ev| open.set(is_open(&ev))
            on:keydown=menu_keys
            on:keyup=open_on_space_up
            on:focusout=close_when_focus_leaves
            on:click=close_after_choice>
            <summary class="btn btn-small" role="button" aria-haspopup="menu"
                aria-expanded=move || hydrated.get().then(|| open.get().to_string()) aria-label=label.clone()>
                "Actions"<span class="caret" aria-hidden="true">"▾"</span>
            </summary>
            // Focusable itself, so a click on an item (which Safari doesn't focus) or
            // on the panel's padding keeps focus inside and the menu open.
            <div class="menu-panel" tabindex="-1">
                <div role="menu" aria-label=label>{children()}</div>
                {note.map(|(id, words)| view! { <p class="row-note" id=id>{words}</p> })}
            </div>
        </details>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement};

    pub fn element(target: Option<web_sys::EventTarget>) -> Option<Element> {
        target.and_then(|t| t.dyn_into::<Element>().ok())
    }

    pub fn focus(element: &Element) {
        if let Some(el) = element.dyn_ref::<HtmlElement>() {
            let _ = el.focus();
        }
    }

    pub fn summary(details: &Element) -> Option<Element> {
        details.query_selector(":scope > summary").ok().flatten()
    }

    /// The items that can be chosen, in order.
    pub fn items(details: &Element) -> Vec<Element> {
        let Ok(list) = details.query_selector_all("[role=menuitem]:not([disabled])") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .collect()
    }

    pub fn close(details: &Element, refocus: bool) {
        let _ = details.remove_attribute("open");
        if refocus {
            if let Some(summary) = summary(details) {
                focus(&summary);
            }
        }
    }
}

fn is_open(ev: &leptos::ev::Event) -> bool {
    #[cfg(feature = "hydrate")]
    {
        browser::element(ev.current_target()).is_some_and(|d| d.has_attribute("open"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

// Event handlers take their event by value (and use it only in the browser build).
#[allow(clippy::needless_pass_by_value)]
fn menu_keys(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        let Some(details) = browser::element(ev.current_target()) else {
            return;
        };
        let target = browser::element(ev.target());
        let on_button = target
            .as_ref()
            .is_some_and(|t| t.tag_name().eq_ignore_ascii_case("summary"));
        let open = details.has_attribute("open");
        let items = browser::items(&details);
        let key = ev.key();
        match key.as_str() {
            // Space acts on its key-up (as buttons do): `open_on_space_up`. Cancelling
            // the key-down keeps the page from scrolling and the summary from toggling.
            " " if on_button => ev.prevent_default(),
            "Enter" if on_button && open => {
                ev.prevent_default();
                browser::close(&details, false);
            }
            "Enter" | "ArrowDown" | "ArrowUp" if on_button => {
                ev.prevent_default();
                let _ = details.set_attribute("open", "");
                let first = if key == "ArrowUp" {
                    items.last()
                } else {
                    items.first()
                };
                if let Some(item) = first {
                    browser::focus(item);
                }
            }
            "ArrowDown" | "ArrowUp" | "Home" | "End" if !on_button && !items.is_empty() => {
                ev.prevent_default();
                let here = target
                    .as_ref()
                    .and_then(|t| items.iter().position(|i| i == t))
                    .unwrap_or(0);
                let last = items.len() - 1;
                let next = match key.as_str() {
                    "ArrowDown" => {
                        if here == last {
                            0
                        } else {
                            here + 1
                        }
                    }
                    "ArrowUp" => {
                        if here == 0 {
                            last
                        } else {
                            here - 1
                        }
                    }
                    "Home" => 0,
                    _ => last,
                };
                if let Some(item) = items.get(next) {
                    browser::focus(item);
                }
            }
            "Escape" if open => {
                ev.prevent_default();
                ev.stop_propagation();
                browser::close(&details, true);
            }
            "Tab" if open => browser::close(&details, false),
            _ => {}
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Space on the menu button opens (or closes) the menu when the key comes up, so the
/// key-up can't land on the item that just took focus (Firefox clicks on key-up).
#[allow(clippy::needless_pass_by_value)]
fn open_on_space_up(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        let on_button = browser::element(ev.target())
            .is_some_and(|t| t.tag_name().eq_ignore_ascii_case("summary"));
        if ev.key() != " " || !on_button {
            return;
        }
        let Some(details) = browser::element(ev.current_target()) else {
            return;
        };
        ev.prevent_default();
        if details.has_attribute("open") {
            browser::close(&details, false);
        } else {
            let _ = details.set_attribute("open", "");
            if let Some(item) = browser::items(&details).first() {
                browser::focus(item);
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// A click or Tab that moves focus out of an open menu closes it.
#[allow(clippy::needless_pass_by_value)]
fn close_when_focus_leaves(ev: leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        let Some(details) = browser::element(ev.current_target()) else {
            return;
        };
        let inside = browser::element(ev.related_target())
            .is_some_and(|to| details.contains(Some(to.as_ref())));
        if !inside && details.has_attribute("open") {
            browser::close(&details, false);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Choosing an item closes the menu, focus back on its button (where a dialog the
/// item opens returns it when it closes).
#[allow(clippy::needless_pass_by_value)]
fn close_after_choice(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        let Some(details) = browser::element(ev.current_target()) else {
            return;
        };
        let chose = browser::element(ev.target())
            .and_then(|t| t.closest("[role=menuitem]").ok().flatten())
            .is_some();
        if chose {
            browser::close(&details, true);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Closes an open `<details>` menu when Escape is pressed inside it (the top bar's
/// tenant and account menus).
#[allow(clippy::needless_pass_by_value)]
pub fn close_on_escape(ev: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    if ev.key() == "Escape" {
        if let Some(details) = browser::element(ev.current_target()) {
            browser::close(&details, true);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Closes the `<details>` menu around a clicked link, so it isn't left open on the
/// page the link leads to.
#[allow(clippy::needless_pass_by_value)]
pub fn close_parent_menu(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(details) = browser::element(ev.current_target())
        .and_then(|link| link.closest("details").ok().flatten())
    {
        let _ = details.remove_attribute("open");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
