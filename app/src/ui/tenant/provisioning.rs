//! Settings → Tenant → Provisioning: whether people an identity provider adds get an
//! invitation email, and verified-domain auto-join (a plain form: works before
//! hydration).

use crate::api::tenant::{get_provisioning, SetProvisioning};
use crate::domain::tenant::ProvisioningSettings;
use crate::ui::widgets::{error_of, invalid_attr, toast_on_success, FieldMessage, FormAlert};
use leptos::prelude::*;

#[component]
pub fn ProvisioningCard() -> impl IntoView {
    let save = ServerAction::<SetProvisioning>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_provisioning());
    toast_on_success(
        move || save.value().get(),
        |_| "Provisioning saved.".into(),
        || {},
    );
    view! {
        <section class="card" aria-labelledby="provisioning-title">
            <h2 id="provisioning-title">"Provisioning"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    settings.await.ok().map(|s| view! { <ProvisioningForm s save /> })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ProvisioningForm(s: ProvisioningSettings, save: ServerAction<SetProvisioning>) -> impl IntoView {
    let error = error_of(move || save.value().get());
    let domains = if s.domains.is_empty() {
        "No email domain is verified for this tenant. The operator of this Gatehouse verifies one (gatehouse tenant add-domain).".to_string()
    } else {
        format!("Verified email domains: {}.", s.domains.join(", "))
    };
    let used = match s.auto_join_seat_cap {
        Some(cap) => format!("{} of {cap} auto-join seats used.", s.auto_joined),
        None => format!("{} people joined this way.", s.auto_joined),
    };
    if !s.can_manage {
        return view! {
            <p>{if s.scim_invites { "People your identity provider adds get an invitation email." } else { "People your identity provider adds wait until an admin sends their invitation." }}</p>
            <p>{domains}</p>
            <p>{if s.auto_join_on { format!("People with a verified-domain email can join by themselves. {used}") } else { "Nobody can join by themselves.".to_string() }}</p>
            <p class="note">"Only an admin of this tenant can change provisioning."</p>
        }
        .into_any();
    }
    view! {
        <ActionForm action=save attr:class="form" attr:data-testid="provisioning-form">
            <h3>"Identity provider (SCIM)"</h3>
            <label class="check" for="scim-invites">
                <input type="checkbox" id="scim-invites" name="scim_invites" value="true" checked=s.scim_invites aria-describedby="scim-invites-hint" />
                <span>"Email an invitation to people your identity provider adds"</span>
            </label>
            <p class="hint" id="scim-invites-hint">"Unticked, they wait: they'll sign in with their identity provider later, or you send the invitation from Users when they need it. Connect a provider with an API key that has the scim scope, at /scim/v2."</p>
            <h3>"Join by email domain"</h3>
            <p data-testid="verified-domains">{domains}</p>
            <label class="check" for="auto-join">
                <input type="checkbox" id="auto-join" name="auto_join_on" value="true" checked=s.auto_join_on
                    aria-describedby="auto-join-hint auto_join_on-error" aria-invalid=invalid_attr(error, "auto_join_on") />
                <span>"People with a verified-domain email can join as User"</span>
            </label>
            <p class="hint" id="auto-join-hint">"They see “Join” on their home page once signed in. Each joiner takes a seat. Not offered while only a group's members may sign in."</p>
            <FieldMessage error field="auto_join_on" />
            <div class="field">
                <label for="auto-join-template">"Role template for people who join"</label>
                <select id="auto-join-template" name="template_id" aria-describedby="template_id-error" aria-invalid=invalid_attr(error, "template_id")>
                    <option value="" selected=s.auto_join_template_id.is_none()>"No template"</option>
                    {s.templates.iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=s.auto_join_template_id == Some(*id)>{name.clone()}</option>
                    }).collect_view()}
                </select>
                <FieldMessage error field="template_id" />
            </div>
            <div class="field">
                <label for="auto-join-cap">"Most seats auto-join may use"</label>
                <input id="auto-join-cap" name="seat_cap" type="number" min="1" max="1000000" inputmode="numeric"
                    value=s.auto_join_seat_cap.map(|c| c.to_string()).unwrap_or_default()
                    aria-describedby="auto-join-cap-hint seat_cap-error" aria-invalid=invalid_attr(error, "seat_cap") />
                <p class="hint" id="auto-join-cap-hint">{format!("Empty: only the plan's seat limit. {used}")}</p>
                <FieldMessage error field="seat_cap" />
            </div>
            <FormAlert error />
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save provisioning" }}
            </button>
        </ActionForm>
    }
    .into_any()
}
