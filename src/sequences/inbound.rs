//! Inbound mail, as a relay posts it (the raw RFC 5322 message): a reply to a step, matched
//! by the Message-IDs in `In-Reply-To` and `References`, or a delivery status notification
//! (RFC 3464, `multipart/report; report-type=delivery-status`) whose original message is
//! found by the Message-ID of the returned message or headers.

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

use super::definition_of;
use crate::error::Error;
use crate::leads::suppression_hash;
use crate::store::{LeadAction, Millis, NewEvent, Stop, Store};

/// What the vault binds a customer's inbound secret to.
pub fn secret_purpose(customer: &str) -> String {
    format!("inbound:{customer}")
}

/// What an inbound message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A person's answer, with the Message-IDs it answers (nearest first).
    Reply { answers: Vec<String> },
    /// A failed delivery of the message with one of `original`.
    Bounce {
        original: Vec<String>,
        /// The RFC 3463 status, e.g. `5.1.1`.
        status: Option<String>,
        diagnostic: Option<String>,
        /// A 5.x.x status: the address will not work; a 4.x.x one may.
        permanent: bool,
    },
    /// A report that is not a failure (a delay, a delivery), or mail that answers nothing.
    Other,
}

/// A parsed inbound message: what it is, and the key it is remembered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub inbound: Inbound,
    /// Its own Message-ID, if it has one.
    pub message_id: Option<String>,
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    value
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .map(|id| id.trim().trim_matches(['<', '>']).to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

/// The fields of a `message/delivery-status` body (RFC 3464 §2): `name: value` lines, folded
/// lines joined, across the per-message and per-recipient groups.
fn status_fields(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    fields
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn bounce(message: &Message<'_>) -> Option<Inbound> {
    let report = message.content_type()?;
    let is_dsn = report.ctype().eq_ignore_ascii_case("multipart")
        && report
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        && report
            .attribute("report-type")
            .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"));
    if !is_dsn {
        return None;
    }
    let (mut fields, mut original) = (Vec::new(), Vec::new());
    for part in message.parts.iter().skip(1) {
        let Some(kind) = part.content_type() else {
            continue;
        };
        let kind = format!(
            "{}/{}",
            kind.ctype().to_ascii_lowercase(),
            kind.subtype().unwrap_or_default().to_ascii_lowercase()
        );
        match kind.as_str() {
            "message/delivery-status" | "message/global-delivery-status" => {
                fields = status_fields(&String::from_utf8_lossy(part.contents()));
            }
            "message/rfc822" | "message/global" | "text/rfc822-headers" => {
                let returned = match part.message() {
                    Some(nested) => nested.message_id().map(str::to_owned),
                    None => MessageParser::default()
                        .parse(part.contents())
                        .and_then(|m| m.message_id().map(str::to_owned)),
                };
                original.extend(returned);
            }
            _ => {}
        }
    }
    let action = field(&fields, "action")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if action != "failed" {
        return Some(Inbound::Other);
    }
    let status = field(&fields, "status")
        .map(|s| s.split_whitespace().next().unwrap_or_default().to_owned());
    Some(Inbound::Bounce {
        permanent: status.as_deref().is_none_or(|s| s.starts_with('5')),
        status,
        diagnostic: field(&fields, "diagnostic-code").map(str::to_owned),
        original,
    })
}

/// Reads a raw message, or says why it is not one.
pub fn read(raw: &[u8]) -> Result<Read, String> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| m.from().is_some())
        .ok_or("the body is not an email message (RFC 5322, with a From header)")?;
    let message_id = message.message_id().map(str::to_owned);
    if let Some(inbound) = bounce(&message) {
        return Ok(Read {
            inbound,
            message_id,
        });
    }
    let mut answers = ids(message.in_reply_to());
    for id in ids(message.references()).into_iter().rev() {
        if !answers.contains(&id) {
            answers.push(id);
        }
    }
    let inbound = if answers.is_empty() {
        Inbound::Other
    } else {
        Inbound::Reply { answers }
    };
    Ok(Read {
        inbound,
        message_id,
    })
}

/// What an inbound message did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// `reply`, `bounce` or `other`.
    pub kind: &'static str,
    /// Whether it answers (or returns) a message a sequence sent.
    pub matched: bool,
    /// Seen before under the same key: nothing changed this time.
    pub duplicate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_id: Option<String>,
}

