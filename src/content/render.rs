//! How a content item reads in a tool's text answer.

use super::ContentItem;

impl ContentItem {
    /// The readable form of an item, which every content tool answers with.
    pub fn render(&self) -> String {
        let item = self;
        let seo = item
            .seo
            .as_ref()
            .map(|s| {
                let failed: Vec<&str> = s
                    .findings
                    .iter()
                    .filter(|f| !f.passed)
                    .map(|f| f.title.as_str())
                    .collect();
                format!(
                    "\nOn-page checks: {}/100{}",
                    s.score,
                    if failed.is_empty() {
                        String::new()
                    } else {
                        format!("; to fix: {}", failed.join("; "))
                    }
                )
            })
            .unwrap_or_default();
        format!(
            "{} {} ({}, {}, revision {}, engine {})\nTitle: {}\nMeta description: {}\nKeywords: {}\nReadability: {} ({}){seo}\n\n{}",
            item.id,
            item.state.as_str(),
            item.format.as_str(),
            item.slug,
            item.revision,
            item.engine,
            item.title,
            item.meta_description,
            item.keywords.join(", "),
            item.readability.reading_ease,
            item.readability.reading_level,
            item.body
        )
    }
}
