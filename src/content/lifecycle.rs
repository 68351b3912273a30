//! Creating content and moving it through its states, each change with its event in the same
//! transaction. Transitions not allowed from the current state are conflicts naming that state.

use serde_json::{Value, json};

use super::brief::Grounding;
use super::writer::{self, Brief};
use super::{ContentItem, LandingCopy, State};
use crate::brand::BrandProfile;
use crate::clock::rfc3339;
use crate::error::Error;
use crate::store::{
    ContentChange, ContentChanger, ContentRow, Millis, NewEvent, Store, StoreError,
};

/// A change asked of an item.
#[derive(Debug, Clone)]
pub enum Action {
    Approve,
    Reject {
        reason: String,
    },
    Edit(Edits),
    /// The caller's own text for the item, written from its brief or revised after the checks.
    Submit(Submission),
}

/// A piece the caller wrote; `None` keeps the current value.
#[derive(Debug, Clone)]
pub struct Submission {
    pub title: String,
    pub body: String,
    pub meta_description: Option<String>,
    pub landing_copy: Option<LandingCopy>,
    pub keywords: Option<Vec<String>>,
}

/// Fields an edit may change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct Edits {
    pub title: Option<String>,
    pub meta_description: Option<String>,
    pub body: Option<String>,
    pub keywords: Option<Vec<String>>,
}

impl Action {
    fn allowed_from(&self) -> &'static [State] {
        match self {
            Action::Approve => &[State::Draft],
            Action::Reject { .. } => &[State::Brief, State::Draft, State::Approved],
            Action::Edit(_) => &[State::Draft, State::Rejected],
            Action::Submit(_) => &[State::Brief, State::Draft, State::Rejected],
        }
    }

    fn verb(&self) -> &'static str {
        match self {
            Action::Approve => "approved",
            Action::Reject { .. } => "rejected",
            Action::Edit(_) => "edited",
            Action::Submit(_) => "submitted",
        }
    }

    /// What to do instead, for an item in `state` this action does not apply to.
    fn hint(&self, state: State) -> &'static str {
        match (self, state) {
            (Action::Approve | Action::Edit(_), State::Brief) => {
                " (nothing is written yet: hand in its text with submit_draft first)"
            }
            _ => "",
        }
    }
}

/// A `content.*` event: the item as it is after the change, plus one field of the change
/// itself where there is one (a rejection's reason, the channels of a schedule).
fn event(
    customer: &str,
    kind: &str,
    item: &ContentItem,
    at: Millis,
    extra: Option<(&str, Value)>,
) -> NewEvent {
    let mut data = json!({"contentId": item.id, "format": item.format, "title": item.title, "state": item.state, "revision": item.revision});
    if let Some((key, value)) = extra {
        data[key] = value;
    }
    NewEvent::new(customer, kind, &data, at)
}

fn decode(row: &ContentRow) -> Result<ContentItem, StoreError> {
    serde_json::from_str(&row.item)
        .map_err(|e| StoreError::Corrupt(format!("content {} is unreadable: {e}", row.id)))
}

