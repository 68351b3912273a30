//! Where every outbound HTTP client starts.

use std::sync::Once;

/// A reqwest client builder whose TLS runs on rustls with the *ring* crypto provider.
///
/// reqwest is built without a provider of its own (its default, aws-lc-rs, compiles a C library
/// through cmake), so the process-wide default is installed here, once, before any client is
/// built; reqwest refuses to build one without it.
pub fn client() -> reqwest::ClientBuilder {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        // Fails only when a provider is already installed, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}
