//! Drafting a piece: with a model (the brief and the brand voice in the prompt, a JSON answer
//! read leniently) or offline, then finished the same way: slug, keywords, readability and the
//! on-page checks.

use serde_json::Value;

use super::{
    ContentItem, ContentSeo, Format, LandingCopy, LeadMagnetKind, State, check, offline, slug,
};
use crate::audit::finding::clip;
use crate::brand::{BrandProfile, keywords};
use crate::llm::{self, Completion, Llm, LlmError, Message, Usage};

/// What to write.
#[derive(Debug, Clone)]
pub struct Brief {
    pub format: Format,
    pub lead_magnet: Option<LeadMagnetKind>,
    pub topic: String,
    pub keywords: Vec<String>,
    pub words: u32,
}

/// Trimmed, non-empty keywords.
pub fn clean_keywords(keywords: Vec<String>) -> Vec<String> {
    keywords
        .into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect()
}

/// A piece as written, before it is checked and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub title: String,
    pub meta_description: String,
    pub outline: Vec<String>,
    pub body: String,
    pub landing_copy: Option<LandingCopy>,
}

const ROLE: &str = "You are the brand's content writer. Write in the brand's voice, for its audience, \
accurately: never invent facts, prices, statistics or customer names that are not in the brief or \
the brand profile.";

fn instructions(brief: &Brief) -> String {
    let what = match (brief.format, brief.lead_magnet) {
        (Format::Blog, _) => "a blog post with an introduction and ## sections".to_owned(),
        (Format::Social, _) => {
            "one social media post of at most 280 characters, hashtags included".to_owned()
        }
        (Format::Email, _) => "a marketing email: the title is its subject line".to_owned(),
        (Format::Landing, _) => {
            "a landing page: headline, benefits, how it works, call to action".to_owned()
        }
        (Format::LeadMagnet, kind) => format!(
            "a lead magnet of kind {} (a downloadable piece) and the copy of the landing page that offers it",
            kind.unwrap_or(LeadMagnetKind::Guide).as_str()
        ),
    };
    let landing = if brief.format == Format::LeadMagnet {
        ", \"landingCopy\": {\"headline\": \"...\", \"subheadline\": \"...\", \"bullets\": [\"...\"], \"callToAction\": \"...\"}"
    } else {
        ""
    };
    format!(
        "Write {what} about: {}.\nKeywords to use naturally: {}.\nLength: about {} words.\n\
         Answer with one JSON object and nothing else: {{\"title\": \"...\", \"metaDescription\": \"at most 155 characters\", \
         \"outline\": [\"section headings\"], \"body\": \"the piece in Markdown\"{landing}}}",
        brief.topic,
        if brief.keywords.is_empty() {
            "(your choice)".to_owned()
        } else {
            brief.keywords.join(", ")
        },
        brief.words
    )
}

/// Writes the draft: with `engine`, or offline when there is none.
pub async fn write(
    engine: Option<&dyn Llm>,
    brief: &Brief,
    brand: Option<&BrandProfile>,
) -> Result<(Draft, String, Option<Usage>), LlmError> {
    let Some(engine) = engine else {
        return Ok((offline::write(brief, brand), "offline".into(), None));
    };
    let completion = Completion {
        system: llm::prompt::system_prompt(ROLE, brand),
        messages: vec![Message::user(instructions(brief))],
        max_tokens: (brief.words * 2 + 600).min(8000),
        temperature: Some(0.7),
    };
    let completed = engine.complete(&completion).await?;
    let usage = completed.reported_usage();
    Ok((read_answer(&completed.text, brief), completed.engine, usage))
}

