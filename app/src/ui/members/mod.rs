//! Settings → Users, and the accept-invite page.

mod accept_invite;
mod activity;
mod delete_dialog;
mod edit_dialog;
mod import;
mod invite_dialog;
mod offboard_dialog;
mod page;

pub use accept_invite::AcceptInvitePage;
pub use activity::ActivityPage;
pub use import::ImportPage;
pub use page::UsersPage;

use crate::domain::access::Grantor;
use crate::domain::auth::Me;
use crate::domain::templates::TemplateView;
use crate::domain::Role;
use leptos::prelude::*;

/// The signed-in person as someone who hands out access (from the frame's `Me`).
fn viewer() -> Grantor {
    use_context::<Me>().map(|me| me.grantor).unwrap_or_default()
}

/// The template choices; one granting a permission the viewer doesn't hold can't be
/// chosen (unless it is the member's already).
pub fn template_options(
    templates: Vec<TemplateView>,
    selected: Signal<Option<i64>>,
    viewer: &Grantor,
) -> impl IntoView {
    let current = selected.get_untracked();
    view! {
        <option value="" selected=move || selected.get().is_none()>"No template"</option>
        {templates
            .into_iter()
            .map(|t| {
                let beyond = Some(t.id) != current && !t.permissions.iter().all(|p| viewer.may_give(p));
                let label = if beyond {
                    format!("{} (has permissions you don't)", t.name)
                } else {
                    t.name
                };
                view! { <option value=t.id.to_string() disabled=beyond selected=move || selected.get() == Some(t.id)>{label}</option> }
            })
            .collect_view()}
    }
}

/// The role choices; Admin is only an admin's to give.
pub fn role_options(selected: Signal<Role>, viewer: &Grantor) -> impl IntoView {
    let admin_locked = viewer.admin_role_limit().is_some();
    Role::ALL
        .iter()
        .map(|r| {
            let r = *r;
            let locked = r == Role::Admin && admin_locked && selected.get_untracked() != Role::Admin;
            view! { <option value=r.as_str() disabled=locked selected=move || selected.get() == r>{r.label()}</option> }
        })
        .collect_view()
}
