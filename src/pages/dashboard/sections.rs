//! What each list page of the dashboard shows: which read-only tool fills each table, which
//! fields become columns, and which row actions (write tools) each row offers.
//!
//! Data, not code: a new column is a line here, and the HTTP layer runs whatever is named,
//! through the registry, with the person's own role.

/// The navigation, in order: (slug, label); the overview's slug is empty.
pub const NAV: &[(&str, &str)] = &[
    ("", "Overview"),
    ("onboarding", "Onboarding"),
    ("audits", "Audits"),
    ("content", "Content"),
    ("calendar", "Calendar"),
    ("posts", "Posts"),
    ("connections", "Connections"),
    ("webhooks", "Webhooks"),
    ("jobs", "Jobs"),
    ("briefings", "Briefings"),
    ("events", "Events"),
    ("usage", "Usage"),
    ("analytics", "Analytics"),
    ("visibility", "Visibility"),
    ("leads", "Leads"),
    ("team", "Team"),
];

/// How a cell reads its field.
#[derive(Clone, Copy)]
pub enum Format {
    Plain,
    /// A state word, drawn as a badge.
    Badge,
    /// An RFC 3339 time, shortened.
    When,
    /// A share from 0 to 1, as a percentage.
    Percent,
}

pub struct Column {
    pub header: &'static str,
    /// JSON pointer into the row.
    pub field: &'static str,
    pub format: Format,
    /// With the row's `id` appended, where the cell links to (`/dashboard/content/`).
    pub link: Option<&'static str>,
}

const fn col(header: &'static str, field: &'static str) -> Column {
    Column {
        header,
        field,
        format: Format::Plain,
        link: None,
    }
}

const fn badge(header: &'static str, field: &'static str) -> Column {
    Column {
        header,
        field,
        format: Format::Badge,
        link: None,
    }
}

const fn when(header: &'static str, field: &'static str) -> Column {
    Column {
        header,
        field,
        format: Format::When,
        link: None,
    }
}

const fn percent(header: &'static str, field: &'static str) -> Column {
    Column {
        header,
        field,
        format: Format::Percent,
        link: None,
    }
}

const fn linked(header: &'static str, field: &'static str, link: &'static str) -> Column {
    Column {
        header,
        field,
        format: Format::Plain,
        link: Some(link),
    }
}

