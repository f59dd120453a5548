//! Users → Import CSV: upload a file (read and kept, with why it can't be read if it
//! can't), preview what it would do (every row checked against the tenant as it is
//! now, each with its reason), then invite every ready row in one transaction with
//! the seat check for the whole file. Running the same file again invites nobody
//! twice: those people are members by then.

use super::invitations::{invite_in, Inviting, Provisioning};
use crate::backend::entities::{accounts, member_imports, memberships, role_templates, tenants};
use crate::backend::kernel::actor::Actor;
use crate::backend::kernel::clock::format_time;
use crate::backend::kernel::directory::{lock_tenant, seats_used};
use crate::backend::kernel::policy::{template_permissions, user_manager, Grantor};
use crate::backend::kernel::request::RequestMeta;
use crate::backend::AppState;
use crate::domain::imports::{
    read_line, seat_problem, ImportAsk, ImportLine, ImportOutcome, ImportPreview, PreviewRow,
    IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, PREVIEW_READY_ROWS,
};
use crate::domain::members::InviteInput;
use crate::domain::spreadsheet::restore;
use crate::domain::{AppError, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};

/// How long an uploaded file waits to be applied before the sweep deletes it.
pub const IMPORT_KEPT_MS: i64 = 86_400_000;

/// The rows of a CSV file, or the sentence saying why it can't be read.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<ImportLine>, String> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(
            "The file is larger than 5 MB. Split it into smaller files and import each.".into(),
        );
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let unreadable = |e: csv::Error| {
        format!("The file can't be read as CSV ({e}). Save it from your spreadsheet as “CSV UTF-8” and try again.")
    };
    let headers = reader.headers().map_err(unreadable)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(email_at) = column("email") else {
        return Err(format!(
            "The first row names the columns, and one of them is “email” (the columns read are {}). Download the sample file to see the layout.",
            IMPORT_COLUMNS.join(", ")
        ));
    };
    let (role_at, template_at, crm_at) = (column("role"), column("template"), column("crm_access"));
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(unreadable)?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if lines.len() == MAX_IMPORT_ROWS {
            return Err(
                "The file has more than 10,000 rows. Split it into smaller files and import each."
                    .into(),
            );
        }
        let cell = |at: Option<usize>| {
            at.and_then(|a| record.get(a))
                .map(|c| restore(c).to_string())
                .unwrap_or_default()
        };
        lines.push(ImportLine {
            // The line the row starts on (a quoted cell may span lines; blank lines
            // are skipped and not counted, as spreadsheets never write them).
            line: record
                .position()
                .and_then(|p| usize::try_from(p.line()).ok())
                .unwrap_or(i + 2),
            email: cell(Some(email_at)),
            role: cell(role_at),
            template: cell(template_at),
            crm_access: cell(crm_at),
        });
    }
    if lines.is_empty() {
        return Err("The file has no rows under its header. Add one row per person.".into());
    }
    Ok(lines)
}

/// A file name as shown: its last part, printable, at most 100 characters.
fn shown_name(file_name: &str) -> String {
    let last = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    if name.trim().is_empty() {
        "people.csv".into()
    } else {
        name
    }
}

