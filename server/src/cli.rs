//! Start-up: building the state, serving, and `create-admin`.

use crate::config::{AccountCommand, Common, CreateAdmin, Serve, TenantCommand};
use app::backend::kernel::clock::SystemClock;
use app::backend::kernel::db::{newer_schema_sentence, Db, Schema};
use app::backend::kernel::directory::count_tenants;
use app::backend::kernel::passwords::PasswordHasher;
use app::backend::tenant::{create_tenant_with_admin, NewTenantWithAdmin};
use app::backend::AppState;
use app::domain::{AppError, Plan, TenantKind};
use leptos::config::LeptosOptions;
use std::future::IntoFuture;
use std::io::BufRead;
use std::net::SocketAddr;
use std::sync::Arc;

/// Reads where the compiled client bundle lives (cargo-leptos sets these variables;
/// the defaults match its output).
fn leptos_options(common: &Common) -> LeptosOptions {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "gatehouse"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(common.listen)
        .hash_files(hashed_bundle(&var("LEPTOS_HASH_FILES", "")))
        .build()
}

/// Whether the bundle's files carry content hashes in their names: cargo-leptos's
/// release build (`hash-files`) writes `hash.txt` beside this binary, and the pages
/// then ask for `gatehouse.<hash>.wasm` (cached for a year). `LEPTOS_HASH_FILES=false`
/// serves another build's plain names (the Trunk bundle).
fn hashed_bundle(setting: &str) -> bool {
    setting != "false"
        && std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
            .is_some_and(|file| file.is_file())
}

/// Whether start-up migrates the database or only checks that it is current.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Migrate {
    Run,
    Check,
}

pub async fn build_state(common: &Common, migrate: Migrate) -> Result<AppState, String> {
    let db = Db::connect(&common.database_url)
        .await
        .map_err(|e| format!("Cannot open the database: {e}"))?;
    match migrate {
        Migrate::Run => db.migrate().await?,
        Migrate::Check => match db
            .schema()
            .await
            .map_err(|e| format!("Cannot read the database's schema: {e}"))?
        {
            Schema::Current => {}
            Schema::Behind(n) => {
                return Err(format!(
                    "The database's schema is {n} migration{} behind this server: run `gatehouse migrate` first.",
                    if n == 1 { "" } else { "s" }
                ))
            }
            Schema::Newer(unknown) => return Err(newer_schema_sentence(&unknown)),
        },
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let hasher = PasswordHasher::new(workers).map_err(|e| e.to_string())?;
    Ok(AppState {
        leptos_options: leptos_options(common),
        db,
        hasher,
        clock: Arc::new(SystemClock),
        settings: Arc::new(common.settings()?),
    })
}

/// The server's socket. Every connection sends each write at once (`TCP_NODELAY`):
/// a page streamed in several writes otherwise holds a later write until the
/// client's delayed acknowledgement, some 40 ms (a minimal Leptos page with one
/// `Suspense`: p50 44 ms without, 6 ms with). Gatehouse's signed-in pages render
/// whole (`SsrMode::Async`), so `make load` moved little; streamed pages gain.
pub async fn listen(address: SocketAddr) -> Result<Socket, String> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("Cannot listen on {address}: {e}"))?;
    Ok(listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// What [`listen`] answers: a TCP listener whose connections have `TCP_NODELAY` on.
pub type Socket = axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>;

fn no_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!("TCP_NODELAY refused on a connection: {e}");
    }
}

/// `gatehouse migrate`: the migrations alone.
pub async fn migrate(common: &Common) -> Result<String, String> {
    let db = Db::connect(&common.database_url)
        .await
        .map_err(|e| format!("Cannot open the database: {e}"))?;
    db.migrate().await?;
    Ok("The database's schema is current.".to_string())
}

pub async fn serve(common: &Common, args: &Serve) -> Result<(), String> {
    let migrate = if args.no_migrate {
        Migrate::Check
    } else {
        Migrate::Run
    };
    let state = build_state(common, migrate).await?;
    // Held while serving: `gatehouse restore` refuses to replace a file in use.
    let _in_use = crate::ops::hold_database(&common.database_url)?;
    if count_tenants(state.db.conn())
        .await
        .map_err(|e| e.to_string())?
        == 0
    {
        println!(
            "Gatehouse has no tenants yet. Create the first tenant and its admin with:\n  \
             echo 'a long password' | gatehouse create-admin --tenant \"Acme\" --email admin@example.com --password-stdin"
        );
    }
    if let Some(address) = args.metrics_listen {
        crate::metrics::serve(address, state.clone()).await?;
    }
    let listener = listen(common.listen).await?;
    let address = axum::serve::Listener::local_addr(&listener).map_err(|e| e.to_string())?;
    println!("Gatehouse is listening on http://{address}");
    let claims = Arc::new(app::backend::kernel::mail::Claims::default());
    let worker = tokio::spawn(every_second(state.clone(), claims.clone()));
    tokio::spawn(deliver_webhooks(state.clone()));
    tokio::spawn(optimize_hourly(state.clone()));
    let router = crate::http::build_router(state.clone());
    let (stopping, mut stop) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stop.changed().await;
    })
    .into_future();
    tokio::pin!(server);
    let grace = std::time::Duration::from_secs(args.shutdown_grace_seconds);
    let deadline = tokio::select! {
        served = &mut server => return served.map_err(|e| e.to_string()),
        () = shutdown_signal() => tokio::time::Instant::now() + grace,
    };
    tracing::info!(
        grace_seconds = grace.as_secs(),
        "stopping: no new connections; finishing the requests in flight"
    );
    // No new connections; the requests in flight finish (up to the grace period), and
    // the mail loop stops after the message it is sending.
    let _ = stopping.send(true);
    claims.stop();
    if tokio::time::timeout_at(deadline, &mut server)
        .await
        .is_err()
    {
        tracing::warn!("the grace period ended with requests still in flight; they are cut off");
    }
    let abort = worker.abort_handle();
    if tokio::time::timeout_at(deadline, worker).await.is_err() {
        abort.abort();
        tracing::warn!("the grace period ended while mail was being sent");
    }
    let released =
        app::backend::kernel::mail::release_claims(state.db.conn(), &claims, state.now_ms())
            .await
            .map_err(|e| format!("Could not hand back the mail this server had claimed: {e}"))?;
    if released > 0 {
        tracing::info!(
            released,
            "handed back claimed mail for another server to send"
        );
    }
    tracing::info!("stopped");
    Ok(())
}

