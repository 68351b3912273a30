//! The fit score: how well a lead matches the customer's ideal customer profile, 0 to 100, each
//! rule's part explained. Only the rules the profile sets count, so a profile of industries
//! alone scores on industry alone.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Fields, email_domain};

/// Free-mail providers, excluded unless the profile names its own list.
pub const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
];

/// A range of company sizes; either end may be open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Employees {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// The customer's ideal customer profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Icp {
    /// Industries sold to ("SaaS" matches "B2B SaaS"); 30 points.
    #[serde(default)]
    #[schemars(length(max = 50), inner(length(min = 1, max = 100)))]
    pub industries: Vec<String>,
    /// Company sizes sold to; 25 points.
    #[serde(default)]
    #[schemars(length(max = 10))]
    pub employees: Vec<Employees>,
    /// Words in the titles of buyers ("marketing", "growth"); 20 points.
    #[serde(default)]
    #[schemars(length(max = 50), inner(length(min = 1, max = 100)))]
    pub titles: Vec<String>,
    /// Seniority words in their titles ("head", "director", "vp", "founder"); 15 points.
    #[serde(default)]
    #[schemars(length(max = 50), inner(length(min = 1, max = 100)))]
    pub seniority: Vec<String>,
    /// Countries sold to, ISO 3166-1 alpha-2 (FR, US); 10 points.
    #[serde(default)]
    #[schemars(length(max = 250), inner(regex(pattern = r"^[A-Za-z]{2}$")))]
    pub countries: Vec<String>,
    /// Email domains that are never a fit (default: the free-mail providers).
    #[schemars(length(max = 500), inner(length(min = 3, max = 253)))]
    pub excluded_domains: Option<Vec<String>>,
    /// Days for an intent signal's points to halve, 1 to 365 (default 14).
    #[schemars(range(min = 1, max = 365))]
    pub intent_half_life_days: Option<u32>,
}

impl Icp {
    /// Whether any scoring rule is set.
    pub fn has_rules(&self) -> bool {
        !(self.industries.is_empty()
            && self.employees.is_empty()
            && self.titles.is_empty()
            && self.seniority.is_empty()
            && self.countries.is_empty())
    }

    pub fn half_life_days(&self) -> u32 {
        self.intent_half_life_days.unwrap_or(14).clamp(1, 365)
    }

    fn excluded(&self, domain: &str) -> bool {
        match &self.excluded_domains {
            Some(list) => list.iter().any(|d| d.eq_ignore_ascii_case(domain)),
            None => FREE_MAIL.contains(&domain),
        }
    }
}

/// One rule's part of a fit score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    pub rule: String,
    pub points: u32,
    /// The points the rule can give.
    pub of: u32,
    pub why: String,
}

/// A fit score with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fit {
    pub score: u32,
    pub contributions: Vec<Contribution>,
}

/// Whether `word` occurs in `text` as whole words, ignoring case.
fn has_words(text: &str, word: &str) -> bool {
    let text = format!(" {} ", normalise(text));
    text.contains(&format!(" {} ", normalise(word)))
}

