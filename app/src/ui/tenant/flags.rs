//! Settings → Feature flags (admins): each tenant flag with one line on what it
//! does, and a button that turns it on or off (a plain form: it works before
//! hydration too).

use crate::api::tenant::{list_feature_flags, SetFeatureFlag};
use crate::domain::tenant::FlagView;
use crate::ui::widgets::{error_of, loading, toast_on_success, ErrorPage, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn FeatureFlagsPage() -> impl IntoView {
    let reload = RwSignal::new(0u64);
    let flags = Resource::new(move || reload.get(), |_| list_feature_flags());
    let save = ServerAction::<SetFeatureFlag>::new();
    toast_on_success(
        move || save.value().get(),
        |_| "Feature flag saved.".into(),
        move || reload.update(|n| *n += 1),
    );
    let error = error_of(move || save.value().get());
    view! {
        <Title text="Feature flags" />
        <h1>"Feature flags"</h1>
        <p class="lead">"Turn parts of the product on or off for everyone in this tenant. People still need the permissions each part asks for."</p>
        <FormAlert error />
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match flags.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) => view! {
                        <ul class="flag-list">
                            {list.iter().map(|f| flag_row(f, save)).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn flag_row(f: &FlagView, save: ServerAction<SetFeatureFlag>) -> impl IntoView {
    let id = format!("flag-{}", f.flag.as_str());
    let describe = format!("{id}-about");
    let label = f.label.clone();
    let description = f.description.clone();
    let key = f.flag.as_str();
    let (on, beta) = (f.on, f.beta);
    let turn = if on { "Turn off" } else { "Turn on" };
    view! {
        <li class="card flag-row" data-testid=id.clone()>
            <div>
                <h2 class="flag-name" id=id.clone()>
                    {label.clone()}
                    {beta.then(|| view! { <span class="badge badge-beta">"Beta"</span> })}
                </h2>
                <p class="note" id=describe.clone()>{description}</p>
            </div>
            <ActionForm action=save attr:class="flag-form">
                <input type="hidden" name="flag" value=key />
                {(!on).then(|| view! { <input type="hidden" name="on" value="true" /> })}
                <span class="flag-state" class:on=on>{if on { "On" } else { "Off" }}</span>
                <button type="submit" class="btn" aria-describedby=describe
                    aria-label=format!("{turn} {label}")
                    disabled=move || save.pending().get()>
                    {turn}
                </button>
            </ActionForm>
        </li>
    }
}
