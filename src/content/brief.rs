//! The writing brief: what heycmo answers when no model is there to write.
//!
//! Most MCP clients offer no sampling and many servers run without `--llm`, yet the caller is
//! itself a language model. So instead of filler prose, a writing tool without a model answers
//! everything a writer needs — the task, the angle, the brand's voice, audience, offer, proof
//! points and facts (each naming the record it comes from), an outline, keywords, length, the
//! format's constraints and the checks the draft will be held to — and stores the item in the
//! `brief` state. The caller writes and hands the text back with `submit_draft`; heycmo checks
//! it. Templates appear only where a template is the right tool (a checklist's or quiz's
//! skeleton, a landing page's section plan), and only as a skeleton to fill.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::writer::Brief;
use super::{Format, LeadMagnetKind, check};
use crate::audit::finding::Severity;
use crate::brand::voice::Voice;

/// A statement the writer may use, and the stored record it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fact {
    pub text: String,
    /// `brand-v3: value proposition`, `audit aud_…: cro.social-proof`, …
    pub source: String,
}

impl Fact {
    pub fn new(text: impl Into<String>, source: impl Into<String>) -> Fact {
        Fact {
            text: text.into(),
            source: source.into(),
        }
    }
}

/// What the stored records say that a writer may draw on, grouped by what it is for; built by
/// whoever holds the records (the knowledge layer).
#[derive(Debug, Clone, Default)]
pub struct Grounding {
    pub brand_name: Option<String>,
    pub audience: Vec<Fact>,
    pub offer: Vec<Fact>,
    pub proof: Vec<Fact>,
    pub facts: Vec<Fact>,
    /// The brand's measured voice and the record it was measured in.
    pub voice: Option<(Voice, String)>,
    /// The brand's own calls to action, in the order its pages use them.
    pub calls_to_action: Vec<String>,
    /// How the brand says it should sound (onboarding's interview), put before the measures.
    pub stated_voice: Option<String>,
}

/// One platform's limit, for a social post's brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlatformLimit {
    pub platform: String,
    pub max: u32,
    /// How the platform counts: `characters (links count 23)`, `graphemes`, …
    pub unit: String,
}

/// How the piece should sound: the measured voice of the brand's pages, and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoiceGuide {
    /// Plain instructions derived from the metrics below.
    pub guidance: Vec<String>,
    /// The brand's measured voice; absent when no brand profile is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<Voice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// How long the piece should be, and in what unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Length {
    /// `words`, or `characters` for a social post.
    pub unit: String,
    pub target: u32,
    pub min: u32,
    pub max: u32,
}

/// A check the submitted draft will face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeldTo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
}

/// Everything a writer needs to write the piece.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WritingBrief {
    /// What to write, in one instruction.
    pub task: String,
    /// The angle to take on the topic.
    pub angle: String,
    pub audience: Vec<Fact>,
    /// What the brand sells or promises.
    pub offer: Vec<Fact>,
    /// Evidence the brand's pages give: traction, customers, ratings, testimonials.
    pub proof_points: Vec<Fact>,
    /// Other facts the piece may state (name, address, pages to link).
    pub facts: Vec<Fact>,
    pub voice: VoiceGuide,
    /// The sections to write, in order.
    pub outline: Vec<String>,
    /// The first is the main keyword.
    pub keywords: Vec<String>,
    pub length: Length,
    /// Rules of the format (and, for social, of each platform).
    pub constraints: Vec<String>,
    /// For a post: the networks it is for, each with its limit; the strictest is `length.max`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platform_limits: Vec<PlatformLimit>,
    /// The checks `submit_draft` runs on the text.
    pub checks: Vec<HeldTo>,
    /// A structure to fill, for the formats a template serves well; never finished copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skeleton: Option<String>,
    /// What to do with the written piece.
    pub next_step: String,
}

