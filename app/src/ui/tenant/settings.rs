//! Settings → Tenant.

use crate::api::tenant::{
    get_tenant_overview, CreateSandbox, SetRequireAdminTwoFactor, SetSignInGroup,
};
use crate::domain::access::sign_in::{would_lose_sentence, ADMINS_ALWAYS};
use crate::domain::tenant::SignInGroupChoice;
use crate::domain::{Plan, PlanFeature, TenantKind};
use crate::ui::widgets::ErrorPage;
use crate::ui::widgets::{
    error_of, invalid_attr, loading, toast_on_success, FieldMessage, FormAlert, KindBadge,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TenantSettingsPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let overview = Resource::new(move || reload.get(), |_| get_tenant_overview());
    let save = ServerAction::<SetRequireAdminTwoFactor>::new();
    toast_on_success(
        move || save.value().get(),
        |_| "Sign-in security saved.".into(),
        move || reload.update(|n| *n += 1),
    );
    let error = error_of(move || save.value().get());
    let restrict = ServerAction::<SetSignInGroup>::new();
    toast_on_success(
        move || restrict.value().get(),
        |_| "Who can sign in saved.".into(),
        move || reload.update(|n| *n += 1),
    );
    let sandbox = ServerAction::<CreateSandbox>::new();
    toast_on_success(
        move || sandbox.value().get(),
        |_| "Sandbox created. Switch to it from the tenant menu at the top.".into(),
        // The tenant menu lists the new sandbox after a full reload.
        || crate::ui::widgets::hard_navigate("/settings/tenant"),
    );
    let sandbox_error = error_of(move || sandbox.value().get());
    view! {
        <Title text="Tenant" />
        <h1>"Tenant"</h1>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(t) => view! {
                        <section class="card">
                            <dl class="facts">
                                <dt>"Name"</dt>
                                <dd>{t.name.clone()}</dd>
                                <dt>"Kind"</dt>
                                <dd><KindBadge kind=t.kind /></dd>
                                <dt>"Plan"</dt>
                                <dd>{t.plan.label()}</dd>
                                <dt>"Seats"</dt>
                                <dd>{format!("{} of {} seats used", t.seats_used, t.seat_limit)}</dd>
                            </dl>
                        </section>
                        <section class="card" aria-labelledby="security-title">
                            <h2 id="security-title">"Sign-in security"</h2>
                            {if t.can_manage_security {
                                view! {
                                    <ActionForm action=save attr:class="form">
                                        <label class="check" for="require-2fa">
                                            // Unchecked sends nothing, which the server reads as "off":
                                            // the form works the same before hydration.
                                            <input
                                                type="checkbox"
                                                id="require-2fa"
                                                name="on"
                                                value="true"
                                                checked=t.require_admin_two_factor
                                                aria-describedby="require-2fa-hint"
                                            />
                                            <span>"Require two-factor for admins"</span>
                                        </label>
                                        <p class="hint" id="require-2fa-hint">"Turn on two-factor for yourself first. Other admins without it are signed out at their next click and set it up when they sign in again."</p>
                                        <FormAlert error />
                                        <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                                            {move || if save.pending().get() { "Saving…" } else { "Save" }}
                                        </button>
                                    </ActionForm>
                                    <SignInGroupForm current=t.sign_in_group.clone() choices=t.sign_in_choices.clone() save=restrict />
                                }
                                .into_any()
                            } else {
                                view! {
                                    <p>{if t.require_admin_two_factor { "Admins must sign in with two-factor." } else { "Two-factor is optional for everyone." }}</p>
                                    <p>{match &t.sign_in_group {
                                        Some(g) => format!("Only members of the group “{}” and the admins can sign in to this tenant.", g.name),
                                        None => "Every active member can sign in to this tenant.".to_string(),
                                    }}</p>
                                    <p class="note">"Only an admin of this tenant can change sign-in security."</p>
                                }
                                .into_any()
                            }}
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
        // Outside the closures above: on the server, Suspense walks a closure's view
        // more than once before rendering, and a component with its own resource built
        // in there is built (and its resource created) each time, which the browser
        // then fails to hydrate.
        <super::provisioning::ProvisioningCard />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                overview.await.ok().map(|t| view! {
                        <section class="card" aria-labelledby="pair-title">
                            <h2 id="pair-title">"Production and sandbox"</h2>
                            {match (t.paired_with.clone(), t.kind, t.can_manage_security) {
                                (Some(other), TenantKind::Production, _) => view! {
                                    <p>"Its sandbox is " <strong>{other}</strong> ". Switch to it from the tenant menu at the top. People need a separate invitation there."</p>
                                }.into_any(),
                                (Some(other), TenantKind::Sandbox, _) => view! {
                                    <p>"This is the sandbox of " <strong>{other}</strong> ". Changes here don't touch production."</p>
                                }.into_any(),
                                (None, TenantKind::Production, true) => view! {
                                    <p class="note">"A sandbox is a separate tenant to try things safely: it gets this tenant's role templates and groups (without members), and you become its admin."</p>
                                    <ActionForm action=sandbox attr:class="form">
                                        <FormAlert error=sandbox_error />
                                        <button type="submit" class="btn" disabled=move || sandbox.pending().get()>
                                            {move || if sandbox.pending().get() { "Creating…" } else { "Create sandbox" }}
                                        </button>
                                    </ActionForm>
                                }.into_any(),
                                (None, TenantKind::Production, false) => view! {
                                    <p class="note">"No sandbox yet. An admin of this tenant can create one."</p>
                                }.into_any(),
                                (None, TenantKind::Sandbox, _) => view! {
                                    <p class="note">"This sandbox isn't paired with a production tenant."</p>
                                }.into_any(),
                            }}
                        </section>
                        <section class="card" aria-labelledby="plans-title">
                            <h2 id="plans-title">"Plans"</h2>
                            <p class="note">{format!("This tenant is on the {} plan. The operator of this Gatehouse changes plans and seat limits.", t.plan.label())}</p>
                            <PlanMatrix current=t.plan />
                        </section>
                })
            })}
        </Transition>
    }
}

