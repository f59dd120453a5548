//! The Audit log's "Export CSV": the events the page's filter shows, newest first,
//! in batches the server streams out, described in the same words as the page.

use super::list::{events, RowWords};
use crate::backend::kernel::csv_out::{Batch, CsvOut, EXPORT_BATCH};
use crate::domain::audit::AuditFilter;
use crate::domain::scim::timestamp;
use crate::domain::spreadsheet::AUDIT_COLUMNS;
use crate::domain::AppError;
use sea_orm::ConnectionTrait;

/// The events of `filter` older than `before` (from the newest when None), at
/// most [`EXPORT_BATCH`], as CSV rows; the header row first when `before` is None.
pub async fn audit_batch(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    filter: &AuditFilter,
    before: Option<i64>,
) -> Result<Batch, AppError> {
    let (rows, more) = events(conn, tenant_id, filter, before, EXPORT_BATCH).await?;
    let words = RowWords::load(conn, tenant_id, &rows).await?;
    let mut out = CsvOut::default();
    if before.is_none() {
        out.row(AUDIT_COLUMNS)?;
    }
    for e in &rows {
        let row = words.row(e);
        out.row([
            timestamp(e.created_at).as_str(),
            row.actor.as_str(),
            row.action.as_str(),
            row.target.as_str(),
            row.detail.as_str(),
            e.ip.as_str(),
        ])?;
    }
    Ok(Batch {
        csv: out.finish()?,
        next: rows.last().map(|e| e.id).filter(|_| more),
    })
}
