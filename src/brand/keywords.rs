//! Key phrases: RAKE (Rapid Automatic Keyword Extraction) over the visible text, with the
//! stop-word list of the site's language.

use std::collections::{HashMap, HashSet};

use rake::{Rake, StopWords};
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

/// The top `limit` phrases of the given pages' texts.
pub fn extract(texts: &[&str], language: &str, limit: usize) -> Vec<KeyPhrase> {
    let rake = Rake::new(stop_words(language));
    let mut best: HashMap<String, (f64, usize)> = HashMap::new();
    for text in texts {
        let mut seen_here = HashSet::new();
        // Lines are blocks (headings, paragraphs): a phrase never spans two.
        for keyword in rake.run_fragments(text.lines()) {
            let phrase = keyword.keyword.trim().to_lowercase();
            let words = phrase.split_whitespace().count();
            if words == 0
                || words > MAX_WORDS
                || phrase.chars().count() < 3
                || phrase.chars().all(|c| c.is_numeric() || c.is_whitespace())
            {
                continue;
            }
            let entry = best.entry(phrase.clone()).or_insert((0.0, 0));
            entry.0 = entry.0.max(keyword.score);
            if seen_here.insert(phrase) {
                entry.1 += 1;
            }
        }
    }
    let mut phrases: Vec<KeyPhrase> = best
        .into_iter()
        .map(|(phrase, (score, pages))| KeyPhrase {
            phrase,
            // Phrases used across pages are the brand's, not one page's.
            score: (score * (1.0 + (pages as f64 - 1.0) * 0.5) * 100.0).round() / 100.0,
            pages,
        })
        .collect();
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
}