/// Every second: ends temporary access whose end has come (and once a minute deletes
/// check decisions past their tenant's retention and webhook deliveries done 30 days ago), tells admins of a due
/// access review, handles queued password reset requests, then sends queued mail (after the transactions that queued it
/// committed).
async fn every_second(state: AppState, claims: Arc<app::backend::kernel::mail::Claims>) {
    for tick in 0u64.. {
        if claims.stopping() {
            return;
        }
        // Once a minute: the check API's decisions older than their tenant keeps them.
        if tick % 60 == 0 {
            if let Err(error) = app::backend::api_keys::decisions::purge_expired(&state).await {
                tracing::warn!(error = %error, "could not delete old check decisions");
            }
            if let Err(error) = app::backend::webhooks::purge_log(&state).await {
                tracing::warn!(error = %error, "could not delete old webhook deliveries");
            }
            if let Err(error) = app::backend::members::import::purge_old(&state).await {
                tracing::warn!(error = %error, "could not delete old CSV uploads");
            }
        }
        if let Err(error) = app::backend::members::expiry::end_expired(&state).await {
            tracing::warn!(error = %error, "could not end expired temporary access");
        }
        if let Err(error) = app::backend::members::reviews::remind_due(&state).await {
            tracing::warn!(error = %error, "could not tell admins of a due access review");
        }
        if let Err(error) = app::backend::auth::recovery::process_reset_requests(&state).await {
            tracing::warn!(error = %error, "could not handle reset requests");
        }
        let now = state.now_ms();
        if let Err(error) =
            app::backend::kernel::mail::deliver(state.db.conn(), &state.settings, now, &claims)
                .await
        {
            tracing::warn!(error = %error, "could not read the mail outbox");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Every second: sends the webhook deliveries whose time has come (queued by changes
/// that committed). Its own loop: a slow endpoint never holds up mail or expiry.
async fn deliver_webhooks(state: AppState) {
    loop {
        if let Err(error) = app::backend::webhooks::deliver_due(&state).await {
            tracing::warn!(error = %error, "could not send webhooks");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Keeps the SQLite query planner's statistics fresh as tables grow.
async fn optimize_hourly(state: AppState) {
    loop {
        if let Err(error) = state.db.optimize().await {
            tracing::warn!(error = %error, "could not refresh planner statistics");
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Reads one line from `input` and drops only the line ending (spaces are part of
/// a password).
pub fn read_password_line(input: &mut impl BufRead) -> Result<String, String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| format!("Cannot read the password from standard input: {e}"))?;
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    Ok(line)
}

pub async fn create_admin(common: &Common, args: &CreateAdmin) -> Result<String, String> {
    let kind = TenantKind::parse(&args.kind).ok_or("The kind must be production or sandbox.")?;
    let plan =
        Plan::parse(&args.plan).ok_or("The plan must be free, team, business or enterprise.")?;
    let password = read_password_line(&mut std::io::stdin().lock())?;
    let state = build_state(common, Migrate::Run).await?;
    let now = state.now_ms();
    let input = NewTenantWithAdmin {
        tenant_name: args.tenant.clone(),
        kind,
        plan,
        email: args.email.clone(),
        display_name: args.name.clone(),
        password,
    };
    match create_tenant_with_admin(
        &state.db,
        &state.hasher,
        &state.settings.password_policy,
        now,
        input,
    )
    .await
    {
        Ok((tenant, account)) => Ok(format!(
            "Created tenant “{}” ({}) with admin {}. Sign in at {}/sign-in",
            tenant.name, tenant.kind, account.email, state.settings.public_url
        )),
        Err(error) => Err(cli_error(error)),
    }
}

/// `gatehouse tenant …`: the operator's changes to a tenant.
pub async fn tenant(common: &Common, command: &TenantCommand) -> Result<String, String> {
    let state = build_state(common, Migrate::Run).await?;
    let now = state.now_ms();
    let result = match command {
        TenantCommand::SetPlan(args) => {
            app::backend::tenant::operator::set_plan(
                &state.db,
                now,
                &args.tenant,
                &args.plan,
                args.seats,
            )
            .await
        }
        TenantCommand::AddDomain(args) => {
            app::backend::tenant::provisioning::add_domain(
                &state.db,
                now,
                &args.tenant,
                &args.domain,
            )
            .await
        }
    };
    result.map_err(cli_error)
}

/// `gatehouse account …`: the operator's switch on an account.
pub async fn account(common: &Common, command: &AccountCommand) -> Result<String, String> {
    let state = build_state(common, Migrate::Run).await?;
    let now = state.now_ms();
    let (email, on) = match command {
        AccountCommand::Disable(a) => (&a.email, true),
        AccountCommand::Enable(a) => (&a.email, false),
    };
    app::backend::account::operator::set_disabled(&state.db, now, email, on)
        .await
        .map_err(cli_error)
}

/// An error as the command line prints it: the sentences only.
fn cli_error(error: AppError) -> String {
    match error {
        AppError::Validation(errors) => errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}
