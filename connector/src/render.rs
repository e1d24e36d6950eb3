//! Renders the step's templates over the process variables into what the message needs.
//! Inputs an expression computed are data: escaped, never rendered as templates.

use serde_json::json;

use crate::config::{Blocks, Config, Issue, People};
use crate::slack::limits::Draft;
use crate::slack::message::{self, BlocksError, Presentation};
use crate::template::{self, Escaping};
use crate::values::{self, Mentionee};

/// Renders inputs over one set of process variables.
pub struct Renderer<'a> {
    /// Read once into template values: every render then shares them, unconverted.
    variables: minijinja::Value,
    computed: &'a [String],
    /// Every input is sent as written (the step's `verbatim`).
    verbatim: bool,
}

/// The step's inputs, rendered.
#[derive(Debug)]
pub struct Rendered {
    /// The rendered `channel`, when given.
    pub channel: Option<String>,
    /// The content, before mentions and Slack's limits.
    pub draft: Draft,
    /// The `ts` to reply to.
    pub thread: Option<String>,
    /// Name, icon and unfurling.
    pub presentation: Presentation,
    /// Who to mention.
    pub mentions: Vec<Mentionee>,
}

impl<'a> Renderer<'a> {
    /// A renderer over the process variables (JSON text; none at all is an empty object).
    pub fn new(variables: &str, computed: &'a [String]) -> Result<Self, Issue> {
        Ok(Renderer { variables: parse_variables(variables)?, computed, verbatim: false })
    }

    /// The same renderer, sending every input as written when `verbatim`.
    pub fn verbatim(self, verbatim: bool) -> Self {
        Renderer { verbatim, ..self }
    }

    /// Renders the inputs of an operation other than posting, listing every input that fails.
    pub fn operation(&self, config: &Config) -> Result<OperationInputs, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut verbatim =
            |input, source: &Option<String>| self.optional(&mut issues, input, source.as_deref(), Escaping::Verbatim);
        let channel = verbatim("channel", &config.channel);
        let name = verbatim("name", &config.name);
        let emoji = verbatim("emoji", &config.emoji);
        let timestamp = verbatim("timestamp", &config.timestamp);
        let users = self.people(&mut issues, "users", config.users.as_ref());
        match users {
            Some(users) if issues.is_empty() => Ok(OperationInputs {
                channel,
                name,
                is_private: config.is_private.unwrap_or(false),
                users,
                emoji,
                timestamp,
            }),
            _ => Err(issues),
        }
    }

    /// The people an input names, rendered and checked; `None` with its issue recorded.
    fn people(&self, issues: &mut Vec<Issue>, input: &str, people: Option<&People>) -> Option<Vec<Mentionee>> {
        match people {
            None => Some(Vec::new()),
            Some(People::Built(items)) => keep(issues, values::people(input, items)),
            Some(People::Template(source)) => keep(
                issues,
                self.render(input, source, Escaping::Verbatim).and_then(|items| values::people(input, &[items])),
            ),
        }
    }

    /// Renders every template of the step, listing every input that fails.
    pub fn message(&self, config: &Config) -> Result<Rendered, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut verbatim =
            |input, source: &Option<String>| self.optional(&mut issues, input, source.as_deref(), Escaping::Verbatim);
        let channel = verbatim("channel", &config.channel);
        let thread = verbatim("thread", &config.thread);
        let presentation = Presentation {
            username: verbatim("username", &config.username),
            icon_emoji: verbatim("icon_emoji", &config.icon_emoji),
            icon_url: verbatim("icon_url", &config.icon_url),
            unfurl_links: config.unfurl_links,
            unfurl_media: config.unfurl_media,
            link_names: config.link_names,
        };
        let text = self.optional(&mut issues, "text", config.text.as_deref(), Escaping::Mrkdwn);
        let blocks = match &config.blocks {
            None => None,
            Some(Blocks::Template(source)) => keep(
                &mut issues,
                self.render("blocks", source, Escaping::BlockKitJson)
                    .and_then(|json| message::parse_blocks(&json).map_err(blocks_issue)),
            ),
            Some(Blocks::Built(value)) => {
                keep(&mut issues, message::blocks_from_value(value.clone()).map_err(blocks_issue))
            }
        };
        let mentions = self.people(&mut issues, "mention", config.mention.as_ref());
        let channel_failed = issues.iter().any(|issue| issue.field == "channel");
        if config.channel.is_some() && channel.is_none() && !channel_failed {
            issues.push(Issue::new(
                "channel",
                "`channel` renders to nothing: it must name a channel, user or e-mail address",
            ));
        }
        match mentions {
            Some(mentions) if issues.is_empty() => {
                Ok(Rendered { channel, draft: Draft { text, blocks }, thread, presentation, mentions })
            }
            _ => Err(issues),
        }
    }

    /// The rendered `update_key` (its template `source`), when the step has one that
    /// renders to something.
    pub fn update_key(&self, source: Option<&str>) -> Result<Option<String>, Issue> {
        source
            .map(|source| self.render("update_key", source, Escaping::Verbatim))
            .transpose()
            .map(|key| key.map(|key| key.trim().to_owned()).filter(|key| !key.is_empty()))
    }

    /// One input: rendered as a template, escaped as data when an expression computed it, or
    /// as written when the step is verbatim.
    fn render(&self, input: &str, source: &str, escaping: Escaping) -> Result<String, Issue> {
        if self.verbatim {
            return Ok(source.to_owned());
        }
        if self.computed.iter().any(|name| name == input) {
            return Ok(template::data(source, escaping));
        }
        template::render(input, source, escaping, &self.variables).map_err(Issue::from)
    }

    /// An optional input rendered and trimmed; one rendering to nothing counts as absent.
    fn optional(
        &self,
        issues: &mut Vec<Issue>,
        input: &str,
        source: Option<&str>,
        escaping: Escaping,
    ) -> Option<String> {
        let rendered = keep(issues, self.render(input, source?, escaping));
        let trimmed = match escaping {
            // Text keeps its leading indentation and line breaks; only blank text is absent.
            Escaping::Mrkdwn => rendered.filter(|text| !text.trim().is_empty()),
            Escaping::BlockKitJson | Escaping::Verbatim => rendered.map(|text| text.trim().to_owned()),
        };
        trimmed.filter(|text| !text.is_empty())
    }
}

