//! The server-rendered pages people open in a browser.
//!
//! Templates are compiled with the crate (askama), so a page cannot name a field that does not
//! exist and every value is HTML-escaped unless the template says otherwise. A page's script
//! and style are inline and pinned by their SHA-256 in its Content-Security-Policy: the page
//! loads nothing from anywhere, and no injected script or style would run.

pub mod account;
pub mod capture_form;
pub mod dashboard;
pub mod live;
pub mod notice;
pub mod status;

use base64::Engine;
use sha2::{Digest, Sha256};

/// A rendered page and the policy it must be served with.
pub struct Page {
    pub html: String,
    pub csp: String,
}

/// `'sha256-…'`: the CSP source that allows exactly this inline script or style.
fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy of a page with one inline script and one inline style, which talks only to its
/// own origin.
fn policy(script: &str, style: &str) -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; img-src 'self' data:; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        hash_source(script),
        hash_source(style)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_the_one_browsers_compute() {
        // The example from the CSP specification: alert('Hello, world.');
        assert_eq!(
            hash_source("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }
}
