//! The lead-capture form a lead magnet's landing page embeds: it posts to the site's capture
//! endpoint, names what is offered, and carries the honeypot field bots fill.

use askama::Template;

#[derive(Template)]
#[template(path = "capture_form.html")]
struct CaptureForm<'a> {
    action: &'a str,
    magnet: &'a str,
    button: &'a str,
}

/// The form's HTML; every value is escaped.
pub fn html(public_url: &str, site_id: &str, magnet: &str, button: &str) -> String {
    let action = format!("{}/api/capture/{site_id}", public_url.trim_end_matches('/'));
    CaptureForm {
        action: &action,
        magnet,
        button,
    }
    .render()
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_posts_to_the_sites_capture_endpoint_with_everything_escaped() {
        let form = html(
            "https://cmo.example/",
            "site_0123456789abcdef",
            "\"><script>x</script>",
            "Get it",
        );
        assert!(form.contains("action=\"https://cmo.example/api/capture/site_0123456789abcdef\""));
        assert!(!form.contains("<script>x"), "{form}");
        assert!(form.contains("name=\"website\""));
        assert!(form.contains(">Get it</button>"));
    }
}
