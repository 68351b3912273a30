//! Writing without a model: templates filled from the brief and the brand profile. The result
//! is plain, correct and always the same for the same input; its engine says "offline".

use super::writer::{Brief, Draft};
use super::{Format, LandingCopy, LeadMagnetKind};
use crate::audit::finding::clip;
use crate::brand::BrandProfile;

/// Facts the templates use, with neutral fallbacks when no brand is stored.
struct Facts {
    name: String,
    audience: Option<String>,
    promise: String,
    phrases: Vec<String>,
    cta: String,
    url: String,
}

impl Facts {
    fn of(brand: Option<&BrandProfile>) -> Facts {
        let name = brand
            .and_then(|b| b.name.clone())
            .unwrap_or_else(|| "our team".into());
        Facts {
            audience: brand.and_then(|b| b.audience.first().cloned()),
            promise: brand
                .and_then(|b| {
                    b.value_proposition
                        .clone()
                        .or_else(|| b.description.clone())
                })
                .unwrap_or_else(|| format!("{name} helps you get this right")),
            phrases: brand
                .map(|b| {
                    b.key_phrases
                        .iter()
                        .take(5)
                        .map(|k| k.phrase.clone())
                        .collect()
                })
                .unwrap_or_default(),
            cta: brand
                .and_then(|b| b.calls_to_action.first().cloned())
                .unwrap_or_else(|| "Get in touch".into()),
            url: brand.map(|b| b.final_url.clone()).unwrap_or_default(),
            name,
        }
    }

    fn for_audience(&self) -> String {
        self.audience
            .as_ref()
            .map(|a| format!(" for {a}"))
            .unwrap_or_default()
    }

