//! The brand interview: its questions, and the answers as they come, a few at a time.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::leads::fit::{Employees, Icp};

/// One question of the interview.
pub struct Question {
    /// The answer's field.
    pub id: &'static str,
    pub question: &'static str,
    pub hint: &'static str,
    /// A list: answered with items separated by commas.
    pub list: bool,
}

/// The interview, in the order it is asked.
pub const QUESTIONS: &[Question] = &[
    Question {
        id: "voice",
        question: "How should the brand sound?",
        hint: "Three words for the tone, and anything it would never say.",
        list: false,
    },
    Question {
        id: "audience",
        question: "Who is it for?",
        hint: "Their role, their company, and the problem they come with.",
        list: false,
    },
    Question {
        id: "competitors",
        question: "Who do buyers compare it with?",
        hint: "Names, separated by commas.",
        list: true,
    },
    Question {
        id: "offers",
        question: "What does it sell, and what is the first step to buying?",
        hint: "Products or plans, prices, a trial or a demo.",
        list: false,
    },
    Question {
        id: "icpIndustries",
        question: "Which industries are the best customers in?",
        hint: "Separated by commas, such as SaaS, e-commerce.",
        list: true,
    },
    Question {
        id: "icpTitles",
        question: "Which job titles buy it?",
        hint: "Separated by commas, such as head of marketing, founder.",
        list: true,
    },
    Question {
        id: "icpEmployees",
        question: "How many employees does an ideal customer have?",
        hint: "A range such as 11-200, or 50+.",
        list: false,
    },
    Question {
        id: "icpCountries",
        question: "In which countries?",
        hint: "Two-letter codes separated by commas, such as US, GB, DE.",
        list: true,
    },
];

/// The interview's answers. Every field is optional, so answers can come a few at a time;
/// an empty text clears its answer, an absent field keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Answers {
    /// How the brand should sound, in its own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2000))]
    pub voice: Option<String>,
    /// Who the brand is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2000))]
    pub audience: Option<String>,
    /// The brands buyers compare it with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20), inner(length(min = 1, max = 100)))]
    pub competitors: Vec<String>,
    /// What it sells and the first step to buying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2000))]
    pub offers: Option<String>,
    /// Industries of the ideal customer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 50), inner(length(min = 1, max = 100)))]
    pub icp_industries: Vec<String>,
    /// Job titles that buy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 50), inner(length(min = 1, max = 100)))]
    pub icp_titles: Vec<String>,
    /// The ideal customer's size: `11-200`, `50+` or `10`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\s*(\d+\s*(-\s*\d+|\+)?\s*)?$"))]
    pub icp_employees: Option<String>,
    /// ISO 3166 two-letter codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 250), inner(regex(pattern = r"^[A-Za-z]{2}$")))]
    pub icp_countries: Vec<String>,
}

fn is_given(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

impl Answers {
    /// `self` with every answer in `newer` taking the place of the old one.
    pub fn merged(mut self, newer: Answers) -> Answers {
        let text = |old: &mut Option<String>, new: Option<String>| {
            if let Some(new) = new.map(|t| t.trim().to_owned()) {
                *old = (!new.is_empty()).then_some(new);
            }
        };
        let list = |old: &mut Vec<String>, new: Vec<String>| {
            if !new.is_empty() {
                *old = new
                    .into_iter()
                    .map(|item| item.trim().to_owned())
                    .filter(|item| !item.is_empty())
                    .collect();
            }
        };
        text(&mut self.voice, newer.voice);
        text(&mut self.audience, newer.audience);
        list(&mut self.competitors, newer.competitors);
        text(&mut self.offers, newer.offers);
        list(&mut self.icp_industries, newer.icp_industries);
        list(&mut self.icp_titles, newer.icp_titles);
        text(&mut self.icp_employees, newer.icp_employees);
        list(&mut self.icp_countries, newer.icp_countries);
        self
    }

    /// Whether question `id` has an answer.
    pub fn answered(&self, id: &str) -> bool {
        match id {
            "voice" => is_given(&self.voice),
            "audience" => is_given(&self.audience),
            "competitors" => !self.competitors.is_empty(),
            "offers" => is_given(&self.offers),
            "icpIndustries" => !self.icp_industries.is_empty(),
            "icpTitles" => !self.icp_titles.is_empty(),
            "icpEmployees" => is_given(&self.icp_employees),
            "icpCountries" => !self.icp_countries.is_empty(),
            _ => false,
        }
    }

    /// The interview is done when the brand questions are answered and the ideal customer has
    /// at least one rule.
    pub fn complete(&self) -> bool {
        ["voice", "audience", "competitors", "offers"]
            .iter()
            .all(|id| self.answered(id))
            && self.icp().is_some()
    }

    /// The ideal customer profile the answers describe, if they set any rule.
    pub fn icp(&self) -> Option<Icp> {
        let icp = Icp {
            industries: self.icp_industries.clone(),
            titles: self.icp_titles.clone(),
            countries: self
                .icp_countries
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            employees: self
                .icp_employees
                .as_deref()
                .and_then(employee_range)
                .into_iter()
                .collect(),
            ..Icp::default()
        };
        icp.has_rules().then_some(icp)
    }
}

/// `11-200`, `50+`, `10` as a range of employees.
fn employee_range(text: &str) -> Option<Employees> {
    let text = text.trim();
    if let Some(min) = text.strip_suffix('+') {
        return Some(Employees {
            min: Some(min.trim().parse().ok()?),
            max: None,
        });
    }
    let (min, max): (u32, u32) = match text.split_once('-') {
        Some((min, max)) => (min.trim().parse().ok()?, max.trim().parse().ok()?),
        None => {
            let exact = text.parse().ok()?;
            (exact, exact)
        }
    };
    (min <= max).then_some(Employees {
        min: Some(min),
        max: Some(max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_merge_a_few_at_a_time_and_an_empty_text_clears() {
        let first = Answers {
            voice: Some("plain, warm".into()),
            competitors: vec!["Acme".into()],
            ..Answers::default()
        };
        let merged = first.merged(Answers {
            audience: Some(" hikers ".into()),
            voice: Some(" ".into()),
            ..Answers::default()
        });
        assert_eq!(merged.audience.as_deref(), Some("hikers"));
        assert_eq!(merged.voice, None);
        assert_eq!(merged.competitors, vec!["Acme"]);
        assert!(!merged.complete());
    }

    #[test]
    fn the_ideal_customer_answers_become_rules() {
        let answers = Answers {
            icp_employees: Some("11 - 200".into()),
            icp_countries: vec!["us".into()],
            ..Answers::default()
        };
        let icp = answers.icp().unwrap();
        assert_eq!(icp.countries, vec!["US"]);
        assert_eq!(
            (icp.employees[0].min, icp.employees[0].max),
            (Some(11), Some(200))
        );
        assert_eq!(employee_range("50+").unwrap().min, Some(50));
        assert!(employee_range("200-11").is_none());
        assert!(Answers::default().icp().is_none());
    }
}
