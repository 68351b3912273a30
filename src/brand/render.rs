//! How a brand profile reads in a tool's text answer.

use super::BrandProfile;

impl BrandProfile {
    /// The readable summary of a profile, as the brand tools answer.
    pub fn render(&self) -> String {
        let p = self;
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not found)".into());
        let phrases: Vec<&str> = p
            .key_phrases
            .iter()
            .take(8)
            .map(|k| k.phrase.as_str())
            .collect();
        format!(
            "Brand profile v{} of {} ({} pages read, engine {}):\nName: {} (from {})\nTagline: {}\nValue proposition: {}\nDescription: {}\nKey phrases: {}\nAudience: {}\nVoice: {} tone, reading ease {} ({}), {} words per sentence, {:.0}% of words address the reader\nColours: {}\nSocial: {}\nCalls to action: {}\nLanguage: {}",
            p.version.unwrap_or(0),
            p.final_url,
            p.pages.len(),
            p.engine,
            or_none(&p.name),
            or_none(&p.name_source),
            or_none(&p.tagline),
            or_none(&p.value_proposition),
            or_none(&p.description),
            phrases.join(", "),
            if p.audience.is_empty() {
                "(no cues found)".to_owned()
            } else {
                p.audience.join(", ")
            },
            p.voice.tone,
            p.voice.reading_ease,
            p.voice.reading_level,
            p.voice.avg_sentence_words,
            p.voice.second_person_ratio * 100.0,
            p.colors.palette.join(", "),
            p.social
                .iter()
                .map(|(n, u)| format!("{n} {u}"))
                .collect::<Vec<_>>()
                .join(", "),
            p.calls_to_action.join(" | "),
            p.languages
                .primary
                .clone()
                .unwrap_or_else(|| "(not declared)".into()),
        )
    }
}
