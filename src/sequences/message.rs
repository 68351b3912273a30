//! One step's mail to one lead: the text personalised from the lead's fields (minijinja, with
//! a fuel limit, since customers write the templates), and the message with the headers
//! mailbox providers ask of bulk senders — a Message-ID known in advance, `List-Unsubscribe`
//! with a one-click HTTPS URL and `List-Unsubscribe-Post` (RFC 8058) — and a visible link.

use askama::Template;
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::leads::Fields;

/// The names a template may use.
pub const FIELDS: &[&str] = &[
    "firstName",
    "name",
    "company",
    "title",
    "email",
    "domain",
    "country",
    "industry",
    "custom",
];

/// Template work allowed per render: plenty for any email, bounded for a loop that never ends.
const FUEL: u64 = 50_000;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(FUEL));
    env
}

/// Whether `text` is a template that uses only the lead's fields.
pub fn check_template(text: &str) -> Result<(), String> {
    let env = environment();
    let template = env
        .template_from_str(text)
        .map_err(|e| format!("the personalisation cannot be read: {e}"))?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !FIELDS.contains(&name.as_str()))
        .collect();
    unknown.sort();
    if let Some(name) = unknown.first() {
        return Err(format!(
            "{{{{ {name} }}}} is not a lead field; use {}",
            FIELDS.join(", ")
        ));
    }
    Ok(())
}

/// What a template sees of a lead.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient<'a> {
    // An unknown field is left out, not `none`, so that `default(..)` fills it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    pub email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<&'a str>,
    pub custom: &'a std::collections::BTreeMap<String, String>,
}

impl<'a> Recipient<'a> {
    pub fn of(email: &'a str, fields: &'a Fields) -> Recipient<'a> {
        Recipient {
            first_name: fields
                .name
                .as_deref()
                .and_then(|n| n.split_whitespace().next()),
            name: fields.name.as_deref(),
            company: fields.company.as_deref(),
            title: fields.title.as_deref(),
            email,
            domain: fields
                .domain
                .as_deref()
                .or(Some(crate::leads::email_domain(email))),
            country: fields.country.as_deref(),
            industry: fields.industry.as_deref(),
            custom: &fields.custom,
        }
    }
}

/// `template` filled in for `recipient`.
pub fn personalise(template: &str, recipient: &Recipient<'_>) -> Result<String, String> {
    environment()
        .render_str(template, recipient)
        .map(|text| text.trim().to_owned())
        .map_err(|e| format!("the personalisation failed: {e}"))
}

/// A mailbox (`Name <address>` or an address), or why not.
pub fn mailbox(text: &str) -> Result<Mailbox, String> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|e| format!("{text:?} is not a mailbox (Name <address>): {e}"))
}

/// Everything one mail is made of.
pub struct Compose<'a> {
    pub from: &'a Mailbox,
    pub reply_to: Option<&'a Mailbox>,
    pub to_email: &'a str,
    pub to_name: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
    /// Without angle brackets.
    pub message_id: &'a str,
    pub unsubscribe_url: &'a str,
    /// With open tracking: the pixel, in an HTML alternative of the text.
    pub pixel_url: Option<&'a str>,
}

/// The HTML alternative of a tracked message: the text's paragraphs, escaped, and the pixel.
#[derive(Template)]
#[template(path = "email.html")]
struct Html<'a> {
    paragraphs: Vec<Vec<&'a str>>,
    unsubscribe: &'a str,
    pixel: &'a str,
}

fn header(name: &str, value: String) -> HeaderValue {
    HeaderValue::new(
        HeaderName::new_from_ascii(name.to_owned()).expect("an ASCII header name"),
        value,
    )
}

