//! `analyze_brand_url`: onboard a brand from its website.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::brand::{self, BrandProfile};
use crate::changes::Record;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// The brand's website, usually its home page: an http(s) URL or a bare domain.
    #[schemars(length(min = 1, max = 2048))]
    pub url: String,
    /// Same-site pages to read besides the home page (navigation first, then the sitemap),
    /// 0 to 20; default 5.
    #[schemars(range(min = 0, max = 20))]
    pub max_pages: Option<usize>,
}

pub struct AnalyzeBrandUrl;

impl Tool for AnalyzeBrandUrl {
    type Input = Input;
    type Output = BrandProfile;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<BrandProfile, Error> {
        let url = ctx.fetcher.parse(&input.url)?;
        let extra = input
            .max_pages
            .unwrap_or(brand::DEFAULT_PAGES)
            .min(brand::MAX_PAGES);
        ctx.progress(
            0.0,
            None,
            format!("reading {url} and up to {extra} more pages"),
        )
        .await;
        let mut profile = brand::analyze(&ctx.fetcher, &url, extra).await?;
        let json = serde_json::to_string(&profile).map_err(|e| Error::Internal(e.to_string()))?;
        let version = ctx
            .store
            .save_brand(
                &ctx.principal.customer.id,
                &profile.url,
                profile.name.as_deref(),
                json,
                ctx.clock.now_millis(),
            )
            .await?;
        profile.version = Some(version);
        ctx.record_changed(Record::Brand);
        Ok(profile)
    }

    fn render(&self, profile: &BrandProfile) -> String {
        render(profile)
    }
}

/// The readable summary of a profile, shared with `get_brand_profile`.
pub(crate) fn render(p: &BrandProfile) -> String {
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