    fn cta_link(&self) -> String {
        if self.url.is_empty() {
            self.cta.clone()
        } else {
            format!("[{}]({})", self.cta, self.url)
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.trim().chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

pub fn write(brief: &Brief, brand: Option<&BrandProfile>) -> Draft {
    let facts = Facts::of(brand);
    let topic = brief.topic.trim();
    let keyword = brief
        .keywords
        .first()
        .cloned()
        .unwrap_or_else(|| topic.to_lowercase());
    match (brief.format, brief.lead_magnet) {
        (Format::Social, _) => social(topic, &keyword, &facts, brief),
        (Format::Email, _) => email(topic, &facts),
        (Format::Landing, _) => landing(topic, &facts),
        (Format::LeadMagnet, kind) => {
            lead_magnet(topic, kind.unwrap_or(LeadMagnetKind::Guide), &facts)
        }
        (Format::Blog, _) => blog(topic, &keyword, &facts),
    }
}

fn draft(title: String, meta: String, body: String, landing_copy: Option<LandingCopy>) -> Draft {
    let outline = body
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::to_owned)
        .collect();
    Draft {
        title,
        meta_description: clip(&meta, 155),
        outline,
        body,
        landing_copy,
    }
}

fn blog(topic: &str, keyword: &str, f: &Facts) -> Draft {
    let title = format!(
        "{}: a practical guide{}",
        capitalise(topic),
        f.for_audience()
    );
    let meta = format!(
        "{} explained{}: why it matters, how {} approaches it, and the steps to take next.",
        capitalise(topic),
        f.for_audience(),
        f.name
    );
    let mut body = format!(
        "This guide to {keyword} covers why it matters, how {} approaches it, and what to do next. {}.\n\n",
        f.name,
        f.promise.trim_end_matches('.')
    );
    body.push_str(&format!("## Why {topic} matters\n\nGetting {topic} right saves time and money, and it is what people notice first.\n\n"));
    if !f.phrases.is_empty() {
        body.push_str("What it comes down to:\n\n");
        for phrase in &f.phrases {
            body.push_str(&format!("- **{}**\n", capitalise(phrase)));
        }
        body.push('\n');
    }
    body.push_str(&format!(
        "## How {} approaches {topic}\n\n{}.\n\n",
        f.name,
        f.promise.trim_end_matches('.')
    ));
    body.push_str(&format!(
        "## Step by step\n\n1. Decide what {topic} should achieve{}.\n2. Compare the options against that goal.\n3. Try the best one on a small scale first.\n4. Measure the result and keep what works.\n\n",
        f.for_audience()
    ));
    body.push_str(&format!(
        "## Common mistakes to avoid\n\n- Starting with {topic} before the goal is clear.\n- Copying what others do without checking it fits.\n- Never measuring the result.\n\n"
    ));
    body.push_str(&format!(
        "## Next steps\n\nReady to start? {}.\n",
        f.cta_link()
    ));
    draft(title, meta, body, None)
}

fn social(topic: &str, keyword: &str, f: &Facts, brief: &Brief) -> Draft {
    let tags: Vec<String> = brief
        .keywords
        .iter()
        .chain(std::iter::once(&keyword.to_owned()))
        .map(|k| {
            format!(
                "#{}",
                k.split_whitespace().map(capitalise).collect::<String>()
            )
        })
        .take(3)
        .collect();
    let mut post = format!(
        "{}: {}.",
        capitalise(topic),
        f.promise.trim_end_matches('.')
    );
    let tail = format!(" {} {} {}", f.cta, f.url, tags.join(" "));
    post = clip(&post, 280usize.saturating_sub(tail.chars().count() + 1));
    let body = format!("{post}{}", tail.trim_end()).trim().to_owned();
    draft(capitalise(topic), clip(&post, 155), body, None)
}

fn email(topic: &str, f: &Facts) -> Draft {
    let title = format!(
        "{}: what{} should know",
        capitalise(topic),
        f.audience
            .as_ref()
            .map(|a| format!(" {a}"))
            .unwrap_or_else(|| " you".into())
    );
    let body = format!(
        "Hi there,\n\n{} is on many minds right now, so here is the short version.\n\n{}.\n\n\
         Three things to do this week:\n\n1. Decide what {topic} should achieve.\n2. Pick one change and try it.\n3. Measure, then keep what works.\n\n\
         {}.\n\nThe {} team\n",
        capitalise(topic),
        f.promise.trim_end_matches('.'),
        f.cta_link(),
        f.name
    );
    draft(
        title,
        format!(
            "{}: the short version, and three things to do this week.",
            capitalise(topic)
        ),
        body,
        None,
    )
}

fn landing(topic: &str, f: &Facts) -> Draft {
    let title = format!("{} with {}", capitalise(topic), f.name);
    let mut body = format!(
        "# {title}\n\n{}.\n\n{}\n\n## Why {}\n\n",
        f.promise.trim_end_matches('.'),
        f.cta_link(),
        f.name
    );
    for phrase in f.phrases.iter().take(4) {
        body.push_str(&format!("- {}\n", capitalise(phrase)));
    }
    body.push_str(&format!(
        "\n## How it works\n\n1. Tell us what you need.\n2. We set up {topic} with you.\n3. You see results, and we keep improving them.\n\n## Get started\n\n{}.\n",
        f.cta_link()
    ));
    draft(
        title,
        format!(
            "{}{}: {}.",
            capitalise(topic),
            f.for_audience(),
            f.promise.trim_end_matches('.')
        ),
        body,
        None,
    )
}

fn lead_magnet(topic: &str, kind: LeadMagnetKind, f: &Facts) -> Draft {
    let title = format!("The {} {}", topic.trim(), kind.as_str());
    let mut body = format!(
        "# {}\n\n{}.\n\n",
        capitalise(&title),
        f.promise.trim_end_matches('.')
    );
    match kind {
        LeadMagnetKind::Checklist => {
            body.push_str(&format!("## Before you start\n\n- [ ] Write down what {topic} should achieve\n- [ ] Agree who owns it\n- [ ] Set a date to review the result\n\n## Doing it\n\n"));
            for phrase in f.phrases.iter().take(4) {
                body.push_str(&format!("- [ ] Check: {}\n", capitalise(phrase)));
            }
            body.push_str("- [ ] Try the change on a small scale first\n\n## After\n\n- [ ] Measure the result\n- [ ] Keep what works, drop the rest\n");
        }
        LeadMagnetKind::Guide => {
            body.push_str(&format!("## Chapter 1: the goal\n\nDecide what {topic} should achieve and how you will know.\n\n## Chapter 2: the options\n\nList the ways to get there and what each costs.\n\n## Chapter 3: doing it\n\nStart small, measure, then widen what works.\n"));
        }
        LeadMagnetKind::Template => {
            body.push_str(&format!("## Your {topic} plan\n\n| Field | Your answer |\n|---|---|\n| Goal | _what should change?_ |\n| Owner | _who is responsible?_ |\n| Budget | _how much, by when?_ |\n| Measure | _how will you know it worked?_ |\n| Review date | _when will you look again?_ |\n"));
        }
        LeadMagnetKind::Quiz => {
            body.push_str(&format!(
                "## How ready are you for {topic}?\n\n1. Do you know what {topic} should achieve? (yes / not yet)\n2. Is one person responsible for it? (yes / no)\n3. Do you measure the result today? (yes / no)\n4. Have you tried a small version first? (yes / no)\n5. Do you review it at least monthly? (yes / no)\n\n## Your score\n\nCount your yes answers: 4–5, you are ready; 2–3, start with the gaps; 0–1, start with the goal.\n"
            ));
        }
    }
    body.push_str(&format!("\n## Next step\n\n{}.\n", f.cta_link()));
    let copy = LandingCopy {
        headline: format!("Get the free {} {}", topic.trim(), kind.as_str()),
        subheadline: format!("{}.", f.promise.trim_end_matches('.')),
        bullets: vec![
            format!("What {topic} should achieve, in plain words"),
            "The steps, in the order that works".into(),
            "Mistakes to skip, from teams who made them".into(),
        ],
        call_to_action: format!("Download the {}", kind.as_str()),
    };
    draft(
        capitalise(&title),
        format!(
            "A free {}{} on {topic}: {}.",
            kind.as_str(),
            f.for_audience(),
            f.promise.trim_end_matches('.')
        ),
        body,
        Some(copy),
    )
}
