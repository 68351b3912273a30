//! Key phrases: RAKE (Rapid Automatic Keyword Extraction) over the visible text, with the
//! stop-word list of the site's language.
//!
//! A phrase never crosses sentence or clause punctuation ("bag. pause" is two fragments), never
//! holds an email address, a URL, a phone number or a price (they are cut out before RAKE sees
//! the text), and variants of one phrase — case, singular and plural — count as one, under
//! the form the pages use most.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use rake::{Rake, StopWords};
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A phrase and its RAKE score (higher is more characteristic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeyPhrase {
    pub phrase: String,
    pub score: f64,
    /// How many of the analysed pages use it.
    pub pages: usize,
}

/// Phrases of more words than this are sentences, not key phrases.
const MAX_WORDS: usize = 4;

fn stop_words(language: &str) -> StopWords {
    let code = language.get(..2).unwrap_or("en").to_ascii_lowercase();
    let list = stop_words::lookup(&code).unwrap_or_else(|| stop_words::get("en"));
    list.iter()
        .map(|w| w.to_lowercase())
        .collect::<HashSet<String>>()
        .into()
}

/// What is cut out of the text before phrases are sought: contact details, links, prices.
static NOT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        [a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}          # email
        |\b(?:https?://|www\.)\S+                       # URL
        |\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|de|fr|es|example|app|dev)\b(?:/\S*)?  # bare domain
        |[$€£¥]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|usd|eur|gbp|chf)\b  # price
        |\+?\d[\d\s().-]{6,}\d                          # phone
        ",
    )
    .expect("valid regex")
});

/// Where a sentence or a clause ends: a phrase never spans one.
static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    // A full stop or comma inside a number ("2.000", "3,000") ends nothing.
    Regex::new(r#"[.,;:!?](?:\s|$)|[;:!?()\[\]{}"“”„«»¡¿…|/\\•·–—]|\s-\s|\n"#).expect("valid regex")
});

