//! robots.txt: what a crawler may fetch (parsed by `texting_robots`), and whether the file is
//! valid (the checks Lighthouse's `robots-txt` audit makes).

use texting_robots::Robot;
use url::Url;

/// A site's robots.txt as fetched.
#[derive(Debug, Clone)]
pub struct RobotsTxt {
    pub url: Url,
    /// HTTP status of robots.txt; 4xx means "no rules", 5xx means "assume nothing may be crawled".
    pub status: u16,
    pub body: String,
}

/// One problem found in a robots.txt file.
#[derive(Debug, Clone, PartialEq)]
pub struct RobotsProblem {
    pub line: usize,
    pub message: String,
}

const DIRECTIVES: &[&str] = &[
    "user-agent",
    "allow",
    "disallow",
    "sitemap",
    "crawl-delay",
    "host",
    "clean-param",
    "request-rate",
    "visit-time",
    "noindex",
];

impl RobotsTxt {
    /// The robots.txt URL of the site a page is on.
    pub fn url_for(page: &Url) -> Option<Url> {
        page.join("/robots.txt").ok()
    }

    /// Whether `agent` may fetch `url`. A missing file (4xx) allows everything; a failing one
    /// (5xx) allows nothing, as Google and RFC 9309 read it.
    pub fn allows(&self, agent: &str, url: &Url) -> bool {
        match self.status {
            200..=299 => Robot::new(agent, self.body.as_bytes())
                .map(|robot| robot.allowed(url.as_str()))
                .unwrap_or(true),
            500..=599 => false,
            _ => true,
        }
    }

    /// Whether the file names a group for exactly this agent (rather than falling back to `*`).
    pub fn names_agent(&self, agent: &str) -> bool {
        self.lines()
            .any(|(_, key, value)| key == "user-agent" && value.eq_ignore_ascii_case(agent))
    }

    /// `Sitemap:` lines.
    pub fn sitemaps(&self) -> Vec<String> {
        self.lines()
            .filter(|(_, key, _)| key == "sitemap")
            .map(|(_, _, value)| value.to_owned())
            .collect()
    }

    /// Syntax problems, the way Lighthouse's robots-txt audit finds them.
    pub fn problems(&self) -> Vec<RobotsProblem> {
        let mut problems = Vec::new();
        let mut in_group = false;
        for (line, raw) in self.body.lines().enumerate().map(|(i, l)| (i + 1, l)) {
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let Some((key, value)) = content.split_once(':') else {
                problems.push(RobotsProblem {
                    line,
                    message: format!("syntax not understood: {content:?}"),
                });
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            if !DIRECTIVES.contains(&key.as_str()) {
                problems.push(RobotsProblem {
                    line,
                    message: format!("unknown directive {key:?}"),
                });
                continue;
            }
            match key.as_str() {
                "user-agent" => {
                    in_group = true;
                    if value.is_empty() {
                        problems.push(RobotsProblem {
                            line,
                            message: "no user-agent specified".into(),
                        });
                    }
                }
                "allow" | "disallow" => {
                    if !in_group {
                        problems.push(RobotsProblem {
                            line,
                            message: format!("{key} before any user-agent line"),
                        });
                    }
                    if !value.is_empty() && !value.starts_with(['/', '*']) {
                        problems.push(RobotsProblem {
                            line,
                            message: format!("pattern should start with / or *: {value:?}"),
                        });
                    }
                }
                "sitemap"
                    if Url::parse(value)
                        .map(|u| !matches!(u.scheme(), "http" | "https"))
                        .unwrap_or(true) =>
                {
                    problems.push(RobotsProblem {
                        line,
                        message: format!("sitemap is not an absolute http(s) URL: {value:?}"),
                    });
                }
                "crawl-delay" if value.parse::<f64>().is_err() => {
                    problems.push(RobotsProblem {
                        line,
                        message: format!("crawl-delay is not a number: {value:?}"),
                    });
                }
                _ => {}
            }
        }
        problems
    }

    /// (line number, lower-cased directive, value) of each directive line.
    fn lines(&self) -> impl Iterator<Item = (usize, String, &str)> {
        self.body.lines().enumerate().filter_map(|(i, raw)| {
            let content = raw.split('#').next()?.trim();
            let (key, value) = content.split_once(':')?;
            Some((i + 1, key.trim().to_ascii_lowercase(), value.trim()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn robots(body: &str) -> RobotsTxt {
        RobotsTxt {
            url: Url::parse("https://example.com/robots.txt").unwrap(),
            status: 200,
            body: body.to_owned(),
        }
    }

    #[test]
    fn rules_apply_per_agent() {
        let r = robots(
            "User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /admin\nSitemap: https://example.com/sitemap.xml\n",
        );
        let home = Url::parse("https://example.com/").unwrap();
        let admin = Url::parse("https://example.com/admin/x").unwrap();
        assert!(!r.allows("GPTBot", &home));
        assert!(r.allows("ClaudeBot", &home));
        assert!(!r.allows("ClaudeBot", &admin));
        assert!(r.names_agent("gptbot"));
        assert!(!r.names_agent("ClaudeBot"));
        assert_eq!(r.sitemaps(), vec!["https://example.com/sitemap.xml"]);
        assert!(r.problems().is_empty());
    }

    #[test]
    fn missing_and_failing_files() {
        let home = Url::parse("https://example.com/").unwrap();
        let mut r = robots("");
        r.status = 404;
        assert!(r.allows("GPTBot", &home));
        r.status = 503;
        assert!(!r.allows("GPTBot", &home));
    }

    #[test]
    fn problems_are_found_with_their_lines() {
        let r = robots(
            "Disallow: /early\nUser-agent: *\nDisalow: /typo\nAllow: relative\nSitemap: /sitemap.xml\nCrawl-delay: soon\njunk line\n",
        );
        let lines: Vec<usize> = r.problems().iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 3, 4, 5, 6, 7]);
    }
}
