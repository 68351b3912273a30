//! Transport and weight: HTTPS, mixed content, compression, time to first byte, page weight,
//! redirects.

use super::finding::{Category, Check, Finding, Severity};
use crate::web::Fetched;
use crate::web::html::Page;

const HTTPS: Check =
    Category::Performance.check("perf.https", Severity::High, "Page is served over HTTPS");
const MIXED: Check = Category::Performance.check(
    "perf.mixed-content",
    Severity::High,
    "No insecure resources on a secure page",
);
const COMPRESSION: Check = Category::Performance.check(
    "perf.compression",
    Severity::Medium,
    "HTML is compressed in transit",
);
const TTFB: Check = Category::Performance.check(
    "perf.ttfb",
    Severity::Medium,
    "Server answers within 600 ms",
);
const WEIGHT: Check = Category::Performance.check(
    "perf.page-weight",
    Severity::Medium,
    "HTML document is under 500 KB",
);
const REDIRECTS: Check = Category::Performance.check(
    "perf.redirects",
    Severity::Low,
    "At most one redirect to reach the page",
);

/// Above this, an uncompressed document is worth compressing.
const COMPRESSIBLE_BYTES: usize = 1024;
const TTFB_MS: u128 = 600;
const WEIGHT_BYTES: usize = 500 * 1024;

pub fn checks(page: &Page, response: &Fetched) -> Vec<Finding> {
    let secure = response.url.scheme() == "https";
    let mut findings = vec![HTTPS.judge(
        secure,
        response.url.to_string(),
        "Serve the site over HTTPS and redirect http:// to it.",
    )];
    if secure {
        let insecure: Vec<String> = page
            .subresources
            .iter()
            .filter(|r| r.url.trim().to_ascii_lowercase().starts_with("http://"))
            .map(|r| format!("<{}> {}", r.tag, r.url))
            .collect();
        findings.push(MIXED.judge(
            insecure.is_empty(),
            if insecure.is_empty() { format!("{} resources, all secure", page.subresources.len()) } else { insecure.join(", ") },
            "Load every script, stylesheet, image and frame over https://; browsers block or flag insecure ones.",
        ));
    }
    if response.body.len() > COMPRESSIBLE_BYTES {
        findings.push(COMPRESSION.judge(
            response.encoding.is_some(),
            match &response.encoding {
                Some(e) => format!(
                    "Content-Encoding: {e}, {} bytes on the wire for {}",
                    response.wire_bytes,
                    response.body.len()
                ),
                None => format!("uncompressed, {} bytes", response.body.len()),
            },
            "Enable gzip or Brotli compression for HTML, CSS and JavaScript on the server or CDN.",
        ));
    }
    let ttfb = response.ttfb.as_millis();
    findings.push(TTFB.judge(
        ttfb <= TTFB_MS,
        format!("{ttfb} ms to the first byte"),
        "Cache the page at the edge or speed up the server; aim for under 600 ms to the first byte.",
    ));
    let scripts = page
        .subresources
        .iter()
        .filter(|r| r.tag == "script")
        .count();
    let styles = page.subresources.iter().filter(|r| r.tag == "link").count();
    findings.push(WEIGHT.judge(
        response.body.len() <= WEIGHT_BYTES,
        format!(
            "{} KB of HTML; references {scripts} scripts, {styles} stylesheets, {} images",
            response.body.len() / 1024,
            page.images.len()
        ),
        "Trim the HTML: move inline data and scripts out, paginate long lists.",
    ));
    let hops = response.redirects.len();
    findings.push(REDIRECTS.judge(
        hops <= 1,
        if hops == 0 {
            "no redirects".to_owned()
        } else {
            response
                .redirects
                .iter()
                .map(|r| format!("{} → {} ({})", r.from, r.to, r.status))
                .collect::<Vec<_>>()
                .join(", ")
        },
        "Link to the final URL directly; each redirect costs a round trip.",
    ));
    findings
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use url::Url;

    use super::*;

    fn fetched(url: &str, body: &str) -> Fetched {
        Fetched {
            url: Url::parse(url).unwrap(),
            status: 200,
            headers: Default::default(),
            body: Bytes::from(body.to_owned()),
            wire_bytes: body.len(),
            encoding: None,
            ttfb: Duration::from_millis(900),
            elapsed: Duration::from_millis(950),
            redirects: Vec::new(),
        }
    }

    fn failed(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| !f.passed)
            .map(|f| f.id.as_str())
            .collect()
    }

    #[test]
    fn mixed_content_is_found_on_secure_pages_only() {
        let html = r#"<html><head><script src="http://cdn.example/a.js"></script><link rel="stylesheet" href="HTTP://cdn.example/a.css"></head>
            <body><img src="http://img.example/x.png" alt="x"><img src="https://img.example/y.png" alt="y"><iframe src="//video.example/"></iframe></body></html>"#;
        let secure = fetched("https://shop.example/", html);
        let page = Page::parse(Some(&secure.url), html);
        let findings = checks(&page, &secure);
        assert_eq!(failed(&findings), ["perf.mixed-content", "perf.ttfb"]);
        let mixed = findings
            .iter()
            .find(|f| f.id == "perf.mixed-content")
            .unwrap();
        assert!(mixed.evidence.contains("<script> http://cdn.example/a.js"));
        assert!(mixed.evidence.contains("<link> HTTP://cdn.example/a.css"));
        assert!(mixed.evidence.contains("<img> http://img.example/x.png"));
        assert!(!mixed.evidence.contains("y.png"));

        let plain = fetched("http://shop.example/", html);
        let findings = checks(&page, &plain);
        assert!(findings.iter().all(|f| f.id != "perf.mixed-content"));
        assert_eq!(failed(&findings), ["perf.https", "perf.ttfb"]);
    }
}
