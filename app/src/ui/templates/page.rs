//! Settings → Role templates: list, create, edit (applies to everyone using it at
//! once) and delete (after moving the people who use it).

use crate::api::templates::{
    list_role_templates, preview_role_template, preview_role_template_delete,
    role_template_references, DeleteRoleTemplate, SaveRoleTemplate,
};
use crate::domain::access::Permission;
use crate::domain::templates::{TemplateImpact, TemplateInput, TemplateView};
use crate::domain::AppError;
use crate::ui::access::PermissionPicker;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{
    error_of, loading, open_dialog_for, use_toasts, Dialog, DialogFooter, FieldMessage, FormAlert,
    RowMenu,
};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeSet;

#[component]
pub fn RoleTemplatesPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let templates = Resource::new(move || reload.get(), |_| list_role_templates());
    let editing = RwSignal::new(None::<Option<TemplateView>>);
    let deleting = RwSignal::new(None::<TemplateView>);
    view! {
        <Title text="Role templates" />
        <div class="page-header">
            <h1>"Role templates"</h1>
            <div class="page-actions">
                <button type="button" class="btn btn-primary" on:click=move |_| editing.set(Some(None))>"New template"</button>
            </div>
        </div>
        <p class="lead">"Reusable permission sets. People using a template get its permissions in addition to their own, and editing it changes everyone's access at once."</p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match templates.await {
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No role templates yet"</h2>
                            <p>"Create templates such as “Support agent” or “Sales manager” before inviting a group of people, so everyone with the same job gets the same access."</p>
                            <button type="button" class="btn btn-primary" on:click=move |_| editing.set(Some(None))>"New template"</button>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Grants"</th>
                                    <th scope="col">"People using it"</th>
                                    <th scope="col" class="actions-cell"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let summary = if t.permissions.is_empty() {
                                        "No permissions".to_string()
                                    } else {
                                        t.permissions.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")
                                    };
                                    let for_edit = t.clone();
                                    let for_delete = t.clone();
                                    view! {
                                        <tr>
                                            <td data-label="Name">{t.name.clone()}</td>
                                            <td data-label="Grants" class="grants">{summary}</td>
                                            <td data-label="People using it">{t.members}</td>
                                            <td class="actions-cell" data-label="">
                                                <RowMenu subject=t.name.clone()>
                                                    <button type="button" role="menuitem" class="menu-item" on:click=move |_| editing.set(Some(Some(for_edit.clone())))>
                                                        "Edit"
                                                    </button>
                                                    <button type="button" role="menuitem" class="menu-item menu-item-danger" on:click=move |_| deleting.set(Some(for_delete.clone()))>
                                                        "Delete"
                                                    </button>
                                                </RowMenu>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
        <TemplateDialog editing reload />
        <DeleteTemplateDialog deleting templates reload />
    }
}

#[component]
fn TemplateDialog(
    editing: RwSignal<Option<Option<TemplateView>>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<SaveRoleTemplate>::new();
    let error = error_of(move || action.value().get());
    let name = RwSignal::new(String::new());
    let permissions = RwSignal::new(BTreeSet::<Permission>::new());
    let id = RwSignal::new(None::<i64>);
    open_dialog_for(editing, open, move |target| {
        action.value().set(None);
        id.set(target.as_ref().map(|t| t.id));
        name.set(target.as_ref().map(|t| t.name.clone()).unwrap_or_default());
        permissions.set(
            target
                .map(|t| t.permissions.into_iter().collect())
                .unwrap_or_default(),
        );
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            toasts.success(format!(
                "Saved the template “{}”.",
                name.get_untracked().trim()
            ));
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    // What saving would change for whom, as the selection changes (reads only).
    let impact = Resource::new(
        move || (open.get(), id.get(), permissions.get()),
        |(open, id, permissions)| async move {
            match (open, id) {
                (true, Some(id)) => {
                    preview_role_template(TemplateInput {
                        id: Some(id),
                        name: String::new(),
                        permissions: permissions.into_iter().collect(),
                    })
                    .await
                }
                _ => Ok(TemplateImpact::default()),
            }
        },
    );
    let title = Signal::derive(move || {
        if id.get().is_some() {
            "Edit template".to_string()
        } else {
            "New template".to_string()
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveRoleTemplate {
            input: TemplateInput {
                id: id.get(),
                name: name.get(),
                permissions: permissions.get().into_iter().collect(),
            },
        });
    };
    view! {
        <Dialog open title id="template-dialog">
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="template-name">"Name"</label>
                    <input id="template-name" type="text" maxlength="80" bind:value=name aria-describedby="template-name-error" />
                    <FieldMessage error field="name" prefix="template-" />
                </div>
                <div class="field">
                    <p class="field-label">"Permissions"</p>
                    <PermissionPicker selected=permissions granted_elsewhere=Signal::derive(Default::default) disabled=Signal::derive(|| false) id_prefix="template-perm" />
                </div>
                {move || (open.get() && id.get().is_some()).then(|| view! { <ImpactPanel impact heading="If you save" /> })}
                <FormAlert error />
                <DialogFooter open pending=action.pending() label="Save template" busy_label="Saving…" />
            </form>
        </Dialog>
    }
}

#[component]
fn DeleteTemplateDialog(
    deleting: RwSignal<Option<TemplateView>>,
    templates: Resource<Result<Vec<TemplateView>, AppError>>,
    reload: RwSignal<u64>,
) -> impl IntoView {
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let action = ServerAction::<DeleteRoleTemplate>::new();
    let error = error_of(move || action.value().get());
    let reassign = RwSignal::new(None::<i64>);
    let references = Resource::new(
        move || deleting.get().map(|t| t.id),
        |id| async move {
            match id {
                Some(id) => role_template_references(id).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let impact = Resource::new(
        move || (deleting.get().map(|t| t.id), reassign.get()),
        |(id, reassign_to)| async move {
            match id {
                Some(id) => preview_role_template_delete(id, reassign_to).await,
                None => Ok(TemplateImpact::default()),
            }
        },
    );
    open_dialog_for(deleting, open, move |_| {
        action.value().set(None);
        reassign.set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            toasts.success("The template was deleted.");
            open.set(false);
            reload.update(|n| *n += 1);
        }
    });
    let name = move || deleting.get().map(|t| t.name).unwrap_or_default();
    let others = move || {
        let current = deleting.get().map(|t| t.id);
        templates
            .get()
            .and_then(|r| r.ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|t| Some(t.id) != current)
            .collect::<Vec<_>>()
    };
    view! {
        <Dialog open title="Delete template" id="delete-template-dialog">
            <Transition fallback=|| view! { <p class="loading" role="status">"Checking who uses it…"</p> }>
                {move || Suspend::new(async move {
                    match references.await {
                        Err(e) => view! { <p role="alert" class="form-alert visible">{e.to_string()}</p> }.into_any(),
                        Ok(emails) if emails.is_empty() => view! {
                            <p>"No one uses " <strong>{name}</strong> ". Deleting it removes it from the Role template lists."</p>
                        }.into_any(),
                        Ok(emails) => view! {
                            <p>
                                {format!("{} {} ", emails.len(), if emails.len() == 1 { "person uses" } else { "people use" })}
                                <strong>{name}</strong>
                                ". Choose where to move them before it is deleted; their own direct permissions stay as they are."
                            </p>
                            <ul class="reference-list">{emails.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                            <div class="field">
                                <label for="reassign-to">"Move them to"</label>
                                <select id="reassign-to" on:change=move |ev| reassign.set(event_target_value(&ev).parse().ok())>
                                    <option value="">"No template"</option>
                                    {others().into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                </select>
                                <FieldMessage error field="reassign_to" prefix="template-" />
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || open.get().then(|| view! { <ImpactPanel impact heading="If you delete it" /> })}
            <FormAlert error />
            <DialogFooter open pending=action.pending() label="Delete template" busy_label="Deleting…" danger=true
                on_confirm=Callback::new(move |_| {
                    if let Some(t) = deleting.get_untracked() {
                        action.dispatch(DeleteRoleTemplate { id: t.id, reassign_to: reassign.get_untracked() });
                    }
                }) />
        </Dialog>
    }
}

/// Members listed by name in an impact preview; the rest are counted.
const IMPACT_NAMES_SHOWN: usize = 20;

/// What a template change does to whom, before it is saved.
#[component]
fn ImpactPanel(
    impact: Resource<Result<TemplateImpact, AppError>>,
    heading: &'static str,
) -> impl IntoView {
    view! {
        <section class="impact" aria-live="polite" data-testid="template-impact">
            <h3 class="impact-heading">{heading}</h3>
            <Transition fallback=|| view! { <p class="loading" role="status">"Working out who is affected…"</p> }>
                {move || Suspend::new(async move {
                    match impact.await {
                        Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                        Ok(impact) => {
                            let more = impact.members.len().saturating_sub(IMPACT_NAMES_SHOWN);
                            view! {
                                <p class="impact-summary">{impact.summary()}</p>
                                <ul class="impact-list">
                                    {impact.members.iter().take(IMPACT_NAMES_SHOWN).map(|m| {
                                        let mut parts = Vec::new();
                                        if !m.gains.is_empty() {
                                            parts.push(format!("gains {}", m.gains.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")));
                                        }
                                        if !m.losses.is_empty() {
                                            parts.push(format!("loses {}", m.losses.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")));
                                        }
                                        view! { <li><strong>{m.name.clone()}</strong>{format!(": {}", parts.join("; "))}</li> }
                                    }).collect_view()}
                                </ul>
                                {(more > 0).then(|| view! { <p class="note">{format!("and {more} more.")}</p> })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