fn normalise(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fit of a lead with `email` and `fields` to `icp`.
pub fn fit(icp: &Icp, email: &str, fields: &Fields) -> Fit {
    let domain = email_domain(email);
    if icp.excluded(domain) {
        return Fit {
            score: 0,
            contributions: vec![Contribution {
                rule: "excludedDomain".into(),
                points: 0,
                of: 0,
                why: format!("{domain} is an excluded domain: not a company address"),
            }],
        };
    }
    let mut contributions = Vec::new();
    let mut rule = |name: &str, of: u32, matched: Option<String>, missing: Option<String>| {
        let (points, why) = match (matched, missing) {
            (Some(why), _) => (of, why),
            (None, Some(why)) => (0, why),
            (None, None) => (0, "does not match".into()),
        };
        contributions.push(Contribution {
            rule: name.into(),
            points,
            of,
            why,
        });
    };
    if !icp.industries.is_empty() {
        match &fields.industry {
            None => rule("industry", 30, None, Some("no industry known".into())),
            Some(industry) => {
                let found = icp
                    .industries
                    .iter()
                    .find(|i| has_words(industry, i) || has_words(i, industry));
                rule(
                    "industry",
                    30,
                    found.map(|i| format!("{industry} is in {i}")),
                    Some(format!("{industry} is not an industry of the profile")),
                )
            }
        }
    }
    if !icp.employees.is_empty() {
        match fields.employees {
            None => rule("employees", 25, None, Some("no company size known".into())),
            Some(count) => {
                let found = icp.employees.iter().find(|r| {
                    r.min.is_none_or(|min| count >= min) && r.max.is_none_or(|max| count <= max)
                });
                rule(
                    "employees",
                    25,
                    found.map(|r| {
                        format!(
                            "{count} employees is within {}–{}",
                            r.min.map_or("…".into(), |m| m.to_string()),
                            r.max.map_or("…".into(), |m| m.to_string())
                        )
                    }),
                    Some(format!("{count} employees is outside the profile's sizes")),
                )
            }
        }
    }
    for (name, of, words) in [
        ("title", 20, &icp.titles),
        ("seniority", 15, &icp.seniority),
    ] {
        if words.is_empty() {
            continue;
        }
        match &fields.title {
            None => rule(name, of, None, Some("no title known".into())),
            Some(title) => {
                let found = words.iter().find(|w| has_words(title, w));
                rule(
                    name,
                    of,
                    found.map(|w| format!("{title:?} has {w:?}")),
                    Some(format!("{title:?} has none of {}", words.join(", "))),
                )
            }
        }
    }
    if !icp.countries.is_empty() {
        match &fields.country {
            None => rule("country", 10, None, Some("no country known".into())),
            Some(country) => {
                let found = icp
                    .countries
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(country));
                rule(
                    "country",
                    10,
                    found.then(|| format!("{country} is a country of the profile")),
                    Some(format!("{country} is not a country of the profile")),
                )
            }
        }
    }
    let possible: u32 = contributions.iter().map(|c| c.of).sum();
    let earned: u32 = contributions.iter().map(|c| c.points).sum();
    Fit {
        score: if possible == 0 {
            0
        } else {
            (f64::from(earned) * 100.0 / f64::from(possible)).round() as u32
        },
        contributions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icp() -> Icp {
        Icp {
            industries: vec!["SaaS".into()],
            employees: vec![Employees {
                min: Some(10),
                max: Some(500),
            }],
            titles: vec!["marketing".into()],
            seniority: vec!["head".into(), "vp".into()],
            countries: vec!["FR".into()],
            ..Icp::default()
        }
    }

    #[test]
    fn each_rule_adds_its_points_and_says_why() {
        let fields = Fields {
            industry: Some("B2B SaaS".into()),
            employees: Some(120),
            title: Some("Head of Marketing".into()),
            country: Some("DE".into()),
            ..Fields::default()
        };
        let fit = fit(&icp(), "ann@acme.example", &fields);
        assert_eq!(fit.score, 90, "{fit:?}");
        let country = fit
            .contributions
            .iter()
            .find(|c| c.rule == "country")
            .unwrap();
        assert_eq!(country.points, 0);
        assert!(country.why.contains("DE is not"));
        let title = fit
            .contributions
            .iter()
            .find(|c| c.rule == "title")
            .unwrap();
        assert_eq!((title.points, title.of), (20, 20));
    }

    #[test]
    fn unknown_fields_score_nothing_and_free_mail_is_excluded() {
        let fit_unknown = fit(&icp(), "ann@acme.example", &Fields::default());
        assert_eq!(fit_unknown.score, 0);
        assert!(
            fit_unknown
                .contributions
                .iter()
                .all(|c| c.why.starts_with("no "))
        );
        let free = fit(&icp(), "ann@gmail.com", &Fields::default());
        assert_eq!(free.contributions[0].rule, "excludedDomain");
        let own_list = Icp {
            excluded_domains: Some(vec![]),
            ..icp()
        };
        assert_ne!(
            fit(&own_list, "ann@gmail.com", &Fields::default()).contributions[0].rule,
            "excludedDomain"
        );
    }

    #[test]
    fn only_the_rules_set_count() {
        let only_countries = Icp {
            countries: vec!["fr".into()],
            ..Icp::default()
        };
        let fields = Fields {
            country: Some("FR".into()),
            ..Fields::default()
        };
        assert_eq!(fit(&only_countries, "a@b.example", &fields).score, 100);
        assert!(!Icp::default().has_rules());
    }
}
