//! Settings → Users, and the accept-invite page.

mod accept_invite;
mod delete_dialog;
mod edit_dialog;
mod invite_dialog;
mod page;

pub use accept_invite::AcceptInvitePage;
pub use page::UsersPage;

use crate::domain::templates::TemplateView;
use leptos::prelude::*;

pub fn template_options(
    templates: Vec<TemplateView>,
    selected: Signal<Option<i64>>,
) -> impl IntoView {
    view! {
        <option value="" selected=move || selected.get().is_none()>"No template"</option>
        {templates
            .into_iter()
            .map(|t| view! { <option value=t.id.to_string() selected=move || selected.get() == Some(t.id)>{t.name}</option> })
            .collect_view()}
    }
}
