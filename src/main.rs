//! The `heycmo` binary: parse the command line, set up logging, run the command.

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = heycmo::cli::Cli::parse();
    // Logs go to stderr only: stdout belongs to MCP over stdio and to command output.
    let filter = EnvFilter::try_from_env("HEYCMO_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("heycmo=info,warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match heycmo::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("heycmo: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
