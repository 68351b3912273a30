//! How a content item reads in a tool's text answer: a brief as the instructions it is, a
//! draft with its checks first, so failures are read before the text.

use super::brief::{Fact, WritingBrief};
use super::{ContentItem, State};

impl ContentItem {
    /// The readable form of an item, which every content tool answers with.
    pub fn render(&self) -> String {
        let item = self;
        let head = format!(
            "{} {} ({}, {}, revision {}, engine {})",
            item.id,
            item.state.as_str(),
            item.format.as_str(),
            item.slug,
            item.revision,
            item.engine
        );
        if item.state == State::Brief
            && let Some(brief) = &item.brief
        {
            return format!(
                "{head}\nNOTHING IS WRITTEN YET: no language model is available to heycmo (the \
                 client offers no MCP sampling and the server has no --llm), so this is a writing \
                 brief, not copy. It cannot be approved until a text is handed in.\n\n{}",
                brief.render()
            );
        }
        let checks = item
            .seo
            .as_ref()
            .map(|s| {
                let failed: Vec<String> = s
                    .findings
                    .iter()
                    .filter(|f| !f.passed)
                    .map(|f| {
                        format!(
                            "- Not met: {} ({}) — seen: {}. Fix: {}",
                            f.title,
                            f.id,
                            f.evidence,
                            f.fix.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                if failed.is_empty() {
                    format!(
                        "\nChecks: all {} passed ({}/100)",
                        s.findings.len(),
                        s.score
                    )
                } else {
                    format!(
                        "\nCHECKS FAILED: {} of {} ({}/100). Revise before approving:\n{}",
                        failed.len(),
                        s.findings.len(),
                        s.score,
                        failed.join("\n")
                    )
                }
            })
            .unwrap_or_default();
        format!(
            "{head}{checks}\nTitle: {}\nMeta description: {}\nKeywords: {}\nReadability: {} ({})\n\n{}",
            item.title,
            item.meta_description,
            item.keywords.join(", "),
            item.readability.reading_ease,
            item.readability.reading_level,
            item.body
        )
    }
}

fn facts(title: &str, facts: &[Fact], none: &str) -> String {
    let mut text = format!("\n## {title}\n");
    if facts.is_empty() {
        text.push_str(&format!("{none}\n"));
    }
    for fact in facts {
        text.push_str(&format!("- {} [{}]\n", fact.text, fact.source));
    }
    text
}

fn list(title: &str, items: &[String]) -> String {
    let mut text = format!("\n## {title}\n");
    for item in items {
        text.push_str(&format!("- {item}\n"));
    }
    text
}

impl WritingBrief {
    /// The brief as Markdown instructions, each fact with its source in brackets.
    pub fn render(&self) -> String {
        let none =
            "(nothing stored: analyze_brand_url and cro_audit on the brand's site fill this)";
        let mut text = format!(
            "# Writing brief\n\n## Task\n{}\n\n## Angle\n{}\n",
            self.task, self.angle
        );
        text.push_str(&facts("Audience", &self.audience, none));
        text.push_str(&facts("Offer", &self.offer, none));
        text.push_str(&facts("Proof points", &self.proof_points, none));
        text.push_str(&facts("Facts", &self.facts, none));
        let mut voice = self.voice.guidance.clone();
        if let Some(source) = &self.voice.source {
            voice.push(format!("[{source}]"));
        }
        text.push_str(&list("Voice", &voice));
        text.push_str(&list("Outline", &self.outline));
        text.push_str(&format!(
            "\n## Keywords\n{}\n\n## Length\n{} {} (between {} and {})\n",
            self.keywords.join(", "),
            self.length.target,
            self.length.unit,
            self.length.min,
            self.length.max
        ));
        text.push_str(&list("Constraints", &self.constraints));
        let checks: Vec<String> = self
            .checks
            .iter()
            .map(|c| {
                let severity = format!("{:?}", c.severity).to_lowercase();
                format!("{} ({}, {severity})", c.title, c.id)
            })
            .collect();
        if !checks.is_empty() {
            text.push_str(&list("Checks the draft will be held to", &checks));
        }
        if let Some(skeleton) = &self.skeleton {
            text.push_str(&format!(
                "\n## Skeleton to fill (a structure, not copy)\n```markdown\n{skeleton}\n```\n"
            ));
        }
        text.push_str(&format!("\n## Next step\n{}\n", self.next_step));
        text
    }
}