/// The inputs of an operation other than posting, rendered.
#[derive(Debug)]
pub struct OperationInputs {
    /// The conversation, as `channel` names it.
    pub channel: Option<String>,
    /// The new channel's name.
    pub name: Option<String>,
    /// Whether the new channel is private.
    pub is_private: bool,
    /// Who to invite.
    pub users: Vec<Mentionee>,
    /// The emoji's name.
    pub emoji: Option<String>,
    /// The `ts` of the message.
    pub timestamp: Option<String>,
}

/// The draft with the mentions (user ids) in front: in the text, and with blocks also in a
/// first section, since Slack shows only the blocks then. The `<@U…>` markup is the
/// connector's own, on purpose; the data stays escaped.
pub fn with_mentions(draft: Draft, users: &[String]) -> Draft {
    if users.is_empty() {
        return draft;
    }
    let mentions = users.iter().map(|user| format!("<@{user}>")).collect::<Vec<_>>().join(" ");
    let blocks = draft.blocks.map(|blocks| {
        let section = json!({ "type": "section", "text": { "type": "mrkdwn", "text": mentions } });
        std::iter::once(section).chain(blocks).collect()
    });
    let text = match draft.text {
        Some(text) => format!("{mentions} {text}"),
        None => mentions,
    };
    Draft { text: Some(text), blocks }
}

/// The process variables; none at all counts as an empty object.
fn parse_variables(variables: &str) -> Result<minijinja::Value, Issue> {
    if variables.trim().is_empty() {
        return Ok(minijinja::context! {});
    }
    match serde_json::from_str::<minijinja::Value>(variables) {
        Ok(object) if object.kind() == minijinja::value::ValueKind::Map => Ok(object),
        Ok(_) => Err(Issue::new("variables", "the process variables must be a JSON object")),
        Err(error) => Err(Issue::new("variables", format!("the process variables are not valid JSON: {error}"))),
    }
}

/// The value of a result, or `None` with its issue recorded.
fn keep<T>(issues: &mut Vec<Issue>, result: Result<T, Issue>) -> Option<T> {
    result.map_err(|issue| issues.push(issue)).ok()
}

fn blocks_issue(error: BlocksError) -> Issue {
    Issue::new("blocks", format!("`blocks` {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(config: &str, variables: &str, computed: &[String]) -> Result<Rendered, Vec<Issue>> {
        let config = Config::parse(config).unwrap();
        Renderer::new(variables, computed).unwrap().message(&config)
    }

    #[test]
    fn templates_render_and_computed_inputs_are_data() {
        let computed = ["text".to_owned()];
        let message = rendered(
            r##"{"channel": "#{{ team }}", "text": "<@U1> {{ x }}", "username": "{{ team }} bot",
                 "mention": "{{ who }}, U0123456789", "unfurl_links": "false"}"##,
            r#"{"team": "ops", "who": "ada@example.com"}"#,
            &computed,
        )
        .unwrap();
        assert_eq!(message.channel.as_deref(), Some("#ops"));
        assert_eq!(message.draft.text.as_deref(), Some("&lt;@U1&gt; {{ x }}"));
        assert_eq!(message.presentation.username.as_deref(), Some("ops bot"));
        assert_eq!(message.presentation.unfurl_links, Some(false));
        assert_eq!(
            message.mentions,
            [Mentionee::Email("ada@example.com".into()), Mentionee::User("U0123456789".into())]
        );
    }

    #[test]
    fn every_failing_input_is_listed() {
        let issues = rendered(
            r#"{"channel": "{{ a }}", "text": "{{ b }}", "blocks": "[{{ c }}]", "mention": "bob"}"#,
            "{}",
            &[],
        )
        .unwrap_err();
        let fields: Vec<&str> = issues.iter().map(|issue| issue.field.as_str()).collect();
        assert_eq!(fields, ["channel", "text", "blocks", "mention"]);
    }

    #[test]
    fn mentions_go_first_in_text_and_blocks() {
        let draft = Draft { text: Some("hi".into()), blocks: Some(vec![json!({"type": "divider"})]) };
        let draft = with_mentions(draft, &["U1".into(), "U2".into()]);
        assert_eq!(draft.text.as_deref(), Some("<@U1> <@U2> hi"));
        let blocks = draft.blocks.unwrap();
        assert_eq!(blocks[0]["text"]["text"], "<@U1> <@U2>");
        assert_eq!(blocks.len(), 2);
    }

    #[test]
    fn the_update_key_renders_trimmed() {
        let config = Config::parse(r#"{"channel": "C1", "text": "x", "update_key": " inc-{{ id }} "}"#).unwrap();
        let renderer = Renderer::new(r#"{"id": 7}"#, &[]).unwrap();
        assert_eq!(renderer.update_key(config.update_key.as_deref()).unwrap().as_deref(), Some("inc-7"));
    }
}