/// Group-restricted sign-in: who can sign in, with what each choice costs shown
/// before saving (in each option's words, so it reads the same before hydration,
/// and under the list for the option chosen).
#[component]
fn SignInGroupForm(
    current: Option<SignInGroupChoice>,
    choices: Vec<SignInGroupChoice>,
    save: ServerAction<SetSignInGroup>,
) -> impl IntoView {
    let error = error_of(move || save.value().get());
    let current_id = current
        .as_ref()
        .map(|c| c.id.to_string())
        .unwrap_or_default();
    let selected = RwSignal::new(current_id.clone());
    let options = choices.clone();
    let preview = move || {
        let chosen = selected.get();
        options
            .iter()
            .find(|c| c.id.to_string() == chosen)
            .map_or_else(
                || "Every active member of this tenant can sign in.".to_string(),
                |c| would_lose_sentence(&c.name, c.would_lose),
            )
    };
    if choices.is_empty() {
        return view! {
            <div class="subsection">
                <h3>"Who can sign in"</h3>
                <p>"Every active member of this tenant can sign in."</p>
                <p class="note">"To let only some people sign in, create a group in " <a href="/settings/groups">"Settings → Groups"</a> " first."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="subsection">
            <h3>"Who can sign in"</h3>
            <ActionForm action=save attr:class="form" attr:data-testid="sign-in-group-form">
                <div class="field">
                    <label for="sign-in-group">"Let these people sign in"</label>
                    <select
                        id="sign-in-group"
                        name="group_id"
                        aria-describedby="sign-in-group-hint sign-in-group-preview group_id-error"
                        aria-invalid=invalid_attr(error, "group_id")
                        on:change=move |ev| selected.set(event_target_value(&ev))
                    >
                        <option value="" selected=current_id.is_empty()>"Every active member"</option>
                        {choices.iter().map(|c| {
                            let id = c.id.to_string();
                            let chosen = id == current_id;
                            let cost = match c.would_lose {
                                0 => "nobody loses sign-in".to_string(),
                                1 => "1 member would lose sign-in".to_string(),
                                n => format!("{n} members would lose sign-in"),
                            };
                            view! {
                                <option value=id selected=chosen>
                                    {format!("Only members of {} ({cost})", c.name)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <FieldMessage error field="group_id" />
                </div>
                <p class="note" id="sign-in-group-preview" aria-live="polite" data-testid="sign-in-group-preview">{preview}</p>
                <p class="hint" id="sign-in-group-hint">{ADMINS_ALWAYS} " Members outside the group are told, after their password, that they can't sign in here and whom to ask."</p>
                <FormAlert error />
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save who can sign in" }}
                </button>
            </ActionForm>
        </div>
    }
    .into_any()
}

/// Every plan side by side: seats and the plan-locked features, the current plan
/// marked. Drawn from the domain's one plan catalog.
#[component]
fn PlanMatrix(current: Plan) -> impl IntoView {
    let seats = |p: Plan| {
        let n = p.default_seat_limit();
        if n >= 1_000_000 {
            "Unlimited".to_string()
        } else {
            n.to_string()
        }
    };
    view! {
        <table class="table plan-matrix" data-testid="plan-matrix">
            <caption class="visually-hidden">"What each plan includes"</caption>
            <thead>
                <tr>
                    <th scope="col">"Feature"</th>
                    {Plan::ALL.iter().map(|p| view! {
                        <th scope="col" class:current=*p == current>
                            {p.label()}{(*p == current).then_some(" (yours)")}
                        </th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row">"Seats"</th>
                    {Plan::ALL.iter().map(|p| view! { <td data-label=p.label() class:current=*p == current>{seats(*p)}</td> }).collect_view()}
                </tr>
                {PlanFeature::ALL.iter().map(|f| view! {
                    <tr>
                        <th scope="row">{f.label()}</th>
                        {Plan::ALL.iter().map(|p| {
                            let included = p.includes(*f);
                            view! {
                                <td data-label=p.label() class:current=*p == current>
                                    {if included { "✓" } else { "—" }}
                                    <span class="visually-hidden">{if included { " included" } else { " not included" }}</span>
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
