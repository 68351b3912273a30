//! Channel grouping: which channel brought a visit, from its referrer, its UTM parameters and
//! its ad click ids. The rules are the table [`RULES`], tried in order; the first that matches
//! names the channel. The README's "Channels" section documents the same table.
//!
//! It follows GA4's default channel group where GA4 has the channel, and adds **AI Assistants**
//! (answers from ChatGPT, Perplexity, Claude, Gemini, Copilot, …), which GA4 files under
//! Referral.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A channel of the grouping.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Channel {
    #[serde(rename = "AI Assistants")]
    AiAssistants,
    #[serde(rename = "Paid Search")]
    PaidSearch,
    #[serde(rename = "Paid Social")]
    PaidSocial,
    Display,
    Affiliate,
    Email,
    #[serde(rename = "Organic Search")]
    OrganicSearch,
    #[serde(rename = "Organic Social")]
    OrganicSocial,
    Referral,
    Direct,
}

impl Channel {
    pub const ALL: [Channel; 10] = [
        Channel::AiAssistants,
        Channel::PaidSearch,
        Channel::PaidSocial,
        Channel::Display,
        Channel::Affiliate,
        Channel::Email,
        Channel::OrganicSearch,
        Channel::OrganicSocial,
        Channel::Referral,
        Channel::Direct,
    ];

    /// The name reports and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::AiAssistants => "AI Assistants",
            Channel::PaidSearch => "Paid Search",
            Channel::PaidSocial => "Paid Social",
            Channel::Display => "Display",
            Channel::Affiliate => "Affiliate",
            Channel::Email => "Email",
            Channel::OrganicSearch => "Organic Search",
            Channel::OrganicSocial => "Organic Social",
            Channel::Referral => "Referral",
            Channel::Direct => "Direct",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// What a visit's first hit says about where it came from.
#[derive(Debug, Clone, Default)]
pub struct Arrival<'a> {
    /// The referrer's host, lower-case; `None` when there was none or it was the site itself.
    pub referrer_host: Option<&'a str>,
    pub utm_source: Option<&'a str>,
    pub utm_medium: Option<&'a str>,
    /// The ad click ids present (`gclid`, `fbclid`, `msclkid`, `li_fat_id`, `ttclid`).
    pub click_ids: &'a [&'a str],
}

/// A condition of a rule.
#[derive(Debug, Clone, Copy)]
pub enum When {
    /// The referrer's host is one of these (or a subdomain of one).
    ReferrerIn(&'static [&'static str]),
    /// `utm_source`, lower-cased, is one of these or starts with one followed by `.`.
    SourceIn(&'static [&'static str]),
    /// The referrer or `utm_source` is one of these sites.
    SiteIn(&'static [&'static str]),
    /// `utm_medium`, lower-cased, is one of these.
    MediumIs(&'static [&'static str]),
    /// `utm_medium` is a paid one: it contains `cp` (cpc, cpm, cpa, cpv), or is `ppc`,
    /// `retargeting` or starts with `paid`.
    PaidMedium,
    /// One of these click ids is present.
    ClickId(&'static [&'static str]),
    /// Both conditions hold.
    Both(&'static When, &'static When),
    /// There is a referrer or a `utm_source`.
    AnySource,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub channel: Channel,
    pub when: When,
}

const AI: &[&str] = &[
    "chatgpt.com",
    "chat.openai.com",
    "openai.com",
    "perplexity.ai",
    "claude.ai",
    "gemini.google.com",
    "bard.google.com",
    "copilot.microsoft.com",
    "copilot.cloud.microsoft",
    "chat.mistral.ai",
    "chat.deepseek.com",
    "meta.ai",
    "grok.com",
    "you.com",
    "phind.com",
    "poe.com",
];
/// `utm_source` values the assistants add to the links in their answers.
const AI_SOURCES: &[&str] = &[
    "chatgpt.com",
    "chatgpt",
    "openai",
    "perplexity",
    "perplexity.ai",
    "claude",
    "claude.ai",
    "gemini",
    "copilot",
];
const SEARCH: &[&str] = &[
    "google.com",
    "google.co.uk",
    "google.de",
    "google.fr",
    "google.es",
    "google.it",
    "google.ca",
    "google.com.au",
    "google.co.in",
    "google.co.jp",
    "google.com.br",
    "google.nl",
    "google.ch",
    "google.at",
    "bing.com",
    "duckduckgo.com",
    "search.yahoo.com",
    "yahoo.com",
    "yandex.ru",
    "yandex.com",
    "baidu.com",
    "ecosia.org",
    "search.brave.com",
    "startpage.com",
    "qwant.com",
    "naver.com",
    "seznam.cz",
    "ask.com",
    "google",
    "bing",
    "duckduckgo",
    "yahoo",
    "yandex",
    "baidu",
    "ecosia",
];
const SOCIAL: &[&str] = &[
    "facebook.com",
    "fb.com",
    "instagram.com",
    "t.co",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "lnkd.in",
    "reddit.com",
    "youtube.com",
    "pinterest.com",
    "tiktok.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
    "news.ycombinator.com",
    "quora.com",
    "tumblr.com",
    "vk.com",
    "weibo.com",
    "discord.com",
    "t.me",
    "whatsapp.com",
    "facebook",
    "instagram",
    "twitter",
    "linkedin",
    "reddit",
    "youtube",
    "pinterest",
    "tiktok",
    "bluesky",
    "mastodon",
];
const WEBMAIL: &[&str] = &[
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "outlook.office365.com",
    "mail.yahoo.com",
    "mail.proton.me",
    "app.fastmail.com",
];