/// Applies an inbound message of `customer`'s: a reply stops the lead's sequence (when its
/// rules say so), moves the lead to `replied`, counts as intent and appends `lead.replied`;
/// a bounce stops it, suppresses the address when permanent and appends `email.bounced`.
/// `key` (the message's Message-ID, else the relay's `webhook-id`) makes a repeat a no-op.
pub async fn apply(
    store: &Store,
    customer: &str,
    read: Read,
    relay_id: &str,
    now: Millis,
) -> Result<Applied, Error> {
    let key = read
        .message_id
        .clone()
        .unwrap_or_else(|| relay_id.to_owned());
    let (kind, ids) = match &read.inbound {
        Inbound::Reply { answers } => ("reply", answers.clone()),
        Inbound::Bounce { original, .. } => ("bounce", original.clone()),
        Inbound::Other => ("other", Vec::new()),
    };
    let unmatched = Applied {
        kind,
        matched: false,
        duplicate: false,
        lead_id: None,
        sequence_id: None,
    };
    if ids.is_empty() {
        return Ok(unmatched);
    }
    let Some((send, enrollment)) = store.send_by_message_id(customer, &ids).await? else {
        return Ok(unmatched);
    };
    let Some(sequence) = store.sequence(customer, &enrollment.sequence_id).await? else {
        return Ok(unmatched);
    };
    let rules = definition_of(&sequence)?.stop;
    let lead = enrollment.lead_id.clone();
    let about = json!({
        "leadId": lead,
        "sequenceId": sequence.id,
        "step": send.step,
        "messageId": send.message_id,
    });
    let stop = match read.inbound {
        Inbound::Reply { .. } => Stop {
            inbound_key: Some(key),
            enrollments: if rules.on_reply {
                vec![enrollment.id]
            } else {
                Vec::new()
            },
            reason: "replied".into(),
            action: Some(LeadAction {
                lead_id: lead.clone(),
                action: crate::leads::intent::Action::Reply.as_str().into(),
                at: now,
                detail: Some(format!("to step {} of {}", send.step + 1, sequence.name)),
            }),
            stage: Some("replied"),
            suppress: None,
            events: vec![NewEvent::new(
                customer.to_owned(),
                "lead.replied",
                &about,
                now,
            )],
        },
        Inbound::Bounce {
            status,
            diagnostic,
            permanent,
            ..
        } => {
            let email = store.lead(customer, &lead).await?.map(|l| l.email);
            let mut data = about.clone();
            data["status"] = json!(status);
            data["diagnostic"] = json!(diagnostic);
            data["permanent"] = json!(permanent);
            Stop {
                inbound_key: Some(key),
                enrollments: if rules.on_bounce {
                    vec![enrollment.id]
                } else {
                    Vec::new()
                },
                reason: "bounced".into(),
                action: None,
                stage: None,
                // Only when the address itself is gone (5.1.x bad mailbox, 5.2.1 disabled),
                // not when the message was refused (5.7.x policy) or the box is full.
                suppress: email
                    .filter(|_| {
                        permanent
                            && status
                                .as_deref()
                                .is_none_or(|s| s.starts_with("5.1.") || s == "5.2.1")
                    })
                    .map(|email| suppression_hash(customer, &email)),
                events: vec![NewEvent::new(
                    customer.to_owned(),
                    "email.bounced",
                    &data,
                    now,
                )],
            }
        }
        Inbound::Other => return Ok(unmatched),
    };
    let applied = store.stop(customer, Some(&lead), stop, now).await?;
    if applied && kind == "reply" {
        crate::leads::score::rescore(store, customer, now, Some(std::slice::from_ref(&lead)))
            .await?;
    }
    Ok(Applied {
        kind,
        matched: true,
        duplicate: !applied,
        lead_id: Some(lead),
        sequence_id: Some(sequence.id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_names_what_it_answers() {
        let raw = b"From: Ann <ann@b.example>\r\nTo: hello@acme.example\r\nSubject: Re: Hello\r\n\
Message-ID: <reply-1@b.example>\r\nIn-Reply-To: <snd_2.x@acme.example>\r\n\
References: <snd_1.x@acme.example> <snd_2.x@acme.example>\r\n\r\nYes please.\r\n";
        let read = read(raw).unwrap();
        assert_eq!(read.message_id.as_deref(), Some("reply-1@b.example"));
        assert_eq!(
            read.inbound,
            Inbound::Reply {
                answers: vec!["snd_2.x@acme.example".into(), "snd_1.x@acme.example".into()]
            }
        );
    }

    #[test]
    fn a_delivery_status_notification_is_a_bounce_of_the_returned_message() {
        let raw = "From: MAILER-DAEMON@mx.b.example\r\nTo: hello@acme.example\r\n\
Subject: Undelivered Mail\r\nMessage-ID: <dsn-1@mx.b.example>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.b.example\r\n\r\n\
Final-Recipient: rfc822; ann@b.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 no such\r\n user\r\n\r\n\
--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: hello@acme.example\r\n\
Message-ID: <snd_1.x@acme.example>\r\nSubject: Hello\r\n\r\n--B--\r\n";
        let read = read(raw.as_bytes()).unwrap();
        assert_eq!(
            read.inbound,
            Inbound::Bounce {
                original: vec!["snd_1.x@acme.example".into()],
                status: Some("5.1.1".into()),
                diagnostic: Some("smtp; 550 5.1.1 no such user".into()),
                permanent: true,
            }
        );
        let delayed = raw.replace("Action: failed", "Action: delayed");
        assert_eq!(read_inbound(&delayed), Inbound::Other);
        assert!(super::read(b"").is_err());
        assert!(super::read(b"\x00\x01 not mail").is_err());
    }

    fn read_inbound(raw: &str) -> Inbound {
        read(raw.as_bytes()).unwrap().inbound
    }
}
