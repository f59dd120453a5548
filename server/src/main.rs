//! `gatehouse`: serve the app, or create the first admin.

#![recursion_limit = "256"]

use clap::Parser;
use server::config::{Cli, Command};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match &cli.command {
        None | Some(Command::Serve) => server::cli::serve(&cli.common)
            .await
            .map(|()| String::new()),
        Some(Command::CreateAdmin(args)) => server::cli::create_admin(&cli.common, args).await,
        Some(Command::Tenant(command)) => server::cli::tenant(&cli.common, command).await,
        Some(Command::Account(command)) => server::cli::account(&cli.common, command).await,
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
