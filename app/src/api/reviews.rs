//! Access reviews (admins): settings, start, decide, complete, the record. The
//! forms post plainly too: each answer of a plain form post goes back to its page.

use crate::domain::reviews::{ReviewRecord, ReviewView, ReviewsPage};
use crate::domain::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "access_reviews", input = Json)]
pub async fn access_reviews() -> Result<ReviewsPage, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::reviews::page(&state, &actor).await
}

#[server(prefix = "/api", endpoint = "access_review", input = Json)]
pub async fn access_review(id: i64, page: u64) -> Result<ReviewView, AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::reviews::view(&state, &actor, id, page).await
}

#[cfg(feature = "ssr")]
fn back_to(path: &str) {
    if super::server_ctx::is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// "No sign-in for N days" and "Review access every N days" (`every` empty: off).
#[server(prefix = "/api", endpoint = "set_review_settings")]
pub async fn set_review_settings(stale_days: i64, every: String) -> Result<(), AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let every_days = match every.trim() {
        "" | "off" => None,
        days => Some(
            days.parse::<i64>()
                .map_err(|_| AppError::field("every_days", "Choose one of the choices listed."))?,
        ),
    };
    crate::backend::members::reviews::set_settings(&state, &actor, &meta, stale_days, every_days)
        .await?;
    back_to("/settings/access-reviews?saved=1");
    Ok(())
}

/// Starts a review; answers its id (a plain form post opens it).
#[server(prefix = "/api", endpoint = "start_access_review")]
pub async fn start_access_review(scope: String) -> Result<i64, AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let id = crate::backend::members::reviews::start(&state, &actor, &meta, &scope).await?;
    back_to(&format!("/settings/access-reviews/review?id={id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "decide_access_review")]
pub async fn decide_access_review(
    id: i64,
    item_id: i64,
    decision: String,
    page: u64,
) -> Result<(), AppError> {
    let (state, _meta, actor) = super::server_ctx::actor().await?;
    crate::backend::members::reviews::decide(&state, &actor, id, item_id, &decision).await?;
    back_to(&format!(
        "/settings/access-reviews/review?id={id}&page={page}"
    ));
    Ok(())
}

#[server(prefix = "/api", endpoint = "complete_access_review")]
pub async fn complete_access_review(id: i64, note: String) -> Result<ReviewRecord, AppError> {
    let (state, meta, actor) = super::server_ctx::actor().await?;
    let record =
        crate::backend::members::reviews::complete(&state, &actor, &meta, id, &note).await?;
    back_to(&format!("/settings/access-reviews/review?id={id}"));
    Ok(record)
}
