//! Settings → Groups: teams of members with role templates attached; members get
//! the templates' permissions on top of their own.

use crate::api::groups::{
    list_groups, AddGroupMember, CreateGroup, DeleteGroup, RemoveGroupMember, SetGroupTemplate,
};
use crate::api::templates::list_role_templates;
use crate::domain::groups::GroupView;
use crate::domain::templates::TemplateView;
use crate::domain::AppError;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{
    error_of, loading, open_dialog_for, use_toasts, Dialog, DialogFooter, FieldMessage, FormAlert,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The page's server actions, shared by every group card.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddGroupMember>,
    remove: ServerAction<RemoveGroupMember>,
    template: ServerAction<SetGroupTemplate>,
    deleting: RwSignal<Option<GroupView>>,
    /// The group the last "Add" was for: its card shows the answer's field message.
    adding_to: RwSignal<Option<i64>>,
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let groups = Resource::new(move || reload.get(), |_| list_groups());
    let templates = Resource::new(move || reload.get(), |_| list_role_templates());
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let create = ServerAction::<CreateGroup>::new();
    let create_error = error_of(move || create.value().get());
    let actions = Actions {
        add: ServerAction::new(),
        remove: ServerAction::new(),
        template: ServerAction::new(),
        deleting: RwSignal::new(None),
        adding_to: RwSignal::new(None),
    };
    let done = move |value: Signal<Option<Result<(), AppError>>>, message: &'static str| {
        Effect::new(move |_| match value.get() {
            Some(Ok(())) => {
                toasts.success(message);
                reload.update(|n| *n += 1);
            }
            Some(Err(e)) if e.field_message("email").is_none() => toasts.error(e.to_string()),
            _ => {}
        });
    };
    done(
        actions.add.value().into(),
        "Added to the group. Their access changes at their next click.",
    );
    done(actions.remove.value().into(), "Removed from the group.");
    done(
        actions.template.value().into(),
        "The group's role templates were saved.",
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            toasts.success(format!("Group “{}” created.", name.get_untracked().trim()));
            name.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateGroup { name: name.get() });
    };
    view! {
        <Title text="Groups" />
        <h1>"Groups"</h1>
        <p class="lead">"Members of a group get the permissions of its role templates, on top of their own. Changes apply at their next click."</p>
        <form class="inline-form" on:submit=submit novalidate>
            <div class="field">
                <label for="group-name">"New group name"</label>
                <input id="group-name" maxlength="80" placeholder="Support team" bind:value=name
                    aria-describedby="group-name-error" />
                <FieldMessage error=create_error field="name" prefix="group-" />
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Creating…" } else { "New group" }}
            </button>
        </form>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                let all_templates = templates.await.unwrap_or_default();
                match groups.await {
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No groups yet"</h2>
                            <p>"Create a group for a team, attach the role templates it needs, and add its members."</p>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="group-list">
                            {list.iter().map(|g| group_card(g, &all_templates, actions)).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        <DeleteGroupDialog deleting=actions.deleting reload />
    }
}

fn group_card(g: &GroupView, templates: &[TemplateView], actions: Actions) -> impl IntoView {
    let Actions {
        add,
        remove,
        template,
        deleting,
        adding_to,
    } = actions;
    let id = g.id;
    let email = RwSignal::new(String::new());
    let email_message = move || {
        (adding_to.get() == Some(id))
            .then(|| add.value().get().and_then(|r| r.err()))
            .flatten()
            .and_then(|e| e.field_message("email"))
    };
    let attachable: Vec<TemplateView> = templates
        .iter()
        .filter(|t| !g.templates.iter().any(|a| a.id == t.id))
        .cloned()
        .collect();
    let chosen = RwSignal::new(attachable.first().map(|t| t.id));
    let field_prefix = format!("group-{id}-");
    let name = g.name.clone();
    let delete_row = g.clone();
    view! {
        <section class="card group-card" aria-labelledby=format!("group-{id}-title") data-testid=format!("group-{}", g.name)>
            <div class="group-head">
                <h2 id=format!("group-{id}-title")>
                    {g.name.clone()}
                    {g.restricts_sign_in.then(|| view! {
                        <span class="badge badge-beta" title="Only its members and the admins can sign in to this tenant (Tenant settings).">"Sign-in group"</span>
                    })}
                </h2>
                <button type="button" class="btn btn-small btn-danger-outline"
                    on:click=move |_| deleting.set(Some(delete_row.clone()))>
                    "Delete group"<span class="visually-hidden">{format!(" {name}")}</span>
                </button>
            </div>
            <h3>"Members"</h3>
            {if g.members.is_empty() {
                view! { <p class="note">"No members yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="chip-list">
                        {g.members.iter().map(|m| {
                            let member_id = m.id;
                            view! {
                                <li class="chip">
                                    {m.email.clone()}
                                    <button type="button" class="chip-remove" aria-label=format!("Remove {} from {}", m.email, g.name)
                                        on:click=move |_| { remove.dispatch(RemoveGroupMember { group_id: id, member_id }); }>
                                        "×"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="inline-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                adding_to.set(Some(id));
                add.dispatch(AddGroupMember { group_id: id, email: email.get() });
            }>
                <div class="field">
                    <label for=format!("{field_prefix}email")>"Add a member by email"</label>
                    <input id=format!("{field_prefix}email") type="email" maxlength="254" bind:value=email
                        aria-describedby=format!("{field_prefix}email-error")
                        aria-invalid=move || email_message().is_some().to_string() />
                    <p class="field-error" id=format!("{field_prefix}email-error")>{email_message}</p>
                </div>
                <button type="submit" class="btn" disabled=move || add.pending().get()>"Add"</button>
            </form>
            <h3>"Role templates"</h3>
            {if g.templates.is_empty() {
                view! { <p class="note">"No role templates: members get nothing from this group yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="chip-list">
                        {g.templates.iter().map(|t| {
                            let template_id = t.id;
                            view! {
                                <li class="chip">
                                    {t.name.clone()}
                                    <button type="button" class="chip-remove" aria-label=format!("Detach {} from {}", t.name, g.name)
                                        on:click=move |_| { template.dispatch(SetGroupTemplate { group_id: id, template_id, on: false }); }>
                                        "×"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!attachable.is_empty()).then(|| view! {
                <form class="inline-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if let Some(template_id) = chosen.get() {
                        template.dispatch(SetGroupTemplate { group_id: id, template_id, on: true });
                    }
                }>
                    <div class="field">
                        <label for=format!("{field_prefix}template")>"Attach a role template"</label>
                        <select id=format!("{field_prefix}template") on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                            {attachable.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="btn" disabled=move || template.pending().get()>"Attach"</button>
                </form>
            })}
        </section>
    }
}

#[component]
fn DeleteGroupDialog(
    deleting: RwSignal<Option<GroupView>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<DeleteGroup>::new();
    let error = error_of(move || action.value().get());
    open_dialog_for(deleting, open, move |_| action.value().set(None));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success("The group was deleted. Its members keep their own access.");
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let group = move || deleting.get();
    view! {
        <Dialog open title="Delete group" id="delete-group-dialog">
            {move || group().map(|g| {
                let count = g.members.len();
                view! {
                    <p>
                        "Delete " <strong>{g.name.clone()}</strong> "? "
                        {match count {
                            0 => "It has no members.".to_string(),
                            1 => "Its one member loses what its role templates give, at their next click:".to_string(),
                            n => format!("Its {n} members lose what its role templates give them, at their next click:"),
                        }}
                    </p>
                    <ul class="delete-members">
                        {g.members.iter().map(|m| view! { <li>{m.email.clone()}</li> }).collect_view()}
                    </ul>
                }
            })}
            <FormAlert error />
            <DialogFooter open pending=action.pending() label="Delete group" busy_label="Deleting…" danger=true
                on_confirm=Callback::new(move |_| {
                    if let Some(g) = deleting.get_untracked() {
                        action.dispatch(DeleteGroup { group_id: g.id });
                    }
                }) />
        </Dialog>
    }
}
