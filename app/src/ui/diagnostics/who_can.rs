//! "Who can …?" (Settings → Access diagnostics): the reverse question, for
//! least-privilege reviews. A GET form and page links: it works before hydration.

use crate::api::diagnostics::who_can;
use crate::domain::access::diagnose::Target;
use crate::domain::diagnostics::WhoCanPage;
use crate::ui::widgets::{encode_component, loading, ErrorPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WhoCanPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).unwrap_or_default();
    let answer = Resource::new(
        move || (param("target"), param("page"), param("after")),
        |(target, page, after)| async move {
            if target.is_empty() {
                return Ok(None);
            }
            who_can(target, page.parse().unwrap_or(0), after.parse().ok())
                .await
                .map(Some)
        },
    );
    view! {
        <Title text="Who can …?" />
        <h1>"Who can …?"</h1>
        <p class="lead">"Pick a part of the product or a permission: see every active member who can, and how. Use it to check that only the right people have access."</p>
        <Form method="GET" action="" attr:class="card form inline-form">
            <div class="field">
                <label for="who-target">"Who can"</label>
                <select id="who-target" name="target">
                    {move || {
                        let chosen = param("target");
                        let option = move |t: Target| {
                            let key = t.key();
                            let selected = key == chosen;
                            view! { <option value=key selected=selected>{t.label()}</option> }
                        };
                        let option2 = option.clone();
                        view! {
                            <optgroup label="Use a part of the product">
                                {Target::all().filter(|t| matches!(t, Target::Feature(_))).map(option).collect_view()}
                            </optgroup>
                            <optgroup label="A permission">
                                {Target::all().filter(|t| matches!(t, Target::Permission(_))).map(option2).collect_view()}
                            </optgroup>
                        }
                    }}
                </select>
            </div>
            <button type="submit" class="btn btn-primary">"Show who can"</button>
        </Form>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match answer.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(page)) => view! { <WhoCanList page /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WhoCanList(page: WhoCanPage) -> impl IntoView {
    let what = page.target.what();
    if let Some(why) = page.nobody_because {
        return view! {
            <section class="empty-state" data-testid="who-can">
                <h2>{format!("Nobody can {what} here")}</h2>
                <p>{why}</p>
            </section>
        }
        .into_any();
    }
    if page.rows.is_empty() {
        return view! {
            <section class="empty-state" data-testid="who-can">
                <h2>{format!("Nobody can {what} here")}</h2>
                <p>"No active member has it: not through the Admin role, a direct grant, a role template or a group."</p>
            </section>
        }
        .into_any();
    }
    let key = encode_component(&page.target.key());
    let previous = (page.page > 0).then(|| format!("?target={key}&page={}", page.page - 1));
    let next = page
        .has_next
        .then(|| page.rows.last().map(|r| r.member_id))
        .flatten()
        .map(|last| format!("?target={key}&page={}&after={last}", page.page + 1));
    let (heading, range) = (page.heading(), page.range());
    view! {
        <section class="card" data-testid="who-can" aria-labelledby="who-title">
            <h2 id="who-title">{heading}</h2>
            <table class="table">
                <caption class="visually-hidden">{format!("Members who can {what}, and how")}</caption>
                <thead><tr><th scope="col">"Member"</th><th scope="col">"How"</th></tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|r| view! {
                        <tr>
                            <td data-label="Member">{r.name}<span class="cell-note">{r.email}</span></td>
                            <td data-label="How">{r.how.join("; ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="pager">
                {range}" "
                {previous.map(|href| view! { <a href=href>"Previous page"</a> " " })}
                {next.map(|href| view! { <a href=href>"Next page"</a> })}
            </p>
        </section>
    }
    .into_any()
}
