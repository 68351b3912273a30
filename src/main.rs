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
    match heycmo::cli::run(cli, allocator::settle).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("heycmo: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_env = "msvc"))]
mod allocator {
    use std::ptr::null_mut;
    use std::time::Duration;

    /// How long after a server is ready its start-up is taken to be over: the background tasks'
    /// first round (jobs recovered, schedules loaded) and the router's construction come after
    /// the ready point, and take a few milliseconds on a small database.
    const START_UP: Duration = Duration::from_secs(1);

    /// Called once a long-running command (`serve`, `stdio`) is ready. Start-up compiles every
    /// tool's schemas, builds the router and recovers jobs, and jemalloc keeps the pages that
    /// work freed until later allocations reuse them: an idle server would hold about 5 MB it
    /// does not use. Shortly after, they go back to the system, and background threads are
    /// switched on, which return what later bursts free once it has been unused for jemalloc's
    /// decay time (10 s); without them that happens only when the server allocates again.
    pub fn settle() {
        std::thread::spawn(|| {
            std::thread::sleep(START_UP);
            // SAFETY: two documented jemalloc controls with the types the manual gives:
            // "arena.<MALLCTL_ARENAS_ALL>.purge" takes and returns nothing, "background_thread"
            // takes a bool by pointer with its size. Either only fails on an allocator built
            // without it, which leaves memory as it was.
            unsafe {
                tikv_jemalloc_sys::mallctl(
                    c"arena.4096.purge".as_ptr(),
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    0,
                );
                let mut on = true;
                tikv_jemalloc_sys::mallctl(
                    c"background_thread".as_ptr(),
                    null_mut(),
                    null_mut(),
                    (&raw mut on).cast(),
                    size_of::<bool>(),
                );
            }
        });
    }
}

#[cfg(target_env = "msvc")]
mod allocator {
    /// The system allocator has nothing to be told.
    pub fn settle() {}
}