/// The brief for `brief`, grounded in what the records say; `id` is the item it belongs to.
pub fn build(id: &str, brief: &Brief, grounding: &Grounding, language: &str) -> WritingBrief {
    let topic = brief.topic.trim();
    let brand = grounding.brand_name.as_deref().unwrap_or("the brand");
    let reader = grounding
        .audience
        .first()
        .map(|a| a.text.clone())
        .unwrap_or_else(|| "the brand's prospective customers".into());
    let keywords = if brief.keywords.is_empty() {
        vec![topic.to_lowercase()]
    } else {
        brief.keywords.clone()
    };
    let cta = grounding
        .calls_to_action
        .first()
        .cloned()
        .unwrap_or_else(|| "the one next step that suits the reader".into());
    let length = length(brief);
    let what = what(brief);
    let unit = &length.unit;
    WritingBrief {
        task: format!(
            "Write {what} about \"{topic}\" for {brand}, about {} {unit} ({}–{}), in {}.",
            length.target,
            length.min,
            length.max,
            language_name(language)
        ),
        angle: angle(brief, topic, &reader, brand),
        audience: grounding.audience.clone(),
        offer: grounding.offer.clone(),
        proof_points: grounding.proof.clone(),
        facts: grounding.facts.clone(),
        voice: voice_guide(grounding),
        outline: outline(brief, topic, brand, &cta),
        constraints: constraints(brief, &keywords[0], &cta),
        platform_limits: brief.platform_limits.clone(),
        checks: held_to(brief, &keywords, language),
        skeleton: skeleton(brief, topic),
        next_step: format!(
            "Write the piece yourself from this brief, using only the facts above (invent no \
             figures, prices, customers or quotes), then call submit_draft with {{\"contentId\": \
             \"{id}\", \"title\": …, \"metaDescription\": …, \"body\": \"Markdown\"{}}}. heycmo \
             runs the checks and answers what failed; revise and submit again until they pass, \
             then approve_content.",
            if brief.format == Format::LeadMagnet {
                ", \"landingCopy\": {\"headline\", \"subheadline\", \"bullets\", \"callToAction\"}"
            } else {
                ""
            }
        ),
        keywords,
        length,
    }
}

fn what(brief: &Brief) -> String {
    match (brief.format, brief.lead_magnet) {
        (Format::Blog, _) => "a blog post".into(),
        (Format::Social, _) => "one social media post".into(),
        (Format::Email, _) => "a marketing email (the title is its subject line)".into(),
        (Format::Landing, _) => "the copy of a landing page".into(),
        (Format::LeadMagnet, kind) => format!(
            "a downloadable {} and the copy of the landing page that offers it",
            kind.unwrap_or(LeadMagnetKind::Guide).as_str()
        ),
    }
}

fn language_name(code: &str) -> String {
    match code.get(..2).unwrap_or(code) {
        "en" => "English".into(),
        "de" => "German".into(),
        "fr" => "French".into(),
        "es" => "Spanish".into(),
        "it" => "Italian".into(),
        "nl" => "Dutch".into(),
        "pt" => "Portuguese".into(),
        other => format!("the language of the brand's pages ({other})"),
    }
}

/// The target and its tolerance: the content checks allow 30 % either way; a post's maximum is
/// its strictest platform's.
pub fn length(brief: &Brief) -> Length {
    if brief.format == Format::Social {
        let max = brief
            .platform_limits
            .iter()
            .map(|l| l.max)
            .min()
            .unwrap_or(280);
        return Length {
            unit: "characters".into(),
            target: (max * 3 / 4).min(brief.words * 6),
            min: 40.min(max),
            max,
        };
    }
    let target = brief.words;
    Length {
        unit: "words".into(),
        target,
        min: target * 7 / 10,
        max: target * 13 / 10,
    }
}

fn angle(brief: &Brief, topic: &str, reader: &str, brand: &str) -> String {
    match brief.format {
        Format::Blog => format!(
            "Answer the question behind \"{topic}\" for {reader}: start from their situation, give \
             concrete, checkable advice, and bring in {brand} only where its offer genuinely helps \
             with the problem."
        ),
        Format::Social => format!(
            "One specific, useful idea about \"{topic}\" that {reader} would stop scrolling for; \
             no generic promise, at most one link and one or two relevant hashtags."
        ),
        Format::Email => format!(
            "A short, personal note to {reader} about \"{topic}\": one idea, one reason it matters \
             to them now, one call to action."
        ),
        Format::Landing => format!(
            "Convince {reader} who arrives wanting \"{topic}\": lead with the outcome they want, \
             back it with the proof points below, remove doubt, ask for one action."
        ),
        Format::LeadMagnet => format!(
            "Something {reader} would trade an email address for: practical, specific to \
             \"{topic}\", usable on its own, leading naturally to {brand}."
        ),
    }
}