/// The fragments of `text` a phrase may come from.
fn fragments(text: &str) -> Vec<String> {
    let cleaned = NOT_WORDS.replace_all(text, "\n");
    CLAUSE
        .split(&cleaned)
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form variants of a phrase share: lower case, each word without a plural ending.
fn variant_key(phrase: &str) -> String {
    phrase
        .split_whitespace()
        .map(|word| {
            let n = word.chars().count();
            if n > 4 && word.ends_with("ies") {
                format!("{}y", &word[..word.len() - 3])
            } else if n > 3 && word.ends_with('s') && !word.ends_with("ss") {
                word[..word.len() - 1].to_owned()
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A phrase's variants merged: the best score, the pages any form appears on, and each
/// form's count so the most used one names them.
#[derive(Default)]
struct Merged {
    score: f64,
    pages: HashSet<usize>,
    forms: HashMap<String, usize>,
}

/// The top `limit` phrases of the given pages' texts.
pub fn extract(texts: &[&str], language: &str, limit: usize) -> Vec<KeyPhrase> {
    let rake = Rake::new(stop_words(language));
    let mut merged: HashMap<String, Merged> = HashMap::new();
    for (page, text) in texts.iter().enumerate() {
        for keyword in rake.run_fragments(fragments(text).iter().map(String::as_str)) {
            let phrase = keyword.keyword.trim().to_lowercase();
            let words = phrase.split_whitespace().count();
            if words == 0
                || words > MAX_WORDS
                || phrase.chars().count() < 3
                // "48 stunden teigruhe", "3,000 metres": figures are facts, not phrases.
                || phrase.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            let entry = merged.entry(variant_key(&phrase)).or_default();
            entry.score = entry.score.max(keyword.score);
            entry.pages.insert(page);
            *entry.forms.entry(phrase).or_default() += 1;
        }
    }
    let mut phrases: Vec<KeyPhrase> = merged
        .into_values()
        .map(|m| {
            let pages = m.pages.len();
            let phrase = m
                .forms
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(form, _)| form)
                .unwrap_or_default();
            (phrase, m.score, pages)
        })
        .map(|(phrase, score, pages)| KeyPhrase {
            phrase,
            // Phrases used across pages are the brand's, not one page's.
            score: (score * (1.0 + (pages as f64 - 1.0) * 0.5) * 100.0).round() / 100.0,
            pages,
        })
        .collect();
    // "shift swaps replaced" is "shift swaps" with a verb after it: a longer phrase that only
    // extends another, found on as many pages, at its end adds nothing. (Words before it —
    // "waterproof hiking boots" — make a phrase of their own.)
    let keys: Vec<(String, usize)> = phrases
        .iter()
        .map(|p| (format!("{} ", variant_key(&p.phrase)), p.pages))
        .collect();
    phrases.retain(|p| {
        let key = format!("{} ", variant_key(&p.phrase));
        let extends = keys.iter().any(|(other, pages)| {
            *other != key && key.starts_with(other.as_str()) && *pages >= p.pages
        });
        // A single word is a key phrase only when the site uses it on several pages.
        let lone = !p.phrase.contains(' ') && (p.pages < 2 || p.phrase.chars().count() < 4);
        !extends && !lone
    });
    phrases.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.phrase.cmp(&b.phrase))
    });
    phrases.truncate(limit);
    phrases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_come_from_content_words() {
        let phrases = extract(
            &[
                "Waterproof hiking boots that last ten years\nOur waterproof hiking boots are resoled for free",
                "Free resoling of hiking boots",
            ],
            "en",
            5,
        );
        let names: Vec<&str> = phrases.iter().map(|p| p.phrase.as_str()).collect();
        assert!(names.contains(&"waterproof hiking boots"), "{names:?}");
        assert!(phrases.iter().all(|p| {
            !p.phrase
                .split_whitespace()
                .any(|w| w == "the" || w == "are")
        }));
        assert_eq!(extract(&["a b c"], "xx", 5), extract(&["a b c"], "en", 5));
    }

    #[test]
    fn phrases_stop_at_punctuation_and_leave_contacts_and_prices_out() {
        let text = "Grind fresh beans. Bag. Pause between pours, mountain guides, trusted roasters.\n\
                    Email hello@trailbrew.example or visit https://trailbrew.example/shop today.\n\
                    Altitude kit for $49.00, call +1 (555) 010-2030 — slow pour kettle";
        let phrases: Vec<String> = extract(&[text], "en", 20)
            .into_iter()
            .map(|p| p.phrase)
            .collect();
        for bad in [
            "bag. pause",
            "bag pause",
            "mountain guides trusted",
            "email hello",
            "49",
        ] {
            assert!(
                !phrases.iter().any(|p| p.contains(bad)),
                "{bad} in {phrases:?}"
            );
        }
        assert!(
            phrases
                .iter()
                .all(|p| !p.contains('@') && !p.contains("http") && !p.contains('$')),
            "{phrases:?}"
        );
        assert!(
            phrases.contains(&"mountain guides".to_owned()),
            "{phrases:?}"
        );
        assert!(
            phrases.contains(&"slow pour kettle".to_owned()),
            "{phrases:?}"
        );
    }

    #[test]
    fn singular_plural_and_case_variants_are_one_phrase() {
        let phrases = extract(
            &[
                "Hiking Boots for every trail",
                "Our hiking boots last",
                "Every hiking boot, resoled",
            ],
            "en",
            10,
        );
        let boots: Vec<&KeyPhrase> = phrases
            .iter()
            .filter(|p| p.phrase.starts_with("hiking boot"))
            .collect();
        assert_eq!(boots.len(), 1, "{phrases:?}");
        assert_eq!(boots[0].phrase, "hiking boots");
        assert_eq!(boots[0].pages, 3);
    }
}