/// The grouping, first match wins.
pub const RULES: &[Rule] = &[
    Rule {
        channel: Channel::AiAssistants,
        when: When::ReferrerIn(AI),
    },
    Rule {
        channel: Channel::AiAssistants,
        when: When::SourceIn(AI_SOURCES),
    },
    Rule {
        channel: Channel::PaidSearch,
        when: When::ClickId(&["gclid", "msclkid"]),
    },
    Rule {
        channel: Channel::PaidSocial,
        when: When::ClickId(&["li_fat_id", "ttclid"]),
    },
    Rule {
        channel: Channel::PaidSocial,
        when: When::Both(&When::SiteIn(SOCIAL), &When::PaidMedium),
    },
    Rule {
        channel: Channel::PaidSearch,
        when: When::Both(&When::SiteIn(SEARCH), &When::PaidMedium),
    },
    Rule {
        channel: Channel::Display,
        when: When::MediumIs(&["display", "banner", "expandable", "interstitial", "cpm"]),
    },
    Rule {
        channel: Channel::PaidSearch,
        when: When::PaidMedium,
    },
    Rule {
        channel: Channel::Affiliate,
        when: When::MediumIs(&["affiliate", "affiliates"]),
    },
    Rule {
        channel: Channel::Email,
        when: When::MediumIs(&["email", "e-mail", "e_mail", "e mail", "newsletter"]),
    },
    Rule {
        channel: Channel::Email,
        when: When::SourceIn(&["email", "e-mail", "e_mail", "newsletter"]),
    },
    Rule {
        channel: Channel::Email,
        when: When::ReferrerIn(WEBMAIL),
    },
    Rule {
        channel: Channel::OrganicSearch,
        when: When::MediumIs(&["organic"]),
    },
    Rule {
        channel: Channel::OrganicSearch,
        when: When::SiteIn(SEARCH),
    },
    Rule {
        channel: Channel::OrganicSocial,
        when: When::MediumIs(&[
            "social",
            "social-network",
            "social-media",
            "sm",
            "social network",
            "social media",
        ]),
    },
    Rule {
        channel: Channel::OrganicSocial,
        when: When::SiteIn(SOCIAL),
    },
    Rule {
        channel: Channel::OrganicSocial,
        when: When::ClickId(&["fbclid"]),
    },
    Rule {
        channel: Channel::Referral,
        when: When::AnySource,
    },
];

/// Whether `host` is `site` or a subdomain of it; a bare name (`google`) matches any host
/// with that label followed only by a public suffix's labels (`www.google.co.uk`).
fn host_is(host: &str, site: &str) -> bool {
    if site.contains('.') {
        return host == site || host.strip_suffix(site).is_some_and(|s| s.ends_with('.'));
    }
    let labels: Vec<&str> = host.split('.').collect();
    labels.iter().position(|l| *l == site).is_some_and(|at| {
        let rest = &labels[at + 1..];
        !rest.is_empty() && rest.len() <= 2 && rest.iter().all(|l| l.len() <= 3)
    })
}