fn voice_guide(grounding: &Grounding) -> VoiceGuide {
    let stated = grounding
        .stated_voice
        .as_ref()
        .map(|voice| format!("In the brand's own words: {voice}"));
    let Some((voice, source)) = &grounding.voice else {
        let mut guidance: Vec<String> = stated.into_iter().collect();
        guidance.push(
            "No brand profile is stored (analyze_brand_url first for the brand's own voice): \
             write plainly, in short sentences, addressing the reader as \"you\"."
                .into(),
        );
        return VoiceGuide {
            guidance,
            measured: None,
            source: None,
        };
    };
    let mut guidance: Vec<String> = stated.into_iter().collect();
    guidance.push(format!(
        "Match the brand's pages: {} tone, reading level \"{}\", about {:.0} words per sentence.",
        voice.tone, voice.reading_level, voice.avg_sentence_words
    ));
    guidance.push(if voice.second_person_ratio >= 0.02 {
        "Address the reader directly (\"you\", \"your\"), as the pages do.".into()
    } else {
        "The pages rarely address the reader directly: prefer describing to exhorting.".into()
    });
    guidance.push(if voice.exclamation_rate >= 0.05 {
        "An occasional exclamation fits the brand.".into()
    } else {
        "Avoid exclamation marks: the pages almost never use them.".into()
    });
    VoiceGuide {
        guidance,
        measured: Some(voice.clone()),
        source: Some(source.clone()),
    }
}

fn outline(brief: &Brief, topic: &str, brand: &str, cta: &str) -> Vec<String> {
    match (brief.format, brief.lead_magnet) {
        (Format::Blog, _) => vec![
            format!(
                "Introduction: the reader's situation with {topic}, and what this post gives them"
            ),
            "What matters most, and why (the core idea, with a concrete example)".into(),
            "How to do it: the steps, in order".into(),
            "Mistakes to avoid".into(),
            format!("Where {brand} fits (only facts from this brief)"),
            format!("Next step: {cta}"),
        ],
        (Format::Social, _) => vec![
            "Hook: the specific idea, in the first line".into(),
            "One sentence of substance (a tip, a fact from this brief)".into(),
            "Call to action or question; at most one link".into(),
        ],
        (Format::Email, _) => vec![
            "Subject line (the title): specific, under 60 characters".into(),
            "Opening line about the reader, not the brand".into(),
            "The one idea, in two or three short paragraphs".into(),
            format!("Call to action: {cta}"),
        ],
        (Format::Landing, _) => vec![
            "Headline: the outcome the visitor wants".into(),
            "Subheadline: how the offer delivers it".into(),
            "Benefits (three, each concrete)".into(),
            "How it works (three steps)".into(),
            "Proof (from the proof points only)".into(),
            "Objections answered".into(),
            format!("Call to action: {cta}"),
        ],
        (Format::LeadMagnet, kind) => match kind.unwrap_or(LeadMagnetKind::Guide) {
            LeadMagnetKind::Checklist => vec![
                "What this checklist is for and when to use it".into(),
                "The items, grouped by stage".into(),
                "What to do when an item fails".into(),
                format!("Next step with {brand}"),
            ],
            LeadMagnetKind::Guide => vec![
                "Who this guide is for and what they will be able to do".into(),
                "Chapters, each ending in an action".into(),
                "Summary".into(),
                format!("Next step with {brand}"),
            ],
            LeadMagnetKind::Template => vec![
                "How to use this template".into(),
                "The template, with every field explained".into(),
                "A filled-in example".into(),
                format!("Next step with {brand}"),
            ],
            LeadMagnetKind::Quiz => vec![
                "What the quiz tells the reader".into(),
                "The questions, each with scored answers".into(),
                "What each score range means, and what to do".into(),
                format!("Next step with {brand}"),
            ],
        },
    }
}