/// The message, or why it cannot be made (an address the recipient's lead holds that SMTP
/// cannot carry).
pub fn compose(mail: &Compose<'_>) -> Result<Message, String> {
    let to = Mailbox::new(
        mail.to_name.map(str::to_owned),
        mail.to_email
            .parse()
            .map_err(|e| format!("{:?} cannot be mailed: {e}", mail.to_email))?,
    );
    let mut builder = Message::builder()
        .from(mail.from.clone())
        .to(to)
        .subject(mail.subject)
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date_now()
        .raw_header(header(
            "List-Unsubscribe",
            format!("<{}>", mail.unsubscribe_url),
        ))
        .raw_header(header(
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".into(),
        ));
    if let Some(reply_to) = mail.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let body = format!(
        "{}\n\n--\nNot interested? Unsubscribe with one click: {}\n",
        mail.body, mail.unsubscribe_url
    );
    let built = match mail.pixel_url {
        None => builder.header(ContentType::TEXT_PLAIN).body(body),
        Some(pixel) => {
            let html = Html {
                paragraphs: mail
                    .body
                    .split("\n\n")
                    .map(|p| p.lines().collect())
                    .collect(),
                unsubscribe: mail.unsubscribe_url,
                pixel,
            }
            .render()
            .map_err(|e| format!("the HTML part cannot be made: {e}"))?;
            builder.multipart(MultiPart::alternative_plain_html(body, html))
        }
    };
    built.map_err(|e| format!("the message cannot be built: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_use_lead_fields_and_defaults() {
        let fields = Fields {
            name: Some("Ann Lee".into()),
            company: Some("Acme".into()),
            custom: [("plan".to_owned(), "pro".to_owned())].into(),
            ..Fields::default()
        };
        let ann = Recipient::of("ann@acme.example", &fields);
        assert_eq!(
            personalise(
                "Hi {{ firstName }} at {{ company }} ({{ custom.plan }}, {{ custom.missing }})",
                &ann
            )
            .unwrap(),
            "Hi Ann at Acme (pro, )"
        );
        let empty = Fields::default();
        let bob = Recipient::of("bob@b.example", &empty);
        assert_eq!(
            personalise("Hi {{ firstName | default(\"there\") }}", &bob).unwrap(),
            "Hi there"
        );
        assert!(check_template("Hi {{ firstName }}").is_ok());
        let unknown = check_template("Hi {{ frist_name }}").unwrap_err();
        assert!(unknown.contains("frist_name"), "{unknown}");
        assert!(check_template("Hi {{ firstName ").is_err());
        let endless =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        assert!(personalise(endless, &bob).is_err(), "fuel runs out");
    }

    #[test]
    fn the_message_carries_the_one_click_unsubscribe_headers_and_link() {
        let from = mailbox("Acme <hello@acme.example>").unwrap();
        let message = compose(&Compose {
            from: &from,
            reply_to: None,
            to_email: "ann@b.example",
            to_name: Some("Ann"),
            subject: "Hello",
            body: "Body",
            message_id: "snd_1.ab@acme.example",
            unsubscribe_url: "https://cmo.example/u/tok",
            pixel_url: None,
        })
        .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(
            text.contains("Message-ID: <snd_1.ab@acme.example>"),
            "{text}"
        );
        assert!(text.contains("List-Unsubscribe: <https://cmo.example/u/tok>"));
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(text.contains("Unsubscribe with one click: https://cmo.example/u/tok"));
        assert!(mailbox("not an address").is_err());
        assert!(!text.contains("text/html"));
        let tracked = compose(&Compose {
            from: &from,
            reply_to: None,
            to_email: "ann@b.example",
            to_name: None,
            subject: "Hello",
            body: "<b>Body</b>",
            message_id: "snd_1.ab@acme.example",
            unsubscribe_url: "https://cmo.example/u/tok",
            pixel_url: Some("https://cmo.example/o/px"),
        })
        .unwrap();
        let text = String::from_utf8(tracked.formatted()).unwrap();
        assert!(text.contains("multipart/alternative") && text.contains("text/html"));
        assert!(text.contains("https://cmo.example/o/px"), "{text}");
        assert!(!text.contains("<b>Body</b></p>"), "escaped: {text}");
    }
}
