//! Drafting a piece: with a model (the brief, the brand voice and the stored facts in the
//! prompt, a JSON answer read leniently), finished with slug, keywords, readability and the
//! checks; or, without one, the writing brief the caller writes from ([`briefed`]).

use serde_json::Value;

use super::brief::{self, Grounding, PlatformLimit};
use super::{ContentItem, Format, LandingCopy, LeadMagnetKind, State, check, outline, slug};
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
    /// For a social post: the limits of the channels it may go to.
    pub platform_limits: Vec<PlatformLimit>,
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

fn instructions(brief: &Brief, grounding: &Grounding) -> String {
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
    let facts: Vec<String> = grounding
        .audience
        .iter()
        .chain(&grounding.offer)
        .chain(&grounding.proof)
        .chain(&grounding.facts)
        .map(|f| format!("- {}", f.text))
        .collect();
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!("Facts you may use (and no others):\n{}\n", facts.join("\n"))
    };
    format!(
        "Write {what} about: {}.\nKeywords to use naturally: {}.\nLength: about {} words.\n{facts}\
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

/// Writes the draft with `engine`.
pub async fn write(
    engine: &dyn Llm,
    brief: &Brief,
    brand: Option<&BrandProfile>,
    grounding: &Grounding,
) -> Result<(Draft, String, Option<Usage>), LlmError> {
    let completion = Completion {
        system: llm::prompt::system_prompt(ROLE, brand),
        messages: vec![Message::user(instructions(brief, grounding))],
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
            outline: outline(text),
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
        None => outline(&body),
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
    let language = super::language(brand);
    let keywords = if brief.keywords.is_empty() {
        std::iter::once(brief.topic.to_lowercase())
            .chain(
                keywords::extract(&[draft.body.as_str()], language, 4)
                    .into_iter()
                    .map(|k| k.phrase),
            )
            .collect()
    } else {
        brief.keywords.clone()
    };
    let mut item = ContentItem {
        id,
        format: brief.format,
        lead_magnet: brief.lead_magnet,
        state: State::Draft,
        topic: brief.topic.clone(),
        slug: slug(&draft.title),
        readability: check::readability("", language),
        title: draft.title,
        meta_description: draft.meta_description,
        outline: draft.outline,
        body: draft.body,
        landing_copy: draft.landing_copy,
        keywords,
        seo: None,
        brief: None,
        engine,
        usage,
        rejection_reason: None,
        revision: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    item.run_checks(brief.words, max_chars(brief), language);
    item
}

/// A social post's strictest limit, in characters.
fn max_chars(brief: &Brief) -> Option<u32> {
    (brief.format == Format::Social).then(|| brief::length(brief).max)
}

/// The stored item of a piece no model wrote: in the `brief` state, with the writing brief
/// and no text, waiting for the caller's `submit_draft`.
pub fn briefed(
    id: String,
    brief: &Brief,
    grounding: &Grounding,
    language: &str,
    now: String,
) -> ContentItem {
    let writing = brief::build(&id, brief, grounding, language);
    ContentItem {
        format: brief.format,
        lead_magnet: brief.lead_magnet,
        state: State::Brief,
        topic: brief.topic.clone(),
        title: brief.topic.clone(),
        slug: slug(&brief.topic),
        meta_description: String::new(),
        outline: writing.outline.clone(),
        body: String::new(),
        landing_copy: None,
        keywords: writing.keywords.clone(),
        readability: check::readability("", language),
        seo: None,
        brief: Some(writing),
        engine: "offline".into(),
        usage: None,
        rejection_reason: None,
        revision: 1,
        created_at: now.clone(),
        updated_at: now,
        id,
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
            platform_limits: Vec::new(),
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
    fn without_a_model_the_item_is_a_brief_with_no_text() {
        let grounding = Grounding {
            brand_name: Some("Trailbrew".into()),
            audience: vec![brief::Fact::new("mountain guides", "brand-v1: audience")],
            calls_to_action: vec!["Order a bag".into()],
            ..Default::default()
        };
        let item = briefed(
            "c".into(),
            &brief(Format::Blog),
            &grounding,
            "en",
            "t".into(),
        );
        assert_eq!(item.state, State::Brief);
        assert!(item.body.is_empty());
        let writing = item.brief.unwrap();
        assert!(
            writing.task.contains("\"trail running shoes\""),
            "{}",
            writing.task
        );
        assert!(
            writing.angle.contains("mountain guides"),
            "{}",
            writing.angle
        );
        assert!(writing.next_step.contains("submit_draft"));
        assert!(writing.next_step.contains("\"c\""));
        assert!(writing.outline.iter().any(|s| s.contains("Order a bag")));
        assert_eq!((writing.length.min, writing.length.max), (420, 780));
        let held: Vec<&str> = writing.checks.iter().map(|c| c.id.as_str()).collect();
        assert!(held.contains(&"seo.title"), "{held:?}");
        assert!(held.contains(&"content.keyword-in-title"), "{held:?}");
    }

    #[test]
    fn a_post_brief_is_held_to_its_strictest_channel() {
        let mut post = brief(Format::Social);
        post.platform_limits = vec![
            PlatformLimit {
                platform: "mastodon".into(),
                max: 500,
                unit: "characters".into(),
            },
            PlatformLimit {
                platform: "x".into(),
                max: 280,
                unit: "characters".into(),
            },
        ];
        let item = briefed("s".into(), &post, &Grounding::default(), "en", "t".into());
        let writing = item.brief.unwrap();
        assert_eq!(writing.length.unit, "characters");
        assert_eq!(writing.length.max, 280);
        assert!(
            writing
                .constraints
                .iter()
                .any(|c| c.starts_with("x: at most 280"))
        );
        assert_eq!(writing.checks[0].id, "content.post-length");
    }
}
