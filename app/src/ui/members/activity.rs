//! Settings → Users → Activity: one member's history in this tenant, newest first
//! and paged by links (it works before hydration).

use crate::api::audit::member_activity;
use crate::domain::AppError;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::When;
use crate::ui::widgets::{loading, ErrorPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let params = use_query_map();
    let number = move |k: &str| params.read().get(k).and_then(|v| v.parse::<i64>().ok());
    let page = Resource::new(
        move || (number("member"), number("older")),
        |(member, older)| async move {
            match member {
                Some(member) => member_activity(member, older).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Activity" />
        <p><a href="/settings/users">"← Users"</a></p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(AppError::NotFound) => view! { <ErrorPage error=AppError::NotFound /> }.into_any(),
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(p) => {
                        let member = p.member_id;
                        let newest = number("older").is_some();
                        view! {
                            <h1>{format!("Activity of {}", p.member)}</h1>
                            <p class="lead">"Their history in this tenant, newest first: invitations and their emails, sign-ins and refusals, security changes, and every change to their access with who made it."</p>
                            {if p.events.is_empty() {
                                view! { <section class="empty-state"><h2>"Nothing yet"</h2><p>"No events about them so far."</p></section> }.into_any()
                            } else {
                                view! {
                                    <ol class="timeline" data-testid="activity">
                                        {p.events.into_iter().map(|e| view! {
                                            <li class="timeline-event">
                                                <span class="timeline-time"><When at=e.time /></span>
                                                <strong class="timeline-what">{e.what}</strong>
                                                <span class="timeline-by">{format!("by {}", e.by)}</span>
                                                {(!e.detail.is_empty()).then(|| view! { <span class="timeline-detail">{e.detail}</span> })}
                                            </li>
                                        }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                            {newest.then(|| view! { <a class="btn" href=format!("/settings/users/activity?member={member}")>"Newest events"</a> " " })}
                            {p.older.map(|older| view! {
                                <a class="btn" href=format!("/settings/users/activity?member={member}&older={older}")>"Older events"</a>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