fn source_is(source: &str, names: &[&str]) -> bool {
    names.iter().any(|name| {
        source == *name
            || source
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

impl When {
    fn holds(&self, arrival: &Arrival<'_>, source: Option<&str>, medium: Option<&str>) -> bool {
        match *self {
            When::ReferrerIn(sites) => arrival
                .referrer_host
                .is_some_and(|host| sites.iter().any(|site| host_is(host, site))),
            When::SourceIn(names) => source.is_some_and(|s| source_is(s, names)),
            When::SiteIn(sites) => {
                When::ReferrerIn(sites).holds(arrival, source, medium)
                    || source
                        .is_some_and(|s| sites.iter().any(|site| host_is(s, site) || s == *site))
            }
            When::MediumIs(names) => medium.is_some_and(|m| names.contains(&m)),
            When::PaidMedium => medium.is_some_and(|m| {
                m.contains("cp") || m == "ppc" || m == "retargeting" || m.starts_with("paid")
            }),
            When::ClickId(ids) => arrival.click_ids.iter().any(|id| ids.contains(id)),
            When::Both(a, b) => {
                a.holds(arrival, source, medium) && b.holds(arrival, source, medium)
            }
            When::AnySource => arrival.referrer_host.is_some() || source.is_some(),
        }
    }
}

/// The channel of a visit that arrived so.
pub fn classify(arrival: &Arrival<'_>) -> Channel {
    let lower = |v: Option<&str>| v.map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty());
    let (source, medium) = (lower(arrival.utm_source), lower(arrival.utm_medium));
    RULES
        .iter()
        .find(|rule| {
            rule.when
                .holds(arrival, source.as_deref(), medium.as_deref())
        })
        .map_or(Channel::Direct, |rule| rule.channel)
}

/// The source reports show: `utm_source` as given, else the referrer's host without `www.`,
/// else `(direct)`.
pub fn source(arrival: &Arrival<'_>) -> String {
    if let Some(source) = arrival.utm_source.map(str::trim).filter(|s| !s.is_empty()) {
        return source.to_owned();
    }
    match arrival.referrer_host {
        Some(host) => host.strip_prefix("www.").unwrap_or(host).to_owned(),
        None => "(direct)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(referrer: Option<&str>, source: Option<&str>, medium: Option<&str>) -> Channel {
        classify(&Arrival {
            referrer_host: referrer,
            utm_source: source,
            utm_medium: medium,
            click_ids: &[],
        })
    }

    #[test]
    fn each_channel_is_reached() {
        assert_eq!(from(None, None, None), Channel::Direct);
        assert_eq!(from(Some("chatgpt.com"), None, None), Channel::AiAssistants);
        assert_eq!(
            from(Some("www.perplexity.ai"), None, None),
            Channel::AiAssistants
        );
        assert_eq!(
            from(Some("gemini.google.com"), None, None),
            Channel::AiAssistants
        );
        assert_eq!(from(None, Some("chatgpt.com"), None), Channel::AiAssistants);
        assert_eq!(
            from(Some("www.google.co.uk"), None, None),
            Channel::OrganicSearch
        );
        assert_eq!(
            from(Some("duckduckgo.com"), None, None),
            Channel::OrganicSearch
        );
        assert_eq!(from(None, Some("google"), Some("cpc")), Channel::PaidSearch);
        assert_eq!(
            from(Some("l.facebook.com"), None, None),
            Channel::OrganicSocial
        );
        assert_eq!(
            from(None, Some("facebook"), Some("paid_social")),
            Channel::PaidSocial
        );
        assert_eq!(
            from(None, Some("linkedin"), Some("social")),
            Channel::OrganicSocial
        );
        assert_eq!(from(None, Some("news"), Some("Email")), Channel::Email);
        assert_eq!(from(Some("mail.google.com"), None, None), Channel::Email);
        assert_eq!(
            from(None, Some("partner"), Some("affiliate")),
            Channel::Affiliate
        );
        assert_eq!(from(None, Some("adnet"), Some("banner")), Channel::Display);
        assert_eq!(
            from(Some("blog.example.org"), None, None),
            Channel::Referral
        );
        assert_eq!(from(None, Some("podcast"), None), Channel::Referral);
    }

    #[test]
    fn click_ids_say_an_ad_was_clicked() {
        let with = |ids: &[&str]| {
            classify(&Arrival {
                referrer_host: Some("www.google.com"),
                click_ids: ids,
                ..Arrival::default()
            })
        };
        assert_eq!(with(&["gclid"]), Channel::PaidSearch);
        assert_eq!(with(&["msclkid"]), Channel::PaidSearch);
        assert_eq!(with(&["li_fat_id"]), Channel::PaidSocial);
        // Facebook adds fbclid to organic links too.
        let organic = classify(&Arrival {
            click_ids: &["fbclid"],
            ..Arrival::default()
        });
        assert_eq!(organic, Channel::OrganicSocial);
    }

    #[test]
    fn look_alike_hosts_are_not_the_engines() {
        assert_eq!(
            from(Some("googleblog.example"), None, None),
            Channel::Referral
        );
        assert_eq!(from(Some("notchatgpt.com"), None, None), Channel::Referral);
        assert_eq!(
            from(Some("google.evil.example.com"), None, None),
            Channel::Referral
        );
    }

    #[test]
    fn names_round_trip_and_sources_read_as_people_write_them() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
            assert_eq!(
                serde_json::to_value(channel).unwrap(),
                channel.as_str(),
                "the wire name is the report name"
            );
        }
        let arrival = Arrival {
            referrer_host: Some("www.bing.com"),
            ..Arrival::default()
        };
        assert_eq!(source(&arrival), "bing.com");
        assert_eq!(source(&Arrival::default()), "(direct)");
    }
}
