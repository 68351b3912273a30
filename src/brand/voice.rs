//! The measurable part of a brand's voice: readability, sentence length, how much it talks to
//! "you", exclamation and formality, from the visible text of its pages.

use hypher::Lang;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// Voice metrics of a body of text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Voice {
    /// Flesch reading ease, 0 (hard) to 100 (easy); for German the Amstad variant, for French
    /// Kandel–Moles, for Spanish Fernández Huerta, otherwise the English constants.
    pub reading_ease: f64,
    /// "very easy" … "very difficult", from the reading ease.
    pub reading_level: String,
    pub avg_sentence_words: f64,
    pub avg_word_syllables: f64,
    /// Share of words addressing the reader (you, your, …), 0 to 1.
    pub second_person_ratio: f64,
    /// Share of sentences ending in "!", 0 to 1.
    pub exclamation_rate: f64,
    /// 0 (casual) to 100 (formal); see [`formality`].
    pub formality: u32,
    /// "casual", "neutral" or "formal".
    pub tone: String,
    pub words_analyzed: usize,
    pub sentences_analyzed: usize,
}

/// Words addressing the reader, per language.
fn second_person(language: &str) -> &'static [&'static str] {
    match language {
        "de" => &[
            "du", "dich", "dir", "dein", "deine", "deinen", "sie", "ihr", "ihre", "ihren", "euch",
            "euer",
        ],
        "fr" => &["vous", "votre", "vos", "tu", "toi", "ton", "ta", "tes"],
        "es" => &[
            "tú", "tu", "tus", "usted", "ustedes", "vosotros", "te", "ti", "su", "sus",
        ],
        _ => &[
            "you",
            "your",
            "yours",
            "yourself",
            "yourselves",
            "you're",
            "you'll",
            "you've",
            "you'd",
        ],
    }
}

fn hyphenation(language: &str) -> Lang {
    let code: [u8; 2] = language
        .as_bytes()
        .get(..2)
        .and_then(|c| c.try_into().ok())
        .unwrap_or(*b"en");
    Lang::from_iso(code).unwrap_or(Lang::English)
}

/// Syllables in a word, by the language's hyphenation patterns (never fewer than one).
fn syllables(word: &str, lang: Lang) -> usize {
    hypher::hyphenate_bounded(&word.to_lowercase(), lang, 1, 1)
        .count()
        .max(1)
}

/// Measures `text` written in `language` (ISO 639-1; unknown languages count as English).
pub fn measure(text: &str, language: &str) -> Voice {
    let language = language.get(..2).unwrap_or("en").to_ascii_lowercase();
    let lang = hyphenation(&language);
    let you = second_person(&language);
    let (mut words, mut syllable_count, mut addressed, mut contractions, mut long_words) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let (mut sentences, mut exclaimed) = (0usize, 0usize);
    for sentence in text.unicode_sentences() {
        let sentence_words: Vec<&str> = sentence.unicode_words().collect();
        if sentence_words.is_empty() {
            continue;
        }
        sentences += 1;
        if sentence.trim_end().ends_with('!') {
            exclaimed += 1;
        }
        for word in sentence_words {
            words += 1;
            let s = syllables(word, lang);
            syllable_count += s;
            if s >= 3 {
                long_words += 1;
            }
            let lower = word.to_lowercase();
            if you.contains(&lower.as_str()) {
                addressed += 1;
            }
            if is_contraction(&lower) {
                contractions += 1;
            }
        }
    }
    let per = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let asl = per(words, sentences);
    let asw = per(syllable_count, words);
    let ease = if words == 0 {
        0.0
    } else {
        match language.as_str() {
            "de" => 180.0 - asl - 58.5 * asw,
            "fr" => 207.0 - 1.015 * asl - 73.6 * asw,
            "es" => 206.84 - 1.02 * asl - 60.0 * asw,
            _ => 206.835 - 1.015 * asl - 84.6 * asw,
        }
    }
    .clamp(0.0, 100.0);
    let second_person_ratio = per(addressed, words);
    let exclamation_rate = per(exclaimed, sentences);
    let formality = formality(
        asl,
        per(long_words, words),
        second_person_ratio,
        exclamation_rate,
        per(contractions, words),
    );
    Voice {
        reading_ease: round(ease, 1),
        reading_level: level(ease).to_owned(),
        avg_sentence_words: round(asl, 1),
        avg_word_syllables: round(asw, 2),
        second_person_ratio: round(second_person_ratio, 3),
        exclamation_rate: round(exclamation_rate, 3),
        formality,
        tone: match formality {
            0..40 => "casual",
            40..=60 => "neutral",
            _ => "formal",
        }
        .to_owned(),
        words_analyzed: words,
        sentences_analyzed: sentences,
    }
}

/// Formality, 0–100: starts at 50; long sentences and long words raise it, talking to "you",
/// exclamation marks and contractions lower it. Each term is capped so no one signal decides.
pub fn formality(asl: f64, long_word_share: f64, you: f64, exclaim: f64, contractions: f64) -> u32 {
    let score = 50.0
        + ((asl - 15.0) * 1.5).clamp(-15.0, 15.0)
        + ((long_word_share - 0.15) * 100.0).clamp(-15.0, 15.0)
        - (you * 300.0).min(20.0)
        - (exclaim * 60.0).min(15.0)
        - (contractions * 400.0).min(15.0);
    score.clamp(0.0, 100.0).round() as u32
}

/// "don't", "we're", "you'll": informal; a possessive "'s" is not.
fn is_contraction(word: &str) -> bool {
    let word = word.replace('’', "'");
    ["n't", "'re", "'ll", "'ve", "'m", "'d"]
        .iter()
        .any(|end| word.ends_with(end))
        || word == "let's"
}

fn level(ease: f64) -> &'static str {
    match ease {
        e if e >= 90.0 => "very easy",
        e if e >= 80.0 => "easy",
        e if e >= 70.0 => "fairly easy",
        e if e >= 60.0 => "plain",
        e if e >= 50.0 => "fairly difficult",
        e if e >= 30.0 => "difficult",
        _ => "very difficult",
    }
}

fn round(value: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (value * factor).round() / factor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_casual_text_reads_easy_and_casual() {
        let v = measure(
            "You'll love it! Get your boots today. We ship fast! Try them on at home.",
            "en",
        );
        assert_eq!(v.sentences_analyzed, 4);
        assert!(v.reading_ease > 80.0, "{v:?}");
        assert_eq!(v.tone, "casual");
        assert!((v.exclamation_rate - 0.5).abs() < 1e-9);
        assert!(v.second_person_ratio > 0.1);
    }

    #[test]
    fn dense_corporate_text_reads_hard_and_formal() {
        let v = measure(
            "The organisation's comprehensive infrastructure modernisation initiative facilitates \
             interdepartmental collaboration and operational efficiency across international subsidiaries, \
             notwithstanding considerable regulatory complexity.",
            "en",
        );
        assert!(v.reading_ease < 30.0, "{v:?}");
        assert_eq!(v.tone, "formal");
    }

    #[test]
    fn the_same_text_gives_the_same_figures() {
        let text = "Wir bauen Wanderschuhe. Sie halten zehn Jahre.";
        assert_eq!(measure(text, "de"), measure(text, "de-DE"));
        assert!(measure(text, "de").second_person_ratio > 0.0);
        assert_eq!(measure("", "en").words_analyzed, 0);
    }
}
