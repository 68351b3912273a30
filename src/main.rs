//! The `heycmo` binary: parse the command line, set up logging, run the command.

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// jemalloc rather than the system allocator: a server that runs for months allocates and frees
/// small objects on every request from several threads, where jemalloc keeps fragmentation down
/// and is faster (about 9 % more MCP calls/s here, see BENCHMARKS.md). Not on MSVC, which it
/// does not support.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
