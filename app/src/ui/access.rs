//! The permission picker shared by the Edit user dialog and the Role templates
//! panel: checkboxes grouped by category, each marked with what else grants it.

use crate::domain::access::{Action, Category, GrantSource, Permission};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What else grants each permission (besides the checkbox itself).
pub type IndirectGrants = BTreeMap<Permission, Vec<GrantSource>>;

/// Permission checkboxes grouped by category. `granted_elsewhere` marks what another
/// source (the Admin role, a role template, a group) already grants, as the domain's
/// evaluation decides it.
#[component]
pub fn PermissionPicker(
    selected: RwSignal<BTreeSet<Permission>>,
    #[prop(into)] granted_elsewhere: Signal<IndirectGrants>,
    #[prop(into)] disabled: Signal<bool>,
    id_prefix: &'static str,
    /// Who is choosing: a permission they may not give can't be ticked (one already
    /// ticked can be cleared).
    #[prop(optional)]
    grantor: Option<crate::domain::access::Grantor>,
    /// Everything is granted anyway (an admin): every box shows ticked, and
    /// `disabled` keeps them so.
    #[prop(optional, into)]
    all_granted: Signal<bool>,
) -> impl IntoView {
    let may_give = move |p: &Permission| grantor.as_ref().is_none_or(|g| g.may_give(p));
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
                                    let beyond = !may_give(&p);
                                    let id = format!("{id_prefix}-{}-{}", category.as_str(), action.as_str());
                                    let label_for = id.clone();
                                    view! {
                                        <label class="check" for=label_for title=p.label()>
                                            <input
                                                type="checkbox"
                                                id=id
                                                prop:checked=move || all_granted.get() || selected.with(|s| s.contains(&p))
                                                disabled=move || disabled.get() || (beyond && !selected.with(|s| s.contains(&p)))
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
                                            {move || granted_elsewhere.with(|g| g.get(&p).map(|sources| {
                                                let mut shorts: Vec<String> = sources.iter().map(GrantSource::short).collect();
                                                shorts.dedup();
                                                let short = shorts.join(", ");
                                                let full = sources.iter().map(|s| format!("Granted by {s}")).collect::<Vec<_>>().join("; ");
                                                view! { <span class="via" title=full>{short}</span> }
                                            }))}
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