/// A write tool offered on a row, as a one-button form.
pub struct RowAction {
    pub tool: &'static str,
    pub label: &'static str,
    /// The row field (pointer) that names the record, and the input it goes into.
    pub id: (&'static str, &'static str),
    /// Only on rows whose field (pointer) has one of these values.
    pub when: Option<(&'static str, &'static [&'static str])>,
    /// Inputs the form sends as they are (`enabled=true`).
    pub fixed: &'static [(&'static str, &'static str)],
    /// A text field the person fills in (a rejection's reason): (input, label).
    pub ask: Option<(&'static str, &'static str)>,
    pub danger: bool,
}

/// One table of a page.
pub struct Panel {
    pub title: &'static str,
    pub tool: &'static str,
    /// The tool's input besides the page's filters.
    pub input: &'static str,
    /// Pointer to the list in the output: an array of rows, or an object whose entries are
    /// rows (its key as `/key`).
    pub list: &'static str,
    pub columns: &'static [Column],
    pub actions: &'static [RowAction],
    /// What an empty table says: how to fill it.
    pub empty: &'static str,
}

/// A list page.
pub struct Section {
    pub slug: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// Links that filter the first panel: (label, query).
    pub filters: &'static [(&'static str, &'static str)],
    pub panels: &'static [Panel],
}

const APPROVE: RowAction = RowAction {
    tool: "approve_content",
    label: "Approve",
    id: ("/id", "contentId"),
    when: Some(("/state", &["draft"])),
    fixed: &[],
    ask: None,
    danger: false,
};

const REJECT: RowAction = RowAction {
    tool: "reject_content",
    label: "Reject",
    id: ("/id", "contentId"),
    when: Some(("/state", &["draft"])),
    fixed: &[],
    ask: Some(("reason", "Why")),
    danger: true,
};

/// The content page's actions, also offered on an item's own page.
pub const CONTENT_ACTIONS: &[RowAction] = &[APPROVE, REJECT];

pub const SECTIONS: &[Section] = &[
    Section {
        slug: "audits",
        title: "Audits",
        intro: "Every SEO, GEO and conversion audit, newest first. Open one for its findings and how to fix each.",
        filters: &[
            ("All", ""),
            ("SEO / GEO", "kind=seo"),
            ("Conversion", "kind=cro"),
        ],
        panels: &[Panel {
            title: "Audits",
            tool: "list_audits",
            input: r#"{"limit": 50}"#,
            list: "/audits",
            columns: &[
                linked("URL", "/url", "/dashboard/audits/"),
                col("Kind", "/kind"),
                col("Score", "/overall"),
                when("When", "/createdAt"),
            ],
            actions: &[],
            empty: "No audits yet: ask your agent to run ai_seo_audit or cro_audit on your site.",
        }],
    },
    Section {
        slug: "content",
        title: "Content",
        intro: "The pipeline: drafts wait for approval here; approved pieces can be scheduled or published.",
        filters: &[
            ("All", ""),
            ("Drafts", "state=draft"),
            ("Briefs", "state=brief"),
            ("Approved", "state=approved"),
            ("Rejected", "state=rejected"),
            ("Scheduled", "state=scheduled"),
            ("Published", "state=published"),
        ],
        panels: &[Panel {
            title: "The 50 most recently changed",
            tool: "list_content",
            input: r#"{"limit": 50}"#,
            list: "/content",
            columns: &[
                linked("Title", "/title", "/dashboard/content/"),
                col("Format", "/format"),
                badge("State", "/state"),
                col("SEO", "/seoScore"),
                col("Revision", "/revision"),
                when("Updated", "/updatedAt"),
            ],
            actions: CONTENT_ACTIONS,
            empty: "Nothing here: ask your agent to run run_content_creation, or pick another filter.",
        }],
    },
    Section {
        slug: "posts",
        title: "Posts",
        intro: "Every post to a social network or webhook: queued, published, failed or cancelled.",
        filters: &[
            ("All", ""),
            ("Queued", "state=queued"),
            ("Published", "state=published"),
            ("Failed", "state=failed"),
        ],
        panels: &[Panel {
            title: "Posts",
            tool: "list_posts",
            input: r#"{"limit": 100}"#,
            list: "/posts",
            columns: &[
                when("Runs at", "/runAt"),
                col("Channel", "/channel"),
                badge("State", "/state"),
                col("Text", "/text"),
                linked("Link", "/url", ""),
                col("Error", "/error"),
            ],
            actions: &[RowAction {
                tool: "cancel_post",
                label: "Cancel",
                id: ("/id", "postId"),
                when: Some(("/state", &["queued"])),
                fixed: &[],
                ask: None,
                danger: true,
            }],
            empty: "No posts yet: approved content is published with publish_to_social or schedule_content.",
        }],
    },
    Section {
        slug: "connections",
        title: "Connections",
        intro: "The accounts heycmo publishes to and the Google products it reads. Tokens are sealed and never shown again.",
        filters: &[],
        panels: &[Panel {
            title: "Connections",
            tool: "list_channels",
            input: "{}",
            list: "/connections",
            columns: &[
                col("Platform", "/key"),
                badge("Connected", "/connected"),
                col("Account", "/account"),
                when("Since", "/connectedAt"),
            ],
            actions: &[RowAction {
                tool: "disconnect_channel",
                label: "Disconnect",
                id: ("/key", "platform"),
                when: Some(("/connected", &["true"])),
                fixed: &[],
                ask: None,
                danger: true,
            }],
            empty: "",
        }],
    },
    Section {
        slug: "webhooks",
        title: "Webhooks",
        intro: "Where events are delivered, signed. Open one for its delivery log.",
        filters: &[],
        panels: &[Panel {
            title: "Subscriptions",
            tool: "list_webhooks",
            input: "{}",
            list: "/webhooks",
            columns: &[
                linked("URL", "/url", "/dashboard/webhooks/"),
                col("Events", "/events"),
                badge("Enabled", "/enabled"),
                col("Failures in a row", "/failures"),
                col("Why disabled", "/disabledReason"),
            ],
            actions: &[RowAction {
                tool: "update_webhook",
                label: "Enable again",
                id: ("/id", "hookId"),
                when: Some(("/enabled", &["false"])),
                fixed: &[("enabled", "true")],
                ask: None,
                danger: false,
            }],
            empty: "No webhooks: create_webhook subscribes a URL to events.",
        }],
    },
    Section {
        slug: "jobs",
        title: "Jobs",
        intro: "Background work: audits, posts, deliveries, schedules. A failed job can be queued again.",
        filters: &[
            ("All", ""),
            ("Failed", "state=failed"),
            ("Dead", "state=dead"),
            ("Queued", "state=queued"),
        ],
        panels: &[Panel {
            title: "Jobs",
            tool: "list_jobs",
            input: r#"{"limit": 100}"#,
            list: "/jobs",
            columns: &[
                col("Id", "/id"),
                col("Kind", "/kind"),
                badge("State", "/state"),
                col("Attempts", "/attempts"),
                when("Runs at", "/runAt"),
                col("Last error", "/lastError"),
            ],
            actions: &[RowAction {
                tool: "retry_job",
                label: "Retry",
                id: ("/id", "jobId"),
                when: Some(("/state", &["failed", "dead"])),
                fixed: &[],
                ask: None,
                danger: false,
            }],
            empty: "No jobs.",
        }],
    },
    Section {
        slug: "briefings",
        title: "Briefings",
        intro: "The daily briefing: what happened to traffic, content, leads and visibility.",
        filters: &[],
        panels: &[Panel {
            title: "Briefings",
            tool: "list_briefings",
            input: r#"{"limit": 30}"#,
            list: "/briefings",
            columns: &[
                when("When", "/createdAt"),
                col("Summary", "/summary"),
                col("Highlights", "/highlights"),
                col("Written by", "/engine"),
            ],
            actions: &[],
            empty: "No briefings yet: run_research writes one now; set_schedule runs it daily.",
        }],
    },
    Section {
        slug: "events",
        title: "Events",
        intro: "The event log, newest first: what webhooks deliver and what every tool call did.",
        filters: &[
            ("All", ""),
            ("Content", "type=content.*"),
            ("Team", "type=team.*"),
            ("Leads", "type=lead.*"),
            ("Tool calls", "type=tool.called"),
        ],
        panels: &[Panel {
            title: "Events",
            tool: "list_events",
            input: r#"{"limit": 100}"#,
            list: "/events",
            columns: &[
                col("Id", "/id"),
                when("When", "/timestamp"),
                col("Type", "/type"),
                col("Data", "/data"),
            ],
            actions: &[],
            empty: "No events match.",
        }],
    },
    Section {
        slug: "leads",
        title: "Leads",
        intro: "Leads by fit to your ideal customer and intent, and the email sequences they are in.",
        filters: &[
            ("All", ""),
            ("Grade A", "grade=A"),
            ("Grade B", "grade=B"),
            ("Customers", "stage=customer"),
        ],
        panels: &[
            Panel {
                title: "Leads",
                tool: "list_leads",
                input: r#"{"limit": 100}"#,
                list: "/leads",
                columns: &[
                    col("Email", "/email"),
                    col("Name", "/name"),
                    col("Company", "/company"),
                    badge("Grade", "/grade"),
                    col("Fit", "/fit"),
                    col("Intent", "/intent"),
                    col("Stage", "/stage"),
                    col("Source", "/source"),
                ],
                actions: &[],
                empty: "No leads: import_leads, or a capture form on your site.",
            },
            Panel {
                title: "Sequences",
                tool: "list_sequences",
                input: "{}",
                list: "/sequences",
                columns: &[
                    col("Name", "/name"),
                    badge("State", "/state"),
                    col("Steps", "/steps"),
                    col("From", "/from"),
                    when("Created", "/createdAt"),
                ],
                actions: &[],
                empty: "No sequences: create_sequence writes one.",
            },
        ],
    },
    Section {
        slug: "team",
        title: "Team",
        intro: "Everyone's key and role. Each person has their own key, so each can be revoked alone.",
        filters: &[],
        panels: &[Panel {
            title: "Keys",
            tool: "list_keys",
            input: "{}",
            list: "/keys",
            columns: &[
                col("Who", "/label"),
                col("Role", "/role"),
                col("Key", "/prefix"),
                when("Issued", "/createdAt"),
                when("Revoked", "/revokedAt"),
            ],
            actions: &[RowAction {
                tool: "revoke_key",
                label: "Revoke",
                id: ("/id", "keyId"),
                when: Some(("/revokedAt", &["null"])),
                fixed: &[],
                ask: None,
                danger: true,
            }],
            empty: "",
        }],
    },
];

/// A webhook's delivery log, on its own page (`hookId` added there).
pub const DELIVERIES: Panel = Panel {
    title: "Deliveries",
    tool: "list_webhook_deliveries",
    input: r#"{"limit": 100}"#,
    list: "/deliveries",
    columns: &[
        when("When", "/createdAt"),
        col("Event", "/type"),
        badge("State", "/state"),
        col("Attempts", "/attempts"),
        col("Last status", "/lastStatus"),
        col("Last error", "/lastError"),
    ],
    actions: &[],
    empty: "Nothing delivered yet.",
};

/// The analytics page's sites, under the chosen site's traffic.
pub const SITES: Panel = Panel {
    title: "Sites",
    tool: "list_sites",
    input: "{}",
    list: "/sites",
    columns: &[
        col("Name", "/name"),
        col("Domains", "/domains"),
        col("Time zone", "/timeZone"),
        col("Goals", "/goals"),
        col("Id", "/id"),
    ],
    actions: &[],
    empty: "No sites: create_site gives you a snippet for your pages; traffic appears here once it runs.",
};

/// The visibility page's runs, under their trend.
pub const RUNS: Panel = Panel {
    title: "Runs",
    tool: "list_visibility_runs",
    input: r#"{"limit": 50}"#,
    list: "/runs",
    columns: &[
        when("When", "/createdAt"),
        col("Brand", "/brand"),
        col("How", "/method"),
        col("Answers", "/overall/answers"),
        percent("Named the brand", "/overall/visibilityRate"),
        percent("Share of voice", "/overall/shareOfVoice"),
        percent("Cited the site", "/overall/citationShare"),
    ],
    actions: &[],
    empty: "No runs yet: check_ai_visibility asks the answer engines about your brand.",
};

/// The list page with this slug.
pub fn section(slug: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.slug == slug)
}

/// The write tools a dashboard form may run, and whether the page shows what the tool
/// answered instead of redirecting (a new key is shown once, so it must be shown now).
pub const ACTIONS: &[(&str, bool)] = &[
    ("approve_content", false),
    ("reject_content", false),
    ("update_content", false),
    ("cancel_post", false),
    ("disconnect_channel", false),
    ("update_webhook", false),
    ("retry_job", false),
    ("invite_member", true),
    ("revoke_key", false),
    ("start_onboarding", false),
    ("answer_onboarding", false),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_page_is_in_the_navigation() {
        for section in SECTIONS {
            assert!(
                NAV.iter().any(|(slug, _)| *slug == section.slug),
                "{}",
                section.slug
            );
            for panel in section.panels {
                for action in panel.actions {
                    assert!(
                        ACTIONS.iter().any(|(tool, _)| *tool == action.tool),
                        "{} is offered but not allowed",
                        action.tool
                    );
                }
            }
        }
    }
}