fn constraints(brief: &Brief, keyword: &str, cta: &str) -> Vec<String> {
    let mut rules = Vec::new();
    if brief.format.is_page() {
        rules.push(format!(
            "Use the main keyword \"{keyword}\" in the title and in the first 100 words."
        ));
        rules.push(
            "Title: 30–60 characters. metaDescription: 70–155 characters, a sentence a searcher \
             would click."
                .into(),
        );
        rules.push(
            "Body in Markdown: one # heading at most (the title is the H1 otherwise), ## for \
             sections in order, descriptive link text (never \"click here\"), alt text on every \
             image."
                .into(),
        );
    }
    match brief.format {
        Format::Social => {
            rules.push("Plain text: no Markdown headings; links written out in full.".into());
            for limit in &brief.platform_limits {
                rules.push(format!(
                    "{}: at most {} {}.",
                    limit.platform, limit.max, limit.unit
                ));
            }
        }
        Format::Email => {
            rules.push(
                "The title is the subject line: at most 60 characters (about 40 show on a \
                 phone), in sentence case, no clickbait."
                    .into(),
            );
            rules.push(
                "metaDescription is the preview text clients show next to the subject: at most \
                 140 characters."
                    .into(),
            );
            rules.push(format!(
                "One call to action ({cta}), as a Markdown link to one page."
            ));
        }
        Format::LeadMagnet => rules.push(
            "Also write landingCopy: a headline, a subheadline, three to five bullets and a \
             call to action."
                .into(),
        ),
        _ => {}
    }
    rules.push(
        "State only facts from this brief or common knowledge; no invented statistics, prices, \
         customer names or quotes."
            .into(),
    );
    rules
}

/// The checks the submitted draft will face: those a blank draft is judged by.
fn held_to(brief: &Brief, keywords: &[String], language: &str) -> Vec<HeldTo> {
    let checked = if brief.format == Format::Social {
        Some(check::post("", length(brief).max))
    } else {
        check::check(brief.format, "", "", "", keywords, brief.words, language)
    };
    checked
        .map(|(findings, _)| {
            findings
                .into_iter()
                .map(|f| HeldTo {
                    id: f.id,
                    title: f.title,
                    severity: f.severity,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A skeleton for the formats a template serves well.
fn skeleton(brief: &Brief, topic: &str) -> Option<String> {
    let kind = match (brief.format, brief.lead_magnet) {
        (Format::LeadMagnet, Some(kind)) => kind,
        (Format::Landing, _) => {
            return Some(
                "# [Headline: the outcome]\n\n[Subheadline]\n\n[Call to action button]\n\n## Why \
                 [audience] choose [brand]\n\n- **[Benefit]**: [one sentence]\n- **[Benefit]**: \
                 [one sentence]\n- **[Benefit]**: [one sentence]\n\n## How it works\n\n1. \
                 [Step]\n2. [Step]\n3. [Step]\n\n## [Proof: a figure or a customer's words from \
                 the brief]\n\n## Questions\n\n**[Objection]?** [Answer]\n\n[Call to action]"
                    .into(),
            );
        }
        _ => return None,
    };
    Some(match kind {
        LeadMagnetKind::Checklist => format!(
            "# [Title about {topic}]\n\n[Who it is for, when to use it: one paragraph]\n\n## \
             [Stage 1]\n\n- [ ] [Item: a concrete, checkable action]\n- [ ] [Item]\n\n## \
             [Stage 2]\n\n- [ ] [Item]\n- [ ] [Item]\n\n## If an item fails\n\n[What to do]\n\n## \
             Next step\n\n[Call to action]"
        ),
        LeadMagnetKind::Template => format!(
            "# [Title about {topic}]\n\n## How to use it\n\n[Two or three sentences]\n\n## The \
             template\n\n| Field | What to write | Example |\n|---|---|---|\n| [Field] | \
             [Guidance] | [Example] |\n\n## A filled-in example\n\n[Example]\n\n## Next \
             step\n\n[Call to action]"
        ),
        LeadMagnetKind::Quiz => format!(
            "# [Title about {topic}]\n\n[What the score tells the reader]\n\n## Questions\n\n1. \
             [Question]\n   - [Answer] (0 points)\n   - [Answer] (1 point)\n   - [Answer] (2 \
             points)\n\n## Your score\n\n- **0–[n]**: [meaning, what to do]\n- **[n]–[m]**: \
             [meaning, what to do]\n\n## Next step\n\n[Call to action]"
        ),
        LeadMagnetKind::Guide => return None,
    })
}
