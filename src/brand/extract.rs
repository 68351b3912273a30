//! Brand facts read off pages: the name, tagline, colours, profiles, contacts and the pages
//! that matter (pricing, products).

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use url::Url;

use crate::audit::geo::social_network;
use crate::web::html::Page;

static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b").expect("valid regex"));
static RGB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})").expect("valid regex")
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("valid regex")
});
/// A cue that names who a site serves, and the words after it (up to four, within the clause).
static AUDIENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:for|built for|made for|designed for|loved by|trusted by|used by|für|pour(?: les| des)?|conçu pour|para(?: los| las)?|pensado para)\s+(\p{L}[\p{L}-]*(?:[ \t]+\p{L}[\p{L}-]*){0,3})").expect("valid regex")
});

/// Plural words that follow "for" without naming an audience.
const NOT_PEOPLE: &[&str] = &[
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "decades",
    "ages",
    "details",
    "questions",
    "updates",
    "purposes",
    "reasons",
    "results",
    "orders",
    "returns",
    "terms",
    "conditions",
    "prices",
    "instructions",
    "directions",
];

/// Words that end a noun phrase: prepositions, conjunctions, pronouns, determiners and the
/// commonest verbs, in the languages the extractor reads. (A full stop-word list would also
/// cut "small teams" at "small".)
const FUNCTION_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "who",
    "that",
    "which",
    "whose",
    "where",
    "when",
    "with",
    "without",
    "in",
    "on",
    "at",
    "by",
    "to",
    "from",
    "of",
    "across",
    "around",
    "near",
    "like",
    "as",
    "than",
    "into",
    "over",
    "under",
    "everywhere",
    "worldwide",
    "since",
    "is",
    "are",
    "can",
    "will",
    "your",
    "you",
    "our",
    "we",
    "free",
    "all",
    "every",
    "any",
    "more",
    "und",
    "oder",
    "die",
    "der",
    "das",
    "den",
    "dem",
    "ein",
    "eine",
    "im",
    "am",
    "mit",
    "ohne",
    "von",
    "aus",
    "bei",
    "zu",
    "zum",
    "zur",
    "auf",
    "wie",
    "sie",
    "ihr",
    "ihre",
    "du",
    "dich",
    "uns",
    "alle",
    "jeden",
    "mehr",
    "et",
    "ou",
    "qui",
    "que",
    "de",
    "des",
    "les",
    "le",
    "la",
    "en",
    "dans",
    "avec",
    "sans",
    "sur",
    "pour",
    "vous",
    "votre",
    "vos",
    "nous",
    "tous",
    "y",
    "o",
    "con",
    "sin",
    "del",
    "los",
    "las",
    "el",
    "su",
    "sus",
    "usted",
    "todos",
    "nuestro",
    "nuestros",
];

/// Title separators between a page name and the brand.
const SEPARATORS: &[&str] = &[" | ", " – ", " — ", " - ", ": ", " · ", " :: "];

/// The brand name and where it was found, by decreasing reliability.
pub fn name(home: &Page) -> Option<(String, &'static str)> {
    if let Some(name) = home.meta("og:site_name") {
        return Some((name.to_owned(), "og:site_name"));
    }
    if let Some(name) = home.meta("application-name") {
        return Some((name.to_owned(), "application-name"));
    }
    if let Some(name) = organization(home)
        .and_then(|o| o.get("name"))
        .and_then(Value::as_str)
    {
        return Some((name.trim().to_owned(), "JSON-LD Organization"));
    }
    let logo = home.links.iter().find(|l| {
        l.url.as_ref().is_some_and(|u| u.path() == "/") && !l.label.is_empty() && l.text.is_empty()
    });
    if let Some(logo) = logo {
        return Some((logo.label.clone(), "logo alt text"));
    }
    if let Some(title) = home.titles.first().filter(|t| !t.is_empty()) {
        let parts = split_title(title);
        let shortest = parts
            .iter()
            .min_by_key(|p| p.len())
            .copied()
            .unwrap_or(title);
        return Some((shortest.to_owned(), "title"));
    }
    let host = home.url.as_ref()?.host_str()?.trim_start_matches("www.");
    let label = host.split('.').next()?;
    let mut chars = label.chars();
    let first = chars.next()?.to_uppercase().collect::<String>();
    Some((first + chars.as_str(), "domain"))
}

