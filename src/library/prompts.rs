//! The marketing prompts: getting started with a brand, and a week's content plan. They name
//! tools, so they belong with the product, not with the MCP handler.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CacheScope, GetPromptResult, JsonObject, ListPromptsResult, Prompt, PromptArgument,
    PromptMessage, Role,
};

use crate::mcp::library::PromptOutcome;

/// How long clients may cache the list.
const TTL_MS: u64 = 5 * 60 * 1000;

const GETTING_STARTED: &str = "getting_started";
const WEEKLY_PLAN: &str = "weekly_content_plan";
const BRAND_INTERVIEW: &str = "brand_interview";

/// The prompts' names, arguments and descriptions.
pub fn list() -> ListPromptsResult {
    let mut argument = PromptArgument::new("website");
    argument.description = Some("The brand's website, if known".into());
    argument.required = Some(false);
    let prompt = Prompt::new(
        GETTING_STARTED,
        Some(
            "Start working with HeyCMO for a brand: check the account and see what the tools can do",
        ),
        Some(vec![argument]),
    );
    let optional = |name: &str, description: &str| {
        let mut argument = PromptArgument::new(name);
        argument.description = Some(description.into());
        argument.required = Some(false);
        argument
    };
    let plan = Prompt::new(
        WEEKLY_PLAN,
        Some(
            "Plan and draft this week's content for the brand, grounded in its profile and audits",
        ),
        Some(vec![
            optional(
                "focus",
                "A theme, product or campaign to centre the week on",
            ),
            optional(
                "channels",
                "Where it will run, such as \"blog, linkedin, email\"",
            ),
        ]),
    );
    let interview = Prompt::new(
        BRAND_INTERVIEW,
        Some(
            "Interview the person about the brand (voice, audience, competitors, offers, ideal customer) and save the answers for onboarding",
        ),
        None,
    );
    ListPromptsResult::with_all_items(vec![prompt, plan, interview])
        .with_ttl_ms(TTL_MS)
        .with_cache_scope(CacheScope::Public)
}

/// Builds prompt `name`; `tools` are the names the getting-started prompt lists.
pub fn build<'a>(
    name: &str,
    arguments: &JsonObject,
    tools: impl Iterator<Item = &'a str>,
) -> Result<PromptOutcome, McpError> {
    let argument = |key: &str| {
        arguments
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    if name == WEEKLY_PLAN {
        let mut text = String::from(
            "Plan this week's content for the brand with HeyCMO. 1) Read the brand with \
                 get_brand_profile (if there is none, ask for the website and run analyze_brand_url). \
                 2) Check what is in the pipeline with list_content, and the latest audits with \
                 list_audits. 3) Propose five pieces for the week, each with a topic, format, main \
                 keyword and the reason it matters now (gaps the audits found count). 4) Once agreed, \
                 draft each with run_content_creation (or generate_lead_magnet), and report the \
                 drafts' on-page scores and what to fix before approving.",
        );
        if let Some(focus) = argument("focus") {
            text.push_str(&format!(" Centre the week on: {focus}."));
        }
        if let Some(channels) = argument("channels") {
            text.push_str(&format!(" Channels: {channels}."));
        }
        return Ok(PromptOutcome::Complete(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description("This week's content plan"),
        ));
    }
    if name == BRAND_INTERVIEW {
        let text = format!(
            "Run the brand interview for HeyCMO's onboarding. First call get_onboarding: if it is \
             not_started, call start_onboarding (with the brand's website as url if the person \
             gives one). Then ask the person the questions below that get_onboarding does not show \
             as answered, one or two at a time, in plain words, and save each answer as it comes \
             with answer_onboarding (the field is in brackets; lists are arrays). Do not invent \
             answers: skip a question the person cannot answer. When all are saved, summarise \
             what was recorded and suggest connect_channel for the accounts to publish to.\n\n{}",
            crate::onboarding::interview_text()
        );
        return Ok(PromptOutcome::Complete(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description("The brand interview"),
        ));
    }
    let website = argument("website");
    if name != GETTING_STARTED {
        return Err(McpError::invalid_params(format!("No prompt {name}"), None));
    }
    let tools: Vec<&str> = tools.collect();
    let mut text = format!(
        "You are working as this brand's marketing team through HeyCMO. First call get_account to \
             confirm the account; if it has no brand yet, run analyze_brand_url on the brand's website, \
             which every writing tool draws on. list_events shows what has happened recently. The \
             tools available are: {}. Read heycmo://tools/<name> for any tool's contract; the brand \
             profile is heycmo://brand and each content item heycmo://content/<id>.",
        tools.join(", ")
    );
    if let Some(site) = website {
        text.push_str(&format!(" The brand's website is {site}."));
    }
    Ok(PromptOutcome::Complete(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description("Getting started with HeyCMO"),
    ))
}
