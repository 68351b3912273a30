//! The intent score: what a lead did lately, 0 to 100. Each action is worth points that halve
//! every half-life (14 days unless the profile says otherwise), so last week's pricing visit
//! outweighs last quarter's.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::store::Millis;

/// An action that shows interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// A visit to one of the customer's sites, known by the collector's `identify`.
    Visit,
    /// A pageview of a pricing, sign-up, demo, trial, checkout or contact page.
    HighIntentPage,
    /// A form on a lead magnet's page.
    Capture,
    EmailOpen,
    EmailClick,
    Reply,
}

impl Action {
    /// The name it is stored and shown under.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Visit => "visit",
            Action::HighIntentPage => "highIntentPage",
            Action::Capture => "capture",
            Action::EmailOpen => "emailOpen",
            Action::EmailClick => "emailClick",
            Action::Reply => "reply",
        }
    }

    pub fn points(self) -> f64 {
        match self {
            Action::Visit => 5.0,
            Action::HighIntentPage => 15.0,
            Action::Capture => 20.0,
            Action::EmailOpen => 3.0,
            Action::EmailClick => 8.0,
            Action::Reply => 30.0,
        }
    }
}

/// Path words that show buying intent.
pub const HIGH_INTENT: &[&str] = &[
    "pricing",
    "plans",
    "signup",
    "sign-up",
    "register",
    "trial",
    "demo",
    "checkout",
    "contact",
    "get-started",
];

/// Whether a page path shows buying intent (`/pricing`, `/en/demo`, `/signup?plan=pro`).
pub fn high_intent(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .any(|segment| HIGH_INTENT.contains(&segment.to_ascii_lowercase().as_str()))
}

/// One action of a lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub action: Action,
    pub at: Millis,
    /// The page, for pageviews.
    pub detail: Option<String>,
}

/// One action's part of an intent score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    pub action: Action,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The points after decay, to two decimals.
    pub points: f64,
}

/// Most contributions kept with a score (the largest).
const KEPT: usize = 20;

/// The intent of `signals` at `now`; the score, and with `explain` the largest contributions.
pub fn intent(
    signals: &[Signal],
    now: Millis,
    half_life_days: u32,
    explain: bool,
) -> (u32, Vec<Contribution>) {
    let half_life = f64::from(half_life_days.max(1)) * 86_400_000.0;
    let mut total = 0.0;
    let mut parts: Vec<(f64, &Signal)> = Vec::new();
    for signal in signals {
        let age = (now - signal.at).max(0) as f64;
        let points = signal.action.points() * (-age / half_life * std::f64::consts::LN_2).exp();
        total += points;
        if explain {
            parts.push((points, signal));
        }
    }
    parts.sort_by(|a, b| b.0.total_cmp(&a.0));
    let kept = parts
        .into_iter()
        .take(KEPT)
        .map(|(points, signal)| Contribution {
            action: signal.action,
            at: rfc3339(signal.at),
            detail: signal.detail.clone(),
            points: (points * 100.0).round() / 100.0,
        })
        .collect();
    ((total.round() as u32).min(100), kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Millis = 86_400_000;

    #[test]
    fn points_halve_every_half_life() {
        let now = 100 * DAY;
        let signals = [
            Signal {
                action: Action::HighIntentPage,
                at: now,
                detail: Some("/pricing".into()),
            },
            Signal {
                action: Action::Reply,
                at: now - 14 * DAY,
                detail: None,
            },
            Signal {
                action: Action::Visit,
                at: now - 28 * DAY,
                detail: None,
            },
        ];
        let (score, parts) = intent(&signals, now, 14, true);
        // 15 + 30/2 + 5/4 = 31.25
        assert_eq!(score, 31);
        assert_eq!(parts[0].points, 15.0);
        assert_eq!(parts[1].points, 15.0);
        assert_eq!(parts[2].points, 1.25);
        let (slower, _) = intent(&signals, now, 28, true);
        assert!(slower > score);
    }

    #[test]
    fn scores_stop_at_a_hundred() {
        let signals: Vec<Signal> = (0..20)
            .map(|_| Signal {
                action: Action::Reply,
                at: 0,
                detail: None,
            })
            .collect();
        assert_eq!(intent(&signals, 0, 14, false).0, 100);
    }

    #[test]
    fn high_intent_pages_are_recognised_by_segment() {
        for path in ["/pricing", "/en/demo", "/signup?plan=pro", "/Contact/"] {
            assert!(high_intent(path), "{path}");
        }
        for path in ["/blog/pricing-strategy", "/", "/docs"] {
            assert!(!high_intent(path), "{path}");
        }
    }
}