fn encode(item: &ContentItem) -> Result<String, StoreError> {
    serde_json::to_string(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Stores a new draft and its `content.created` event.
pub async fn create(
    store: &Store,
    customer: &str,
    item: &ContentItem,
    at: Millis,
) -> Result<(), Error> {
    let row = ContentRow {
        id: item.id.clone(),
        format: item.format.as_str().to_owned(),
        state: item.state.as_str().to_owned(),
        item: encode(item)?,
        updated_at: at,
    };
    store
        .create_content(
            customer,
            row,
            event(customer, "content.created", item, at, None),
        )
        .await?;
    Ok(())
}

/// The item, if the customer has it.
pub async fn get(store: &Store, customer: &str, id: &str) -> Result<ContentItem, Error> {
    let row = store
        .content(customer, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No content {id}")))?;
    Ok(decode(&row)?)
}

/// Applies `action`; a state it does not apply to is a conflict naming the current state.
pub async fn apply(
    store: &Store,
    customer: &str,
    id: &str,
    action: Action,
    brand: Option<BrandProfile>,
    at: Millis,
) -> Result<ContentItem, Error> {
    let owner = customer.to_owned();
    let row = store
        .change_content(
            customer,
            id,
            at,
            Box::new(move |row| {
                let mut item = decode(row)?;
                if !action.allowed_from().contains(&item.state) {
                    let allowed: Vec<&str> =
                        action.allowed_from().iter().map(|s| s.as_str()).collect();
                    return Err(StoreError::Conflict(format!(
                        "Content {} is {}; only {} content can be {}{}",
                        item.id,
                        item.state.as_str(),
                        allowed.join(" or "),
                        action.verb(),
                        action.hint(item.state)
                    )));
                }
                item.revision += 1;
                item.updated_at = rfc3339(at);
                let (kind, reason) = match action {
                    Action::Approve => {
                        item.state = State::Approved;
                        ("content.approved", None)
                    }
                    Action::Reject { reason } => {
                        item.state = State::Rejected;
                        item.rejection_reason = Some(reason.clone());
                        ("content.rejected", Some(reason))
                    }
                    Action::Edit(edits) => {
                        edit(&mut item, edits);
                        redraft(&mut item, brand.as_ref());
                        ("content.updated", None)
                    }
                    Action::Submit(submission) => {
                        submit(&mut item, submission);
                        redraft(&mut item, brand.as_ref());
                        ("content.updated", None)
                    }
                };
                Ok(ContentChange {
                    state: item.state.as_str().to_owned(),
                    event: Some(event(
                        &owner,
                        kind,
                        &item,
                        at,
                        reason.map(|reason| ("reason", json!(reason))),
                    )),
                    item: encode(&item)?,
                })
            }),
        )
        .await?;
    Ok(decode(&row)?)
}

fn edit(item: &mut ContentItem, edits: Edits) {
    if let Some(title) = edits.title {
        item.slug = super::slug(&title);
        item.title = title;
    }
    if let Some(meta) = edits.meta_description {
        item.meta_description = meta;
    }
    if let Some(body) = edits.body {
        item.outline = super::outline(&body);
        item.body = body;
    }
    if let Some(keywords) = edits.keywords {
        item.keywords = keywords;
    }
}

/// The caller wrote it: an edit of every text field, and from now on the text is theirs.
fn submit(item: &mut ContentItem, submission: Submission) {
    edit(
        item,
        Edits {
            title: Some(submission.title),
            meta_description: submission.meta_description,
            body: Some(submission.body),
            keywords: submission.keywords,
        },
    );
    if submission.landing_copy.is_some() {
        item.landing_copy = submission.landing_copy;
    }
    item.engine = "client".into();
    item.usage = None;
}

/// A changed text is a draft again, checked again: against its brief's length and limit when
/// it has one, else against its own length.
fn redraft(item: &mut ContentItem, brand: Option<&BrandProfile>) {
    item.state = State::Draft;
    item.rejection_reason = None;
    let language = super::language(brand);
    let (target, max_chars) = match &item.brief {
        Some(brief) if brief.length.unit == "characters" => {
            (brief.length.target, Some(brief.length.max))
        }
        Some(brief) => (brief.length.target, None),
        None => (item.body.split_whitespace().count() as u32, None),
    };
    item.run_checks(target.max(1), max_chars, language);
}

/// Drafts, checks and stores a new item; without an engine, stores its writing brief.
pub async fn draft(
    store: &Store,
    customer: &str,
    engine: Option<&dyn crate::llm::Llm>,
    brief: &Brief,
    brand: Option<&BrandProfile>,
    grounding: &Grounding,
    at: Millis,
) -> Result<ContentItem, Error> {
    let id = format!("cnt_{}", crate::auth::random_hex(8));
    let item = match engine {
        Some(engine) => {
            let (draft, engine, usage) = writer::write(engine, brief, brand, grounding).await?;
            if let Some(usage) = usage {
                store
                    .record_usage(
                        customer,
                        at,
                        &engine,
                        usage.input_tokens,
                        usage.output_tokens,
                    )
                    .await?;
            }
            writer::finish(id, brief, draft, engine, usage, brand, rfc3339(at))
        }
        None => writer::briefed(id, brief, grounding, super::language(brand), rfc3339(at)),
    };
    create(store, customer, &item, at).await?;
    Ok(item)
}

/// The move of an item whose posts are being queued: `approved` (or already `scheduled` or
/// `published`, for more channels) → `scheduled`, with `content.scheduled`. Anything else is a
/// conflict: only approved content goes out.
pub fn scheduling(customer: &str, channels: Vec<String>, at: Millis) -> ContentChanger {
    let owner = customer.to_owned();
    Box::new(move |row| {
        let mut item = decode(row)?;
        if !matches!(
            item.state,
            State::Approved | State::Scheduled | State::Published
        ) {
            return Err(StoreError::Conflict(format!(
                "Content {} is {}; only approved content can be scheduled or published (approve_content first)",
                item.id,
                item.state.as_str()
            )));
        }
        if item.state == State::Approved {
            item.state = State::Scheduled;
        }
        item.revision += 1;
        item.updated_at = rfc3339(at);
        let scheduled = event(
            &owner,
            "content.scheduled",
            &item,
            at,
            Some(("channels", json!(channels))),
        );
        Ok(ContentChange {
            state: item.state.as_str().to_owned(),
            item: encode(&item)?,
            event: Some(scheduled),
        })
    })
}

/// The move of an item when one of its posts went out: → `published` (its event is the post's
/// `content.published`, written by the caller).
pub fn published(at: Millis) -> ContentChanger {
    Box::new(move |row| {
        let mut item = decode(row)?;
        if item.state != State::Published {
            item.state = State::Published;
            item.revision += 1;
            item.updated_at = rfc3339(at);
        }
        Ok(ContentChange {
            state: item.state.as_str().to_owned(),
            item: encode(&item)?,
            event: None,
        })
    })
}

/// The move of an item whose last queued post was cancelled: `scheduled` → `approved`, with
/// `content.unscheduled`, ready to be scheduled again. Other states are left as they are.
pub fn unscheduled(customer: &str, at: Millis) -> ContentChanger {
    let owner = customer.to_owned();
    Box::new(move |row| {
        let mut item = decode(row)?;
        let mut unscheduled = None;
        if item.state == State::Scheduled {
            item.state = State::Approved;
            item.revision += 1;
            item.updated_at = rfc3339(at);
            unscheduled = Some(event(&owner, "content.unscheduled", &item, at, None));
        }
        Ok(ContentChange {
            state: item.state.as_str().to_owned(),
            item: encode(&item)?,
            event: unscheduled,
        })
    })
}
