//! XML sitemaps (sitemaps.org): a `<urlset>` of page URLs or a `<sitemapindex>` of sitemaps.

use quick_xml::Reader;
use quick_xml::events::Event;

/// What a sitemap file holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sitemap {
    /// `true` for a `<sitemapindex>`, whose `locs` are further sitemaps.
    pub is_index: bool,
    pub locs: Vec<String>,
    /// `<lastmod>` values, for freshness.
    pub lastmods: Vec<String>,
}

/// Most URLs one sitemap may list (sitemaps.org).
pub const MAX_URLS: usize = 50_000;

/// Parses a sitemap; the error says why it is not one.
pub fn parse(xml: &str) -> Result<Sitemap, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut sitemap = Sitemap::default();
    let mut root: Option<String> = None;
    // The field being read and its text so far (entity references arrive as events of their own).
    let mut current: Option<(&'static str, String)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(element)) => {
                let local = element.local_name();
                let name = local.as_ref().to_ascii_lowercase();
                if root.is_none() {
                    match name.as_str() {
                        "urlset" => {}
                        "sitemapindex" => sitemap.is_index = true,
                        other => {
                            return Err(format!(
                                "the root element is <{other}>, not <urlset> or <sitemapindex>"
                            ));
                        }
                    }
                    root = Some(name);
                    continue;
                }
                current = match name.as_str() {
                    "loc" => Some(("loc", String::new())),
                    "lastmod" => Some(("lastmod", String::new())),
                    _ => None,
                };
            }
            Ok(Event::Text(text)) => {
                if let Some((_, value)) = current.as_mut() {
                    value.push_str(&text.into_inner());
                }
            }
            Ok(Event::CData(data)) => {
                if let Some((_, value)) = current.as_mut() {
                    value.push_str(&data.into_inner());
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                if let Some((_, value)) = current.as_mut() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => quick_xml::escape::resolve_predefined_entity(&reference)
                            .ok_or_else(|| format!("unknown entity &{};", &*reference))?
                            .to_owned(),
                    };
                    value.push_str(&resolved);
                }
            }
            Ok(Event::End(_)) => match current.take() {
                Some(("loc", value)) => sitemap.locs.push(value.trim().to_owned()),
                Some((_, value)) => sitemap.lastmods.push(value.trim().to_owned()),
                None => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.error_position()
                ));
            }
            Ok(_) => {}
        }
    }
    if root.is_none() {
        return Err("no XML elements at all".into());
    }
    if sitemap.locs.len() > MAX_URLS {
        return Err(format!(
            "{} URLs, more than the {MAX_URLS} a sitemap may list",
            sitemap.locs.len()
        ));
    }
    Ok(sitemap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_sets_and_indexes() {
        let set = parse(r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://a.example/ </loc><lastmod>2026-01-01</lastmod></url><url><loc>https://a.example/b?x=1&amp;y=2</loc></url></urlset>"#).unwrap();
        assert!(!set.is_index);
        assert_eq!(
            set.locs,
            vec!["https://a.example/", "https://a.example/b?x=1&y=2"]
        );
        assert_eq!(set.lastmods, vec!["2026-01-01"]);
        let index = parse(
            "<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>",
        )
        .unwrap();
        assert!(index.is_index);
        assert_eq!(index.locs.len(), 1);
    }

    #[test]
    fn broken_files_say_why() {
        assert!(
            parse("<html><body>Not found</body></html>")
                .unwrap_err()
                .contains("<html>")
        );
        assert!(
            parse("<urlset><url><loc>x</url></urlset>")
                .unwrap_err()
                .contains("well-formed")
        );
        assert!(parse("just text").is_err());
    }
}
