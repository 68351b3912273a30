//! An MCP client whose "model" answers sampling requests by a rule of the test's, recording each
//! prompt it was asked with the system prompt that came with it.

use std::sync::{Arc, Mutex};

use rmcp::{ClientHandler, RoleClient};

/// What the model was asked: the user prompt and the system prompt, if any.
pub type Asked = (String, Option<String>);

#[derive(Clone)]
pub struct Model {
    answer: fn(&str) -> &'static str,
    name: &'static str,
    asked: Arc<Mutex<Vec<Asked>>>,
}

impl Model {
    /// A model named `name` that answers a prompt with `answer(prompt)`.
    pub fn new(name: &'static str, answer: fn(&str) -> &'static str) -> Model {
        Model {
            answer,
            name,
            asked: Arc::default(),
        }
    }

    /// Everything asked so far, in order.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap().clone()
    }
}

#[expect(
    deprecated,
    reason = "sampling is SEP-2577-deprecated but is what current clients offer"
)]
impl ClientHandler for Model {
    fn get_info(&self) -> rmcp::model::ClientConfig {
        rmcp::model::ClientConfig::new(
            rmcp::model::ClientCapabilities::builder()
                .enable_sampling()
                .build(),
            rmcp::model::Implementation::new("model", "1"),
        )
    }

    async fn create_message(
        &self,
        params: rmcp::model::CreateMessageRequestParams,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::CreateMessageResult, rmcp::ErrorData> {
        let prompt = serde_json::to_value(&params.messages[0]).unwrap()["content"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let text = (self.answer)(&prompt);
        self.asked
            .lock()
            .unwrap()
            .push((prompt, params.system_prompt));
        Ok(rmcp::model::CreateMessageResult::new(
            rmcp::model::SamplingMessage::assistant_text(text),
            self.name.into(),
        ))
    }
}
