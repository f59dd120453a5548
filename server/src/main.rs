//! `gatehouse`: serve the app, or create the first admin.

#![recursion_limit = "256"]

use clap::Parser;
use server::config::{Cli, Command};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn".into()),
        )
        .with_writer(std::io::stderr);
    // GATEHOUSE_LOG_FORMAT=json: one JSON object a line, for log collectors.
    if std::env::var("GATEHOUSE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        logs.init();
    }
    let mut cli = Cli::parse();
    if cli.command.is_none() {
        // No subcommand: `serve`, its flags and variables read as if it were given.
        cli = Cli::parse_from(std::env::args().chain(["serve".to_string()]));
    }
    let Some(command) = &cli.command else {
        return ExitCode::FAILURE;
    };
    let result = match command {
        Command::Serve(args) => server::cli::serve(&cli.common, args)
            .await
            .map(|()| String::new()),
        Command::Migrate => server::cli::migrate(&cli.common).await,
        Command::Backup(args) => server::ops::backup(&cli.common, args).await,
        Command::Restore(args) => server::ops::restore(&cli.common, args).await,
        Command::CreateAdmin(args) => server::cli::create_admin(&cli.common, args).await,
        Command::Tenant(command) => server::cli::tenant(&cli.common, command).await,
        Command::Account(command) => server::cli::account(&cli.common, command).await,
        Command::Mail(command) => server::mail::run(&cli.common, command),
    };
    match result {
        Ok(message) => {
            if !message.is_empty() {
                println!("{message}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("Error: {message}");
            ExitCode::FAILURE
        }
    }
}
