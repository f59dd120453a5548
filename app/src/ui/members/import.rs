//! Users → Import CSV: choose a file (a plain multipart form, so it works before
//! hydration), see what each row would do and why a row can't be invited, then
//! "Invite N people" (a plain form too).

use crate::api::members::{import_preview, ApplyImport};
use crate::domain::imports::{
    ImportPreview, PreviewRow, IMPORT_COLUMNS, MAX_IMPORT_ROWS, PREVIEW_READY_ROWS,
};
use crate::domain::AppError;
use crate::ui::requests::AccessExplanation;
use crate::ui::widgets::{error_of, loading, use_toasts, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_query_map();
    let file = Memo::new(move |_| {
        params
            .read()
            .get("file")
            .and_then(|f| f.parse::<i64>().ok())
    });
    let apply = ServerAction::<ApplyImport>::new();
    let preview = Resource::new(
        move || (file.get(), apply.version().get()),
        |(file, _)| async move {
            match file {
                Some(id) => import_preview(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Import people" />
        <h1>"Import people"</h1>
        <p class="lead">
            "Invite many people at once from a CSV file: one row per person. "
            <a href="/settings/users">"Back to Users"</a>
        </p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match preview.await {
                    Err(AppError::NotFound) => view! {
                        <p class="note note-warn" role="alert">"That file is no longer here (files are kept for a day). Choose it again."</p>
                        <UploadForm />
                    }.into_any(),
                    Err(error) => view! { <AccessExplanation error needs="permission:users.manage" /> }.into_any(),
                    Ok(None) => view! { <UploadForm /> }.into_any(),
                    Ok(Some(p)) => preview_view(p, apply),
                }
            })}
        </Transition>
    }
}

#[component]
fn UploadForm() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">"Choose a file"</h2>
            <p>
                {format!("The first row names the columns: {}. Only email is required; role is user or admin (user when empty), template is a role template's name, crm_access is yes or no. Up to {} rows and 5 MB. ", IMPORT_COLUMNS.join(", "), thousands(MAX_IMPORT_ROWS))}
                <a href="/settings/users/import-sample.csv" download="gatehouse-import-sample.csv">"Download a sample file"</a>
            </p>
            <form method="post" action="/settings/users/import" enctype="multipart/form-data" class="form">
                <div class="field">
                    <label for="import-file">"CSV file"</label>
                    <input id="import-file" name="file" type="file" accept=".csv,text/csv" required aria-describedby="import-file-hint" />
                    <p class="hint" id="import-file-hint">"Nothing is sent to anyone until you confirm on the next step."</p>
                </div>
                <button type="submit" class="btn btn-primary">"Check the file"</button>
            </form>
        </section>
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn people(n: usize) -> String {
    if n == 1 {
        "1 person".into()
    } else {
        format!("{} people", thousands(n))
    }
}

fn preview_view(p: ImportPreview, apply: ServerAction<ApplyImport>) -> AnyView {
    let toasts = use_toasts();
    let error = error_of(move || apply.value().get());
    Effect::new(move |_| {
        if let Some(Ok(done)) = apply.value().get() {
            toasts.success(format!(
                "Invited {}. They'll get an email with a link to join.",
                people(done.invited)
            ));
        }
    });
    if let Some(problem) = p.problem {
        return view! {
            <section class="card" aria-labelledby="file-title">
                <h2 id="file-title">{p.file_name}</h2>
                <p class="note note-warn" role="alert" data-testid="file-problem">{problem}</p>
            </section>
            <UploadForm />
        }
        .into_any();
    }
    let blocked = p.total - p.ready;
    let hidden_ready = p.ready.saturating_sub(PREVIEW_READY_ROWS);
    let summary = format!(
        "{} rows: {} can be invited, {} can't.",
        thousands(p.total),
        thousands(p.ready),
        thousands(blocked)
    );
    let can_apply = p.ready > 0 && p.seat_problem.is_none() && p.applied.is_none();
    let button = format!("Invite {}", people(p.ready));
    view! {
        <section class="card" aria-labelledby="file-title">
            <h2 id="file-title">{p.file_name.clone()}</h2>
            {match p.applied.clone() {
                Some(when) => view! {
                    <p class="note" role="status" data-testid="import-applied">{format!("Imported on {when}. The people it invited are in Users → Pending invites.")}</p>
                    <p><a class="btn" href="/settings/users">"Go to Users"</a>" "<a class="btn" href="/settings/users/import">"Import another file"</a></p>
                }.into_any(),
                None => view! {
                    <p data-testid="import-summary">{summary}</p>
                    {p.seat_problem.clone().map(|s| view! { <p class="note note-warn" role="alert">{s}</p> })}
                    <ActionForm action=apply attr:class="form inline-form">
                        <input type="hidden" name="file" value=p.id />
                        <FormAlert error />
                        <button type="submit" class="btn btn-primary" disabled=move || !can_apply || apply.pending().get()>
                            {move || if apply.pending().get() { "Inviting…".to_string() } else { button.clone() }}
                        </button>
                        " "
                        <a class="btn" href="/settings/users/import">"Choose another file"</a>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
        <div class="table-scroll">
        <table class="table import-table" data-testid="import-rows">
            <caption class="visually-hidden">"The file's rows"</caption>
            <thead>
                <tr>
                    <th scope="col">"Line"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Template"</th>
                    <th scope="col">"CRM access"</th>
                    <th scope="col">"Check"</th>
                </tr>
            </thead>
            <tbody>{p.rows.into_iter().map(preview_row).collect_view()}</tbody>
        </table>
        </div>
        {(hidden_ready > 0).then(|| view! {
            <p class="hint">{format!("And {} more rows that can be invited.", thousands(hidden_ready))}</p>
        })}
    }
    .into_any()
}

fn preview_row(r: PreviewRow) -> impl IntoView {
    let bad = r.problem.is_some();
    view! {
        <tr class:row-problem=bad>
            <td data-label="Line">{r.line}</td>
            <td data-label="Email">{r.email}</td>
            <td data-label="Role">{r.role}</td>
            <td data-label="Template">{r.template}</td>
            <td data-label="CRM access">{if r.crm_access { "Yes" } else { "No" }}</td>
            <td data-label="Check">{match r.problem {
                Some(problem) => view! { <span class="status status-suspended">"Can't invite"</span>" "<span class="row-reason">{problem}</span> }.into_any(),
                None => view! { <span class="status status-active">"Ready"</span> }.into_any(),
            }}</td>
        </tr>
    }
}
