//! The brand voice in a system prompt: assembled here and nowhere else, so that every engine
//! and every tool speaks as the same brand.

use crate::brand::BrandProfile;

/// The system prompt for a task (`role` says what the model is asked to be and do).
pub fn system_prompt(role: &str, brand: Option<&BrandProfile>) -> String {
    let mut prompt = String::from(role.trim());
    let Some(brand) = brand else {
        prompt.push_str(
            "\n\nNo brand profile is stored yet: write in a clear, neutral voice, and suggest running \
             analyze_brand_url on the brand's website.",
        );
        return prompt;
    };
    let name = brand.name.as_deref().unwrap_or("the brand");
    prompt.push_str(&format!("\n\n# The brand: {name}\n"));
    let mut fact = |label: &str, value: Option<&str>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            prompt.push_str(&format!("- {label}: {value}\n"));
        }
    };
    fact("Website", Some(&brand.final_url));
    fact("Tagline", brand.tagline.as_deref());
    fact("Value proposition", brand.value_proposition.as_deref());
    fact("Description", brand.description.as_deref());
    let audience = brand.audience.join(", ");
    fact("Audience", Some(&audience));
    let phrases: Vec<&str> = brand
        .key_phrases
        .iter()
        .take(10)
        .map(|k| k.phrase.as_str())
        .collect();
    let phrases = phrases.join(", ");
    fact("Key phrases", Some(&phrases));
    fact("Language", brand.languages.primary.as_deref());
    let voice = &brand.voice;
    prompt.push_str(&format!(
        "\n# Voice\nWrite as {name} writes: a {} tone (formality {}/100), reading ease about {:.0} ({}), \
         about {:.0} words per sentence, {} the reader directly{}.\n",
        voice.tone,
        voice.formality,
        voice.reading_ease,
        voice.reading_level,
        voice.avg_sentence_words,
        if voice.second_person_ratio >= 0.02 { "addressing" } else { "rarely addressing" },
        if voice.exclamation_rate >= 0.1 { ", with the occasional exclamation" } else { ", without exclamation marks" },
    ));
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_profile_the_prompt_says_so() {
        let p = system_prompt("You are the CMO.", None);
        assert!(p.starts_with("You are the CMO."));
        assert!(p.contains("analyze_brand_url"));
    }
}