/// Reads a model's answer: the JSON object asked for, or, failing that, Markdown as the body.
pub fn read_answer(text: &str, brief: &Brief) -> Draft {
    let json = text
        .find('{')
        .zip(text.rfind('}'))
        .and_then(|(start, end)| serde_json::from_str::<Value>(&text[start..=end]).ok())
        .filter(|v| v["body"].is_string());
    let Some(json) = json else {
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(str::to_owned)
            .unwrap_or_else(|| brief.topic.clone());
        return Draft {
            meta_description: clip(
                text.lines()
                    .find(|l| !l.starts_with('#') && !l.trim().is_empty())
                    .unwrap_or(""),
                155,
            ),
            outline: text
                .lines()
                .filter_map(|l| l.strip_prefix("## "))
                .map(str::to_owned)
                .collect(),
            body: text.trim().to_owned(),
            title,
            landing_copy: None,
        };
    };
    let string = |key: &str| json[key].as_str().unwrap_or("").trim().to_owned();
    let body = string("body");
    let outline = match json["outline"].as_array() {
        Some(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        None => body
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(str::to_owned)
            .collect(),
    };
    Draft {
        title: Some(string("title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| brief.topic.clone()),
        meta_description: clip(&string("metaDescription"), 155),
        outline,
        landing_copy: serde_json::from_value(json["landingCopy"].clone()).ok(),
        body,
    }
}

/// The stored item a draft becomes.
pub fn finish(
    id: String,
    brief: &Brief,
    draft: Draft,
    engine: String,
    usage: Option<Usage>,
    brand: Option<&BrandProfile>,
    now: String,
) -> ContentItem {
    let language = brand
        .and_then(|b| b.languages.primary.clone())
        .unwrap_or_else(|| "en".into());
    let keywords = if brief.keywords.is_empty() {
        std::iter::once(brief.topic.to_lowercase())
            .chain(
                keywords::extract(&[draft.body.as_str()], &language, 4)
                    .into_iter()
                    .map(|k| k.phrase),
            )
            .collect()
    } else {
        brief.keywords.clone()
    };
    let seo = check::check(
        brief.format,
        &draft.title,
        &draft.meta_description,
        &draft.body,
        &keywords,
        brief.words,
        &language,
    )
    .map(|(findings, score)| ContentSeo { score, findings });
    ContentItem {
        id,
        format: brief.format,
        lead_magnet: brief.lead_magnet,
        state: State::Draft,
        topic: brief.topic.clone(),
        slug: slug(&draft.title),
        readability: check::readability(&draft.body, &language),
        title: draft.title,
        meta_description: draft.meta_description,
        outline: draft.outline,
        body: draft.body,
        landing_copy: draft.landing_copy,
        keywords,
        seo,
        engine,
        usage,
        rejection_reason: None,
        revision: 1,
        created_at: now.clone(),
        updated_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(format: Format) -> Brief {
        Brief {
            format,
            lead_magnet: None,
            topic: "trail running shoes".into(),
            keywords: vec!["trail running shoes".into()],
            words: 600,
        }
    }

    #[test]
    fn model_answers_are_read_as_json_or_as_markdown() {
        let json = "Sure! {\"title\": \"Trail running shoes\", \"metaDescription\": \"Pick well.\", \"outline\": [\"Fit\"], \"body\": \"Intro\\n\\n## Fit\\n\\nText\"}";
        let draft = read_answer(json, &brief(Format::Blog));
        assert_eq!(draft.title, "Trail running shoes");
        assert_eq!(draft.outline, vec!["Fit"]);
        let markdown = read_answer(
            "# Shoes for trails\n\nA first line.\n\n## Grip\n\nMore.",
            &brief(Format::Blog),
        );
        assert_eq!(markdown.title, "Shoes for trails");
        assert_eq!(markdown.outline, vec!["Grip"]);
        assert_eq!(markdown.meta_description, "A first line.");
    }

    #[test]
    fn offline_drafts_are_deterministic_and_checked() {
        let b = brief(Format::Blog);
        let one = finish(
            "c".into(),
            &b,
            offline::write(&b, None),
            "offline".into(),
            None,
            None,
            "t".into(),
        );
        let two = finish(
            "c".into(),
            &b,
            offline::write(&b, None),
            "offline".into(),
            None,
            None,
            "t".into(),
        );
        assert_eq!(one, two);
        let seo = one.seo.unwrap();
        let passed = |id: &str| seo.findings.iter().find(|f| f.id == id).map(|f| f.passed);
        assert_eq!(passed("seo.title"), Some(true));
        assert_eq!(passed("content.keyword-in-title"), Some(true));
        assert_eq!(passed("content.keyword-early"), Some(true));
        assert_eq!(passed("seo.h1"), Some(true));
        let social = finish(
            "s".into(),
            &brief(Format::Social),
            offline::write(&brief(Format::Social), None),
            "offline".into(),
            None,
            None,
            "t".into(),
        );
        assert!(social.body.chars().count() <= 280, "{}", social.body);
        assert!(social.seo.is_none());
    }
}
