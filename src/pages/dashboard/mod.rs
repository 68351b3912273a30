//! The dashboard: the pages a signed-in person reads their account on.
//!
//! Every page is built from the same tool outputs an agent gets (the HTTP layer runs the
//! tools; this module only lays their JSON out), so a page can show nothing an agent with the
//! same key could not read, and a new field reaches both at once. The layout is one template:
//! a header with the sections, then blocks — facts, tables with their row actions, charts,
//! forms — each escaped by the template engine.

pub mod chart;
pub mod sections;
pub mod table;

use askama::Template;

use super::{Page, policy};
pub use table::{Cell, Row, Table};

/// One part of a page, in order.
pub enum Block {
    /// A heading and what it says, as a definition list.
    Facts {
        title: String,
        facts: Vec<(String, String)>,
    },
    Table(Table),
    /// An inline SVG chart (built from a template, so its text is escaped) and a sentence
    /// saying what it shows, for people who cannot see it.
    Chart {
        title: String,
        svg: String,
        summary: String,
    },
    /// A paragraph; with `link`, a link after it.
    Note {
        text: String,
        link: Option<(String, String)>,
    },
    /// Something wrong that the person should act on.
    Alert(String),
    Form(Form),
    /// Text shown as written (a draft's body).
    Text {
        title: String,
        text: String,
    },
    /// Links that narrow a list (`?state=draft`); the current one is marked.
    Filters(Vec<Filter>),
}

pub struct Filter {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// A form posting to this server; the template adds the CSRF token to every one.
pub struct Form {
    pub title: Option<String>,
    pub action: String,
    pub submit: String,
    pub hidden: Vec<(String, String)>,
    pub inputs: Vec<Input>,
    /// A destructive action (revoke, cancel), drawn so.
    pub danger: bool,
}

pub struct Input {
    pub name: String,
    pub label: String,
    pub kind: InputKind,
    pub value: String,
    pub required: bool,
    /// Set by [`render`], unique on the page, so every label points at its field.
    pub id: String,
}

pub enum InputKind {
    Text,
    Email,
    Textarea,
    /// Options as (value, label).
    Select(Vec<(String, String)>),
}

impl Input {
    pub fn new(name: &str, label: &str, kind: InputKind) -> Input {
        Input {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            value: String::new(),
            required: false,
            id: String::new(),
        }
    }

    pub fn value(mut self, value: impl Into<String>) -> Input {
        self.value = value.into();
        self
    }

    pub fn required(mut self) -> Input {
        self.required = true;
        self
    }
}

/// Who is looking, and at what.
pub struct View {
    /// The section's slug, marked in the navigation.
    pub current: &'static str,
    pub title: String,
    pub brand: Option<String>,
    pub email: String,
    pub role: String,
    /// The session's form token; empty when the page was asked for with a key, which draws
    /// no forms.
    pub csrf: String,
    /// What the last action did, shown once after its redirect.
    pub notice: Option<String>,
    pub blocks: Vec<Block>,
}

const STYLE: &str = include_str!("dashboard.css");

struct NavLink {
    href: String,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Layout<'a> {
    view: &'a View,
    nav: Vec<NavLink>,
    style: &'static str,
}

/// The page, with every form's fields labelled by unique ids.
pub fn render(mut view: View) -> Page {
    let mut next = 0;
    let mut number = |inputs: &mut Vec<Input>| {
        for input in inputs {
            next += 1;
            input.id = format!("f{next}");
        }
    };
    for block in &mut view.blocks {
        match block {
            Block::Form(form) => number(&mut form.inputs),
            Block::Table(table) => {
                for row in &mut table.rows {
                    for form in &mut row.actions {
                        number(&mut form.inputs);
                    }
                }
            }
            _ => {}
        }
    }
    let nav = sections::NAV
        .iter()
        .map(|(slug, label)| NavLink {
            href: if slug.is_empty() {
                "/dashboard".to_owned()
            } else {
                format!("/dashboard/{slug}")
            },
            label,
            current: *slug == view.current,
        })
        .collect();
    let layout = Layout {
        view: &view,
        nav,
        style: STYLE,
    };
    Page {
        // The template has no fallible filter; rendering cannot fail.
        html: layout.render().unwrap_or_default(),
        csp: policy("", STYLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(blocks: Vec<Block>) -> View {
        View {
            current: "",
            title: "Overview".into(),
            brand: Some("<script>alert(1)</script>".into()),
            email: "a@example.com".into(),
            role: "owner".into(),
            csrf: "tok\"en".into(),
            notice: Some("<b>done</b>".into()),
            blocks,
        }
    }

    #[test]
    fn every_value_renders_inert() {
        let hostile = "<script>alert(1)</script>";
        let page = render(view(vec![
            Block::Facts {
                title: hostile.into(),
                facts: vec![(hostile.into(), hostile.into())],
            },
            Block::Table(Table {
                title: hostile.into(),
                columns: vec![hostile.into()],
                rows: vec![Row {
                    cells: vec![Cell::text(hostile).link("javascript:alert(1)")],
                    actions: vec![],
                }],
                empty: String::new(),
                next: None,
            }),
            Block::Text {
                title: "Body".into(),
                text: hostile.into(),
            },
            Block::Form(Form {
                title: None,
                action: "/dashboard/do/x\"y".into(),
                submit: hostile.into(),
                hidden: vec![("a".into(), "\"><script>".into())],
                inputs: vec![Input::new("n", hostile, InputKind::Text).value(hostile)],
                danger: false,
            }),
        ]));
        assert!(!page.html.contains("<script>"), "{}", page.html);
        assert!(!page.html.contains("<b>done"), "{}", page.html);
        assert!(!page.html.contains("javascript:"), "{}", page.html);
        assert!(!page.html.contains("tok\"en"));
        assert!(page.csp.contains("script-src 'sha256-"));
    }

    #[test]
    fn every_field_has_its_own_label() {
        let form = || {
            Block::Form(Form {
                title: None,
                action: "/dashboard/do/invite_member".into(),
                submit: "Invite".into(),
                hidden: vec![],
                inputs: vec![Input::new("email", "Email", InputKind::Email).required()],
                danger: false,
            })
        };
        let page = render(view(vec![form(), form()]));
        assert!(page.html.contains("<label for=\"f1\">"), "{}", page.html);
        assert!(page.html.contains("id=\"f2\""));
    }
}