fn split_title(title: &str) -> Vec<&str> {
    SEPARATORS
        .iter()
        .find(|s| title.contains(*s))
        .map(|s| {
            title
                .split(s)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_else(|| vec![title])
}

/// The title's part that is not the brand name: what the brand says it is.
pub fn tagline(home: &Page, brand: Option<&str>) -> Option<String> {
    let title = home.titles.first()?;
    let parts = split_title(title);
    let brand = brand.map(str::to_lowercase);
    parts
        .into_iter()
        .find(|p| {
            brand
                .as_deref()
                .is_none_or(|b| !p.to_lowercase().contains(b))
        })
        .map(str::to_owned)
        .filter(|t| t.split_whitespace().count() >= 2)
}

/// The headline and the first full sentence under it.
pub fn value_proposition(home: &Page) -> Option<String> {
    let h1 = home.headings.iter().find(|h| h.level == 1)?;
    let support = home.line_after(&h1.text, crate::audit::conversion::SUPPORT_WORDS);
    Some(match support {
        Some(line) => format!("{}. {line}", h1.text.trim_end_matches('.')),
        None => h1.text.clone(),
    })
}

/// The first Organization-like JSON-LD node.
pub fn organization(page: &Page) -> Option<&Value> {
    page.json_ld_nodes().into_iter().find(|n| {
        let t = n.get("@type");
        let is = |s: &str| {
            s.contains("Organization")
                || s == "Corporation"
                || s.ends_with("Business")
                || s == "Store"
        };
        match t {
            Some(Value::String(s)) => is(s),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is),
            _ => false,
        }
    })
}

/// Colours by how often the pages use them: theme-color first, then CSS colours, as `#rrggbb`.
pub fn colors(pages: &[&Page], limit: usize) -> (Option<String>, Vec<String>) {
    let theme = pages
        .iter()
        .find_map(|p| p.meta("theme-color"))
        .and_then(normalise_color);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        for m in HEX.find_iter(&page.css) {
            if let Some(c) = normalise_color(m.as_str()) {
                *counts.entry(c).or_default() += 1;
            }
        }
        for c in RGB.captures_iter(&page.css) {
            let channel = |i: usize| c[i].parse::<u16>().ok().filter(|v| *v <= 255);
            if let (Some(r), Some(g), Some(b)) = (channel(1), channel(2), channel(3)) {
                *counts.entry(format!("#{r:02x}{g:02x}{b:02x}")).or_default() += 1;
            }
        }
    }
    let mut palette: Vec<(String, usize)> = counts.into_iter().collect();
    palette.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut palette: Vec<String> = palette.into_iter().map(|(c, _)| c).collect();
    if let Some(theme) = &theme {
        palette.retain(|c| c != theme);
        palette.insert(0, theme.clone());
    }
    palette.truncate(limit);
    (theme, palette)
}

fn normalise_color(raw: &str) -> Option<String> {
    let hex = raw.trim().strip_prefix('#')?;
    match hex.len() {
        6 if hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            Some(format!("#{}", hex.to_ascii_lowercase()))
        }
        3 if hex.chars().all(|c| c.is_ascii_hexdigit()) => Some(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => None,
    }
}

/// Profiles on social networks: JSON-LD `sameAs` and links, by network.
pub fn social(pages: &[&Page]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut add = |raw: &str| {
        if let Ok(url) = Url::parse(raw)
            && let Some(network) = social_network(&url)
            && url.path().trim_matches('/').len() > 1
        {
            found
                .entry(network.to_owned())
                .or_insert_with(|| url.to_string());
        }
    };
    for page in pages {
        if let Some(org) = organization(page) {
            match org.get("sameAs") {
                Some(Value::String(s)) => add(s),
                Some(Value::Array(items)) => {
                    items.iter().filter_map(Value::as_str).for_each(&mut add)
                }
                _ => {}
            }
        }
        for link in &page.links {
            if let Some(url) = &link.url {
                add(url.as_str());
            }
        }
    }
    found
}

