//! The questions asked when the caller gives none: built from the brand profile's key phrases
//! and audience, the way a buyer who does not know the brand yet would ask.

/// Most queries in one run.
pub const MAX_QUERIES: usize = 20;
/// Key phrases a default set is built from.
const PHRASES: usize = 5;

/// The audience as a noun phrase: "for small teams" → "small teams".
fn noun_phrase(text: &str) -> Option<String> {
    let lower = text.trim().trim_end_matches('.').to_lowercase();
    let stripped = [
        "for ",
        "trusted by ",
        "built for ",
        "made for ",
        "loved by ",
    ]
    .iter()
    .find_map(|prefix| lower.strip_prefix(prefix))
    .unwrap_or(&lower)
    .trim();
    (!stripped.is_empty() && stripped.split_whitespace().count() <= 6).then(|| stripped.to_owned())
}

/// The default queries for `brand` from the profile's key phrases (best first) and audience:
/// "best … for …", "… alternatives" and "how to …", deterministic, at most [`MAX_QUERIES`].
pub fn defaults(
    brand: &str,
    competitors: &[String],
    key_phrases: &[String],
    audience: &[String],
) -> Vec<String> {
    let brand_lower = brand.to_lowercase();
    let phrases: Vec<String> = key_phrases
        .iter()
        .map(|k| k.trim().to_lowercase())
        .filter(|p| !p.is_empty() && !p.contains(&brand_lower))
        .take(PHRASES)
        .collect();
    let audiences: Vec<String> = audience.iter().filter_map(|a| noun_phrase(a)).collect();
    let mut queries = Vec::new();
    for (i, phrase) in phrases.iter().enumerate() {
        queries.push(format!("best {phrase}"));
        if let Some(audience) = (!audiences.is_empty()).then(|| &audiences[i % audiences.len()]) {
            queries.push(format!("best {phrase} for {audience}"));
        }
        queries.push(format!("how to choose {phrase}"));
    }
    if let Some(category) = phrases.first() {
        queries.push(format!("{category} alternatives"));
    }
    queries.push(format!("{brand} alternatives"));
    for competitor in competitors.iter().take(3) {
        queries.push(format!("{competitor} alternatives"));
    }
    let mut seen = std::collections::HashSet::new();
    queries.retain(|q| seen.insert(q.clone()));
    queries.truncate(MAX_QUERIES);
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_ask_as_a_buyer_would_and_leave_the_brand_out() {
        let queries = defaults(
            "Café Noir",
            &strings(&["Blue Bottle"]),
            &strings(&[
                "Specialty coffee beans",
                "café noir club",
                "coffee subscription",
            ]),
            &strings(&["for home baristas"]),
        );
        assert_eq!(
            queries,
            [
                "best specialty coffee beans",
                "best specialty coffee beans for home baristas",
                "how to choose specialty coffee beans",
                "best coffee subscription",
                "best coffee subscription for home baristas",
                "how to choose coffee subscription",
                "specialty coffee beans alternatives",
                "Café Noir alternatives",
                "Blue Bottle alternatives",
            ]
        );
    }

    #[test]
    fn defaults_are_capped() {
        let phrases: Vec<String> = (0..30).map(|i| format!("phrase {i}")).collect();
        let competitors: Vec<String> = (0..10).map(|i| format!("Rival {i}")).collect();
        let queries = defaults(
            "Brand",
            &competitors,
            &phrases,
            &strings(&["for a", "for b"]),
        );
        assert_eq!(queries.len(), MAX_QUERIES);
    }
}
