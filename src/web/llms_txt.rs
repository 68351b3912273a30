//! The llms.txt format (llmstxt.org): a Markdown file at the site root that tells language models
//! what the site is. In order: one H1 with the site's name (required), a blockquote summary,
//! optional free text, then H2 sections whose bodies are lists of `[name](url): notes` links.

/// What an llms.txt file holds, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LlmsTxt {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// H2 section names with the number of links each lists.
    pub sections: Vec<(String, usize)>,
    pub problems: Vec<String>,
}

impl LlmsTxt {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn links(&self) -> usize {
        self.sections.iter().map(|(_, n)| n).sum()
    }
}

/// Reads an llms.txt file; problems are collected, never fatal.
pub fn parse(text: &str) -> LlmsTxt {
    let mut file = LlmsTxt::default();
    let mut in_fence = false;
    for (number, raw) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        let line = raw.trim();
        if line.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || line.is_empty() {
            continue;
        }
        if let Some(title) = line.strip_prefix("# ") {
            if file.title.is_some() {
                file.problems.push(format!(
                    "line {number}: a second H1; there must be exactly one"
                ));
            } else if !file.sections.is_empty() || file.summary.is_some() {
                file.problems
                    .push(format!("line {number}: the H1 must come first"));
            }
            file.title.get_or_insert_with(|| title.trim().to_owned());
        } else if let Some(section) = line.strip_prefix("## ") {
            file.sections.push((section.trim().to_owned(), 0));
        } else if let Some(quote) = line.strip_prefix('>') {
            if file.sections.is_empty() {
                let summary = file.summary.get_or_insert_with(String::new);
                if !summary.is_empty() {
                    summary.push(' ');
                }
                summary.push_str(quote.trim());
            }
        } else if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            if let Some((_, count)) = file.sections.last_mut() {
                if is_link_item(item) {
                    *count += 1;
                } else {
                    file.problems.push(format!(
                        "line {number}: list items in sections should be [name](url) links"
                    ));
                }
            }
        } else if file.title.is_none() {
            file.problems
                .push(format!("line {number}: text before the H1 title"));
        }
    }
    if file.title.is_none() {
        file.problems
            .insert(0, "no H1 title (the one required part)".into());
    }
    if file.summary.is_none() {
        file.problems
            .push("no blockquote summary after the title".into());
    }
    if file.sections.is_empty() {
        file.problems.push("no H2 sections listing links".into());
    }
    file
}

/// `[name](url)` optionally followed by `: notes`.
fn is_link_item(item: &str) -> bool {
    let Some(rest) = item.trim().strip_prefix('[') else {
        return false;
    };
    let Some((_, after)) = rest.split_once("](") else {
        return false;
    };
    after
        .split_once(')')
        .is_some_and(|(url, _)| !url.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_file() {
        let f = parse(
            "# Acme\n\n> Boots that last.\n\nWe make boots.\n\n## Docs\n\n- [Sizing](https://acme.example/sizing.md): how to pick a size\n- [Care](https://acme.example/care.md)\n\n## Optional\n\n- [Blog](https://acme.example/blog)\n",
        );
        assert!(f.is_valid(), "{:?}", f.problems);
        assert_eq!(f.title.as_deref(), Some("Acme"));
        assert_eq!(f.summary.as_deref(), Some("Boots that last."));
        assert_eq!(f.sections, vec![("Docs".into(), 2), ("Optional".into(), 1)]);
        assert_eq!(f.links(), 3);
    }

    #[test]
    fn malformed_files_say_what_is_wrong() {
        let f = parse("Welcome to our site\n## Links\n- not a link\n");
        assert!(!f.is_valid());
        assert!(f.problems[0].contains("no H1"));
        assert!(f.problems.iter().any(|p| p.contains("text before the H1")));
        assert!(f.problems.iter().any(|p| p.contains("[name](url)")));
        assert!(f.problems.iter().any(|p| p.contains("blockquote")));
        assert!(!parse("<html><body>404</body></html>").is_valid());
    }
}
