//! Post lengths as each platform counts them, checked before anything is queued so an agent
//! hears "too long for X" at once rather than from a failed job later.

use std::sync::LazyLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::Platform;

/// Links in a post's text. Trailing punctuation is left out, as the platforms do.
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s<>"]+[^\s<>".,;:!?)\]'’”]"#).expect("valid"));

/// What a link counts for on X and Mastodon, whatever its length (they shorten or count them so).
const LINK_WEIGHT: usize = 23;

/// The byte ranges of the links in `text`.
pub fn links(text: &str) -> Vec<std::ops::Range<usize>> {
    URL.find_iter(text).map(|m| m.range()).collect()
}

/// The most a platform takes, in its own unit.
pub fn limit(platform: Platform) -> (usize, &'static str) {
    match platform {
        Platform::X => (
            280,
            "characters (links count 23, most non-Latin characters and emoji 2)",
        ),
        Platform::Bluesky => (300, "graphemes"),
        Platform::Mastodon => (500, "characters (links count 23)"),
        Platform::Linkedin => (3000, "characters"),
        Platform::Webhook => (10_000, "characters"),
    }
}

/// The length of `text` as `platform` counts it.
pub fn length(platform: Platform, text: &str) -> usize {
    match platform {
        Platform::X => weighted(text, x_weight),
        Platform::Mastodon => weighted(text, |_| 1),
        Platform::Bluesky => text.graphemes(true).count(),
        Platform::Linkedin | Platform::Webhook => text.chars().count(),
    }
}

/// Characters by `weight`, each link counting [`LINK_WEIGHT`].
fn weighted(text: &str, weight: impl Fn(char) -> usize) -> usize {
    let mut total = 0;
    let mut at = 0;
    for link in links(text) {
        total += text[at..link.start].chars().map(&weight).sum::<usize>() + LINK_WEIGHT;
        at = link.end;
    }
    total + text[at..].chars().map(&weight).sum::<usize>()
}

/// X's weighting (twitter-text configuration v3): Latin, Greek, Cyrillic and general
/// punctuation count 1, everything else (CJK, emoji, …) counts 2.
fn x_weight(c: char) -> usize {
    match c as u32 {
        0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_counts_its_way() {
        let link = "https://example.com/a/very/long/path/that/goes/on/and/on?with=query";
        let text = format!("New guide: {link}.");
        assert_eq!(links(&text), vec![11..11 + link.len()]);
        assert_eq!(length(Platform::X, &text), 11 + 23 + 1);
        assert_eq!(length(Platform::Mastodon, &text), 11 + 23 + 1);
        assert_eq!(length(Platform::Linkedin, &text), text.chars().count());
        assert_eq!(length(Platform::X, "日本語"), 6);
        assert_eq!(length(Platform::X, "café"), 4);
        // One family emoji: many code points, one grapheme.
        assert_eq!(length(Platform::Bluesky, "👨‍👩‍👧‍👦 hi"), 4);
        assert!(length(Platform::X, "👍") == 2);
    }
}
