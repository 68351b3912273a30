//! Debian's Chromium, headless, for tests of the pages people open.

use std::process::Command;

/// The browser binary: `HEYCMO_CHROMIUM`, or Debian's package (`apt install chromium`, as
/// `.ci/run` does).
fn binary() -> String {
    std::env::var("HEYCMO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// The document of `url` after its scripts ran (and the network went quiet, within
/// `budget_ms` of virtual time), as Chromium serialises it.
pub fn rendered_dom(url: &str, budget_ms: u32) -> String {
    rendered_dom_as(url, budget_ms, None)
}

/// [`rendered_dom`] with the browser saying it is `user_agent` (headless Chromium's own names
/// it as headless, which the analytics collector counts as a bot).
pub fn rendered_dom_as(url: &str, budget_ms: u32, user_agent: Option<&str>) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut command = Command::new(binary());
    if let Some(agent) = user_agent {
        command.arg(format!("--user-agent={agent}"));
    }
    let output = command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            // Without these Chromium calls home at start, and this machine's network is closed.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--virtual-time-budget={budget_ms}"),
            "--dump-dom",
            url,
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}): install Debian's chromium, or set HEYCMO_CHROMIUM",
                binary()
            )
        });
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