/// Email addresses, phone numbers and contact pages.
pub fn contacts(pages: &[&Page]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut emails, mut phones, mut contact_pages) = (Vec::new(), Vec::new(), Vec::new());
    for page in pages {
        for link in &page.links {
            let href = link.href.as_deref().unwrap_or("");
            if let Some(email) = href.strip_prefix("mailto:") {
                push_unique(
                    &mut emails,
                    email.split('?').next().unwrap_or("").to_lowercase(),
                );
            } else if let Some(phone) = href.strip_prefix("tel:") {
                push_unique(&mut phones, phone.trim().to_owned());
            } else if let Some(url) = &link.url
                && page.same_site(url)
                && (link.text.to_lowercase().contains("contact")
                    || url.path().to_lowercase().contains("contact"))
            {
                push_unique(&mut contact_pages, url.to_string());
            }
        }
        for m in EMAIL.find_iter(&page.text) {
            push_unique(&mut emails, m.as_str().to_lowercase());
        }
    }
    (emails, phones, contact_pages)
}

/// Same-site pages whose path or link text contains one of `words`.
pub fn pages_about(pages: &[&Page], words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        for link in &page.links {
            let Some(url) = &link.url else { continue };
            let (path, text) = (url.path().to_lowercase(), link.text.to_lowercase());
            if page.same_site(url) && words.iter().any(|w| path.contains(w) || text.contains(w)) {
                let mut url = url.clone();
                url.set_fragment(None);
                push_unique(&mut found, url.to_string());
            }
        }
    }
    found
}

/// Who the brand speaks to: "for small teams", "trusted by hikers", "für Bäckereien", ...
pub fn audience(pages: &[&Page], language: &str) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        let lead: Vec<&str> = page
            .titles
            .iter()
            .map(String::as_str)
            .chain(page.meta("description"))
            .chain(page.headings.iter().map(|h| h.text.as_str()))
            .chain(page.text.lines())
            .collect();
        for text in lead {
            for c in AUDIENCE.captures_iter(text) {
                if let Some(cue) = noun_phrase(&c[1], language) {
                    push_unique(&mut found, cue);
                }
            }
        }
    }
    found.truncate(8);
    found
}

/// The noun phrase at the start of `words`: cut at the first stop word ("mountain guides
/// across the Alps" → "mountain guides"), then back to the last plural noun; `None` when
/// there is none, or it names no people ("for ten years").
fn noun_phrase(words: &str, language: &str) -> Option<String> {
    let mut kept: Vec<&str> = Vec::new();
    for word in words.split_whitespace() {
        if FUNCTION_WORDS.contains(&word.to_lowercase().as_str()) {
            break;
        }
        kept.push(word);
    }
    let german = language.starts_with("de");
    // German nouns are capitalised and their plurals end in many ways; elsewhere a plural
    // ends in s (or x in French).
    let plural = |w: &str| {
        let lower = w.to_lowercase();
        if german {
            w.chars().next().is_some_and(char::is_uppercase)
                && ["en", "er", "e", "n", "s"]
                    .iter()
                    .any(|e| lower.ends_with(e))
        } else {
            lower.chars().count() > 2 && (lower.ends_with('s') || lower.ends_with('x'))
        }
    };
    while kept.last().is_some_and(|w| !plural(w)) {
        kept.pop();
    }
    let last = kept.last()?.to_lowercase();
    if NOT_PEOPLE.contains(&last.as_str()) {
        return None;
    }
    Some(kept.join(" ").to_lowercase())
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audience_of(html: &str, language: &str) -> Vec<String> {
        audience(&[&Page::parse(None, html)], language)
    }

    #[test]
    fn audience_cues_end_on_a_noun_phrase() {
        assert_eq!(
            audience_of(
                "<p>Coffee kits for mountain guides across the Alps.</p>",
                "en"
            ),
            ["mountain guides"]
        );
        assert_eq!(
            audience_of(
                "<p>Built for small teams who ship, trusted by 40 clinics.</p>",
                "en"
            ),
            ["small teams"]
        );
        assert!(audience_of("<p>Boots made for ten years of hikes.</p>", "en").is_empty());
        assert!(audience_of("<p>Sign up for free today.</p>", "en").is_empty());
        assert_eq!(
            audience_of("<p>Software für kleine Bäckereien in Bayern.</p>", "de"),
            ["kleine bäckereien"]
        );
        assert_eq!(
            audience_of("<p>Un logiciel pour les restaurants de quartier.</p>", "fr"),
            ["restaurants"]
        );
    }
}
