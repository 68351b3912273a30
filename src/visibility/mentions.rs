//! Where a brand and its competitors are named in an answer: case- and diacritics-insensitive,
//! on word boundaries, with character offsets into the answer as written.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Characters either side of the first mention in its excerpt.
const EXCERPT_CONTEXT: usize = 120;

/// Text folded for matching: lower case, accents dropped, each folded character remembering
/// which character of the original it came from.
struct Folded {
    chars: Vec<char>,
    origin: Vec<usize>,
}

fn fold(text: &str) -> Folded {
    let mut folded = Folded {
        chars: Vec::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    for (index, c) in text.chars().enumerate() {
        decompose_canonical(c, |part| {
            if !is_combining_mark(part) {
                for lower in part.to_lowercase() {
                    folded.chars.push(lower);
                    folded.origin.push(index);
                }
            }
        });
    }
    folded
}

/// A name folded for matching; empty names match nothing.
fn folded_name(name: &str) -> Vec<char> {
    let words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
    fold(&words.join(" ")).chars
}

/// Where `needle` occurs in `hay` on word boundaries: folded start and end positions.
fn occurrences(hay: &[char], needle: &[char]) -> Vec<(usize, usize)> {
    let (first, last) = match (needle.first(), needle.last()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => return Vec::new(),
    };
    let mut found = Vec::new();
    if needle.len() > hay.len() {
        return found;
    }
    for start in 0..=hay.len() - needle.len() {
        let end = start + needle.len();
        if hay[start..end] != *needle {
            continue;
        }
        let open = !first.is_alphanumeric() || start == 0 || !hay[start - 1].is_alphanumeric();
        let close = !last.is_alphanumeric() || end == hay.len() || !hay[end].is_alphanumeric();
        if open && close {
            found.push((start, end));
        }
    }
    found
}

/// Who is looked for: the brand by its name and aliases, and each competitor by its name.
pub struct Names {
    brand: Vec<Vec<char>>,
    competitors: Vec<(String, Vec<char>)>,
}

impl Names {
    pub fn new(brand: &str, aliases: &[String], competitors: &[String]) -> Names {
        Names {
            brand: std::iter::once(brand)
                .chain(aliases.iter().map(String::as_str))
                .map(folded_name)
                .filter(|n| !n.is_empty())
                .collect(),
            competitors: competitors
                .iter()
                .map(|c| (c.clone(), folded_name(c)))
                .filter(|(_, n)| !n.is_empty())
                .collect(),
        }
    }
}

/// What one answer says of the brand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mentions {
    /// How many times the brand is named (overlapping names, such as an alias inside the name,
    /// count once).
    pub count: u32,
    /// The character offset of the first mention in the answer.
    pub first_offset: Option<usize>,
    /// 1 when the brand is the first brand named; 2 when one competitor is named before it.
    pub rank: Option<u32>,
    /// The competitors named, in the order given.
    pub competitors: Vec<String>,
    /// How many times each of them is named, in the same order.
    pub competitor_counts: Vec<u32>,
    /// The text around the first mention.
    pub excerpt: Option<String>,
}

/// The mentions of `names` in `text`.
pub fn find(text: &str, names: &Names) -> Mentions {
    let folded = fold(text);
    let mut spans: Vec<(usize, usize)> = names
        .brand
        .iter()
        .flat_map(|name| occurrences(&folded.chars, name))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.0 < last.1 => last.1 = last.1.max(span.1),
            _ => merged.push(span),
        }
    }
    let mut mentions = Mentions::default();
    let mut competitor_firsts = Vec::new();
    for (name, needle) in &names.competitors {
        let found = occurrences(&folded.chars, needle);
        if let Some(first) = found.first() {
            mentions.competitors.push(name.clone());
            mentions.competitor_counts.push(found.len() as u32);
            competitor_firsts.push(first.0);
        }
    }
    mentions.count = merged.len() as u32;
    if let Some(&(start, end)) = merged.first() {
        let before = competitor_firsts.iter().filter(|&&f| f < start).count();
        mentions.rank = Some(before as u32 + 1);
        let from = folded.origin[start];
        let to = folded.origin[end - 1] + 1;
        mentions.first_offset = Some(from);
        mentions.excerpt = Some(excerpt(text, from, to));
    }
    mentions
}

