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

/// Text as its words, lower case, space-padded: `" head of marketing "`, so a word or phrase is
/// found on word boundaries with one `contains`.
fn padded(text: &str) -> String {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    format!(" {} ", words.join(" "))
}

/// A profile ready to score many leads: its words normalised once.
pub struct Prepared<'a> {
    icp: &'a Icp,
    industries: Vec<String>,
    titles: Vec<String>,
    seniority: Vec<String>,
}

/// One rule's outcome: the points it can give, whether it matched, and why (worked out only
/// when the caller wants the explanation).
struct Outcome<'f> {
    rule: &'static str,
    of: u32,
    matched: bool,
    why: Box<dyn Fn() -> String + 'f>,
}

impl<'a> Prepared<'a> {
    pub fn new(icp: &'a Icp) -> Prepared<'a> {
        let all = |words: &[String]| words.iter().map(|w| padded(w)).collect();
        Prepared {
            icp,
            industries: all(&icp.industries),
            titles: all(&icp.titles),
            seniority: all(&icp.seniority),
        }
    }

    /// The fit of a lead with `email` and `fields`; with `explain`, each rule's reason.
    pub fn fit(&self, email: &str, fields: &Fields, explain: bool) -> Fit {
        let icp = self.icp;
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
        let mut outcomes: Vec<Outcome<'_>> = Vec::with_capacity(5);
        if !icp.industries.is_empty() {
            outcomes.push(match &fields.industry {
                None => Outcome {
                    rule: "industry",
                    of: 30,
                    matched: false,
                    why: Box::new(|| "no industry known".into()),
                },
                Some(industry) => {
                    let own = padded(industry);
                    let found = self
                        .industries
                        .iter()
                        .position(|i| own.contains(i.as_str()) || i.contains(own.as_str()));
                    Outcome {
                        rule: "industry",
                        of: 30,
                        matched: found.is_some(),
                        why: Box::new(move || match found {
                            Some(at) => format!("{industry} is in {}", icp.industries[at]),
                            None => format!("{industry} is not an industry of the profile"),
                        }),
                    }
                }
            });
        }
        if !icp.employees.is_empty() {
            outcomes.push(match fields.employees {
                None => Outcome {
                    rule: "employees",
                    of: 25,
                    matched: false,
                    why: Box::new(|| "no company size known".into()),
                },
                Some(count) => {
                    let found = icp.employees.iter().find(|r| {
                        r.min.is_none_or(|min| count >= min) && r.max.is_none_or(|max| count <= max)
                    });
                    Outcome {
                        rule: "employees",
                        of: 25,
                        matched: found.is_some(),
                        why: Box::new(move || match found {
                            Some(r) => format!(
                                "{count} employees is within {}–{}",
                                r.min.map_or("…".into(), |m| m.to_string()),
                                r.max.map_or("…".into(), |m| m.to_string())
                            ),
                            None => format!("{count} employees is outside the profile's sizes"),
                        }),
                    }
                }
            });
        }
        let title = fields.title.as_deref().map(padded);
        for (rule, of, words, originals) in [
            ("title", 20, &self.titles, &icp.titles),
            ("seniority", 15, &self.seniority, &icp.seniority),
        ] {
            if words.is_empty() {
                continue;
            }
            outcomes.push(match (&fields.title, &title) {
                (Some(raw), Some(own)) => {
                    let found = words.iter().position(|w| own.contains(w.as_str()));
                    Outcome {
                        rule,
                        of,
                        matched: found.is_some(),
                        why: Box::new(move || match found {
                            Some(at) => format!("{raw:?} has {:?}", originals[at]),
                            None => format!("{raw:?} has none of {}", originals.join(", ")),
                        }),
                    }
                }
                _ => Outcome {
                    rule,
                    of,
                    matched: false,
                    why: Box::new(|| "no title known".into()),
                },
            });
        }
        if !icp.countries.is_empty() {
            outcomes.push(match &fields.country {
                None => Outcome {
                    rule: "country",
                    of: 10,
                    matched: false,
                    why: Box::new(|| "no country known".into()),
                },
                Some(country) => {
                    let found = icp
                        .countries
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(country));
                    Outcome {
                        rule: "country",
                        of: 10,
                        matched: found,
                        why: Box::new(move || {
                            if found {
                                format!("{country} is a country of the profile")
                            } else {
                                format!("{country} is not a country of the profile")
                            }
                        }),
                    }
                }
            });
        }
        let possible: u32 = outcomes.iter().map(|o| o.of).sum();
        let earned: u32 = outcomes.iter().filter(|o| o.matched).map(|o| o.of).sum();
        Fit {
            score: if possible == 0 {
                0
            } else {
                (f64::from(earned) * 100.0 / f64::from(possible)).round() as u32
            },
            contributions: if explain {
                outcomes
                    .iter()
                    .map(|o| Contribution {
                        rule: o.rule.into(),
                        points: if o.matched { o.of } else { 0 },
                        of: o.of,
                        why: (o.why)(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// The fit of a lead with `email` and `fields` to `icp`, explained.
pub fn fit(icp: &Icp, email: &str, fields: &Fields) -> Fit {
    Prepared::new(icp).fit(email, fields, true)
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