/// Keeps an uploaded file for its preview; answers its id.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    user_manager(state.db.conn(), actor).await?;
    let (rows, problem) = match read_csv(bytes) {
        Ok(rows) => (rows, None),
        Err(problem) => (Vec::new(), Some(problem)),
    };
    let txn = state.db.begin_write().await?;
    let saved = member_imports::ActiveModel {
        tenant_id: Set(actor.tenant.id),
        membership_id: Set(actor.membership.id),
        file_name: Set(shown_name(file_name)),
        rows: Set(serde_json::to_string(&rows).map_err(crate::backend::internal)?),
        problem: Set(problem),
        created_at: Set(state.now_ms()),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// The upload `id` of this actor (another person's or tenant's is not found).
async fn upload_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<member_imports::Model, AppError> {
    member_imports::Entity::find_by_id(id)
        .filter(member_imports::Column::TenantId.eq(actor.tenant.id))
        .filter(member_imports::Column::MembershipId.eq(actor.membership.id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A checked row: what the preview shows, and for a ready row what to invite.
struct Checked {
    row: PreviewRow,
    ready: Option<(ImportAsk, Option<i64>)>,
}

/// Every row checked against the tenant as it is now: the cells, repeats in the
/// file, people already in the tenant, templates, and what the actor may give.
async fn check(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    grantor: &Grantor,
    lines: &[ImportLine],
) -> Result<Vec<Checked>, AppError> {
    let templates: HashMap<String, i64> = role_templates::Entity::find()
        .filter(role_templates::Column::TenantId.eq(actor.tenant.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.name.to_lowercase(), t.id))
        .collect();
    let asks: Vec<Result<ImportAsk, String>> = lines.iter().map(read_line).collect();
    let emails: Vec<String> = asks
        .iter()
        .filter_map(|a| a.as_ref().ok().map(|a| a.email.to_string()))
        .collect();
    let mut members: HashSet<String> = HashSet::new();
    for chunk in emails.chunks(500) {
        let found: Vec<String> = memberships::Entity::find()
            .select_only()
            .column(accounts::Column::Email)
            .inner_join(accounts::Entity)
            .filter(memberships::Column::TenantId.eq(actor.tenant.id))
            .filter(accounts::Column::Email.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        members.extend(found);
    }
    let mut grantable: HashMap<i64, Option<String>> = HashMap::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(lines.len());
    for (line, ask) in lines.iter().zip(asks) {
        let mut row = PreviewRow {
            line: line.line,
            email: line.email.trim().to_string(),
            role: line.role.trim().to_string(),
            template: line.template.trim().to_string(),
            crm_access: false,
            problem: None,
        };
        let ask = match ask {
            Ok(ask) => ask,
            Err(problem) => {
                row.problem = Some(problem);
                out.push(Checked { row, ready: None });
                continue;
            }
        };
        row.email = ask.email.to_string();
        row.role = ask.role.as_str().to_string();
        row.crm_access = ask.crm_access || ask.role == Role::Admin;
        let template = if ask.template.is_empty() {
            Ok(None)
        } else {
            templates
                .get(&ask.template.to_lowercase())
                .copied()
                .map(Some)
                .ok_or_else(|| {
                    format!(
                        "There is no role template named “{}” in this tenant.",
                        ask.template
                    )
                })
        };
        let problem = if let Some(first) = first_line.get(ask.email.as_str()) {
            Some(format!(
                "{} is also on line {first}: each person once.",
                ask.email
            ))
        } else if members.contains(ask.email.as_str()) {
            Some(format!("{} is already in this tenant.", ask.email))
        } else if ask.role == Role::Admin && !grantor.is_admin {
            Some("Only an admin can invite an admin. Leave the role empty or “user”.".to_string())
        } else {
            match &template {
                Err(problem) => Some(problem.clone()),
                Ok(Some(id)) => match grantable.get(id) {
                    Some(verdict) => verdict.clone(),
                    None => {
                        let verdict = grantor
                            .may_grant(&template_permissions(conn, *id).await?)
                            .err()
                            .map(|e| format!("{e} The template “{}” gives more.", ask.template));
                        grantable.insert(*id, verdict.clone());
                        verdict
                    }
                },
                Ok(None) => None,
            }
        };
        first_line.entry(ask.email.to_string()).or_insert(line.line);
        row.problem = problem;
        let ready = row
            .problem
            .is_none()
            .then(|| (ask, template.ok().flatten()));
        out.push(Checked { row, ready });
    }
    Ok(out)
}

fn lines_of(upload: &member_imports::Model) -> Result<Vec<ImportLine>, AppError> {
    serde_json::from_str(&upload.rows).map_err(crate::backend::internal)
}

/// What the uploaded file `id` would do now.
pub async fn preview(state: &AppState, actor: &Actor, id: i64) -> Result<ImportPreview, AppError> {
    let conn = state.db.conn();
    let grantor = user_manager(conn, actor).await?;
    let upload = upload_of(conn, actor, id).await?;
    let mut preview = ImportPreview {
        id,
        file_name: upload.file_name.clone(),
        problem: upload.problem.clone(),
        applied: upload.applied_at.map(format_time),
        ..ImportPreview::default()
    };
    if upload.problem.is_some() {
        return Ok(preview);
    }
    let checked = check(conn, actor, &grantor, &lines_of(&upload)?).await?;
    preview.total = checked.len();
    preview.ready = checked.iter().filter(|c| c.ready.is_some()).count();
    let tenant = tenants::Entity::find_by_id(actor.tenant.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    preview.seats_free = tenant.seat_limit - seats_used(conn, tenant.id).await?;
    preview.seat_problem = seat_problem(preview.ready, preview.seats_free);
    let mut shown_ready = 0;
    preview.rows = checked
        .into_iter()
        .filter(|c| {
            c.ready.is_none() || {
                shown_ready += 1;
                shown_ready <= PREVIEW_READY_ROWS
            }
        })
        .map(|c| c.row)
        .collect();
    Ok(preview)
}

/// Invites every ready row of the file `id` in one transaction (the seats checked
/// for all of them first); the file is then marked applied.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<ImportOutcome, AppError> {
    let now = state.now_ms();
    let txn = state.db.begin_write().await?;
    let inviter = user_manager(&*txn, actor).await?;
    let tenant = lock_tenant(&*txn, actor.tenant.id).await?;
    let upload = upload_of(&*txn, actor, id).await?;
    if upload.applied_at.is_some() {
        return Err(AppError::Conflict(
            "This file was imported already. Upload it again to invite anyone it still lists."
                .into(),
        ));
    }
    if let Some(problem) = upload.problem.clone() {
        return Err(AppError::field("file", problem));
    }
    let checked = check(&*txn, actor, &inviter, &lines_of(&upload)?).await?;
    let ready: Vec<(ImportAsk, Option<i64>)> =
        checked.iter().filter_map(|c| c.ready.clone()).collect();
    if ready.is_empty() {
        return Err(AppError::Conflict(
            "No row of this file can be invited: see the reason on each.".into(),
        ));
    }
    let free = tenant.seat_limit - seats_used(&*txn, tenant.id).await?;
    if let Some(problem) = seat_problem(ready.len(), free) {
        return Err(AppError::Conflict(problem));
    }
    let at = Inviting {
        tenant: &tenant,
        inviter: &inviter,
        now,
    };
    for (ask, template_id) in &ready {
        let input = InviteInput {
            email: ask.email.to_string(),
            role: ask.role,
            template_id: *template_id,
            crm_access: ask.crm_access,
            beta_access: false,
        };
        let how = Provisioning {
            source: Some("import"),
            ..Provisioning::default()
        };
        invite_in(&*txn, state, actor, meta, &at, &ask.email, &input, how).await?;
    }
    let mut done: member_imports::ActiveModel = upload.into();
    done.applied_at = Set(Some(now));
    done.update(&*txn).await?;
    txn.commit().await?;
    Ok(ImportOutcome {
        invited: ready.len(),
        skipped: checked.len() - ready.len(),
    })
}

/// Deletes uploads older than a day (the server's sweep).
pub async fn purge_old(state: &AppState) -> Result<u64, AppError> {
    let txn = state.db.begin_write().await?;
    let gone = member_imports::Entity::delete_many()
        .filter(member_imports::Column::CreatedAt.lt(state.now_ms() - IMPORT_KEPT_MS))
        .exec(&*txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_or_refused_with_a_sentence() {
        let lines = read_csv(b"\xEF\xBB\xBFEmail,Name,Role,Template,CRM_access\nada@example.com,Ada,admin,Support,yes\n\n'=x@y.example,,,,\n").unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(
            (
                lines[0].role.as_str(),
                lines[0].template.as_str(),
                lines[0].crm_access.as_str()
            ),
            ("admin", "Support", "yes")
        );
        assert_eq!(
            lines[1].email, "=x@y.example",
            "a neutralised cell reads as written"
        );
        assert_eq!(lines[1].line, 3);
        assert!(read_csv(b"name,role\nAda,user\n")
            .unwrap_err()
            .contains("email"));
        assert!(read_csv(b"email\n").unwrap_err().contains("no rows"));
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        assert!(read_csv(&big).unwrap_err().contains("5 MB"));
        let mut many = String::from("email\n");
        for i in 0..=MAX_IMPORT_ROWS {
            many.push_str(&format!("p{i}@example.com\n"));
        }
        assert!(read_csv(many.as_bytes())
            .unwrap_err()
            .contains("10,000 rows"));
        assert_eq!(shown_name("C:\\Users\\ada\\people.csv"), "people.csv");
    }
}