/// The text from `from` to `to` (characters) with some context either side, cut at spaces.
fn excerpt(text: &str, from: usize, to: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut start = from.saturating_sub(EXCERPT_CONTEXT);
    let mut end = (to + EXCERPT_CONTEXT).min(chars.len());
    if start > 0 {
        start = (start..from)
            .find(|&i| chars[i].is_whitespace())
            .map_or(start, |i| i + 1);
    }
    if end < chars.len() {
        end = (to..end)
            .rev()
            .find(|&i| chars[i].is_whitespace())
            .unwrap_or(end);
    }
    let body: String = chars[start..end].iter().collect();
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{}{body}{}",
        if start > 0 { "…" } else { "" },
        if end < chars.len() { "…" } else { "" }
    )
}

/// Whether `url` is on `domain` or one of its subdomains (`www.` ignored).
pub fn on_domain(url: &str, domain: &str) -> bool {
    let domain = domain.trim_start_matches("www.").to_ascii_lowercase();
    let Some(host) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(
            "Café Noir",
            &["CafeNoir".into()],
            &["Blue Bottle".into(), "Acme".into()],
        )
    }

    #[test]
    fn mentions_ignore_case_and_accents_on_word_boundaries() {
        let text = "For beans, try BLUE BOTTLE or cafe noir. Cafénoirish is not it; CafeNoir is.";
        let found = find(text, &names());
        assert_eq!(found.count, 2, "{found:?}");
        assert_eq!(found.rank, Some(2), "Blue Bottle came first");
        assert_eq!(found.competitors, ["Blue Bottle"]);
        assert_eq!(found.competitor_counts, [1]);
        let offset = found.first_offset.unwrap();
        assert_eq!(
            text.chars().skip(offset).take(10).collect::<String>(),
            "cafe noir."
        );
        assert_eq!(found.excerpt.as_deref(), Some(text));
    }

    #[test]
    fn offsets_count_characters_of_the_original() {
        // "é" written as e + combining acute: two characters in the answer, one when folded.
        let text = "Caf\u{65}\u{301} au lait, then Café Noir.";
        let found = find(text, &names());
        assert_eq!(found.first_offset, Some(20));
        assert_eq!(found.rank, Some(1));
    }

    #[test]
    fn no_mention_is_no_rank_and_no_excerpt() {
        let found = find("Acme and Acme again.", &names());
        assert_eq!(found.count, 0);
        assert_eq!(found.rank, None);
        assert_eq!(found.excerpt, None);
        assert_eq!(found.competitor_counts, [2]);
    }

    #[test]
    fn excerpts_are_cut_at_spaces_with_marks() {
        let text = format!("{} Café Noir {}", "word ".repeat(60), "tail ".repeat(60));
        let excerpt = find(&text, &names()).excerpt.unwrap();
        assert!(
            excerpt.starts_with("…word") && excerpt.ends_with("tail…"),
            "{excerpt}"
        );
        assert!(excerpt.contains("Café Noir"));
        assert!(excerpt.chars().count() < 2 * EXCERPT_CONTEXT + 20);
    }

    #[test]
    fn domains_match_hosts_and_subdomains_only() {
        assert!(on_domain(
            "https://www.cafenoir.example/menu",
            "cafenoir.example"
        ));
        assert!(on_domain(
            "https://blog.cafenoir.example/",
            "www.cafenoir.example"
        ));
        assert!(!on_domain(
            "https://notcafenoir.example/",
            "cafenoir.example"
        ));
        assert!(!on_domain("not a url", "cafenoir.example"));
    }
}
