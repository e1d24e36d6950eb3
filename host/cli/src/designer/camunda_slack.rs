//! The element template of Camunda's Slack connector task type (`io.camunda:slack:1`): the
//! inputs Camunda's runtime reads (`token`, `method`, `data.*`), each shown only for the
//! Slack method that takes it, so one task runs on Camunda and on herald alike.

use serde_json::{Value, json};

use herald_bpmn::CAMUNDA_SLACK_TYPE;

use super::template::{Property, Template};

/// The id of the method dropdown, which the other fields' conditions name.
const METHOD: &str = "method";
/// The id of the message type dropdown of `chat.postMessage`.
const MESSAGE_TYPE: &str = "post.messageType";
/// The id of the dropdown that says how an invitation names its channel.
const INVITE_BY: &str = "invite.channelBy";

/// The Slack methods Camunda's task type runs, as (label, method).
const METHODS: [(&str, &str); 6] = [
    ("Post a message", POST),
    ("Create a channel", "conversations.create"),
    ("Invite people to a channel", INVITE),
    ("Add a reaction to a message", "reactions.add"),
    ("Pin a message", "pins.add"),
    ("Unpin a message", "pins.remove"),
];
const POST: &str = "chat.postMessage";
const INVITE: &str = "conversations.invite";
/// The methods that act on a message already posted: they take its channel and `ts`.
const ON_A_MESSAGE: [&str; 3] = ["reactions.add", "pins.add", "pins.remove"];

/// Slack's rule for channel names, or an expression.
const CHANNEL_NAME: &str = "^(=.*|[-_a-z0-9]{1,80})$";
const CHANNEL_NAME_RULE: &str = "lowercase letters, digits, hyphens and underscores, at most 80";

/// The template.
pub fn camunda_slack_template() -> Value {
    let post = || equals(METHOD, POST);
    let create = || equals(METHOD, "conversations.create");
    let invite = || equals(METHOD, INVITE);
    let fields = vec![
        Property::input("String", "token")
            .text(
                "Bot token",
                "The Slack app's bot token (xoxb-…). Keep it out of the diagram: write {{secrets.SLACK_TOKEN}} \
                 and set the secret SLACK_TOKEN",
                "authentication",
            )
            .with("placeholder", "{{secrets.SLACK_TOKEN}}")
            .feel("optional")
            .required()
            .build(),
        Property::input("Dropdown", "method")
            .with("id", METHOD)
            .text("Action", "What the step asks Slack to do", "action")
            .choices(&METHODS)
            .with("value", POST)
            .build(),
        // chat.postMessage
        Property::input("String", "data.channel")
            .with("id", "post.channel")
            .text(
                "Channel",
                "Where to post: a channel id (C…), #name or a bare name; or, for a direct message, a user id \
                 (U…), an e-mail address or @Full Name",
                "message",
            )
            .feel("optional")
            .required()
            .with("condition", post())
            .build(),
        Property::input("Dropdown", "data.messageType")
            .with("id", MESSAGE_TYPE)
            .text("Message type", "Text, or Block Kit blocks", "message")
            .choices(&[("Text", "plainText"), ("Block Kit", "messageBlock")])
            .with("value", "plainText")
            .with("condition", post())
            .build(),
        Property::input("Text", "data.text")
            .with("id", "post.text")
            .text("Text", "The message, in Slack's mrkdwn", "message")
            .feel("optional")
            .required()
            .with("condition", both(post(), equals(MESSAGE_TYPE, "plainText")))
            .build(),
        Property::input("Text", "data.blockContent")
            .with("id", "post.blocks")
            .text(
                "Blocks",
                "A FEEL list of Block Kit blocks, e.g. =[{type: \"section\", text: {type: \"mrkdwn\", text: \
                 \"Shipped\"}}]",
                "message",
            )
            .feel("required")
            .required()
            .with("condition", both(post(), equals(MESSAGE_TYPE, "messageBlock")))
            .build(),
        Property::input("String", "data.thread")
            .with("id", "post.thread")
            .text("Thread", "Reply in the thread of the message with this ts, e.g. =posted.ts", "message")
            .feel("optional")
            .with("condition", post())
            .optional()
            .build(),
        Property::input("String", "data.documents")
            .with("id", "post.documents")
            .text(
                "Documents",
                "Files to attach: a FEEL expression that gives a list of documents. herald attaches documents \
                 whose content is inline ({\"camunda.document.type\": \"inline\", name: …, content: …}), not \
                 references into Camunda's document store or external URLs",
                "message",
            )
            .feel("required")
            .with("condition", post())
            .optional()
            .build(),
        // conversations.create
        Property::input("String", "data.newChannelName")
            .with("id", "create.name")
            .text("Channel name", &format!("The new channel's name: {CHANNEL_NAME_RULE} characters"), "channel")
            .feel("optional")
            .required()
            .pattern(CHANNEL_NAME, CHANNEL_NAME_RULE)
            .with("condition", create())
            .build(),
        Property::input("Dropdown", "data.visibility")
            .with("id", "create.visibility")
            .text("Visibility", "Who may find and join the channel", "channel")
            .choices(&[("Public: anyone in the workspace", "PUBLIC"), ("Private: invited people only", "PRIVATE")])
            .with("value", "PUBLIC")
            .with("condition", create())
            .build(),
        // conversations.invite
        Property::input("Dropdown", "data.channelType")
            .with("id", INVITE_BY)
            .text("Channel given by", "Name the channel by its id or by its name", "channel")
            .choices(&[("Id", "channelId"), ("Name", "channelName")])
            .with("value", "channelId")
            .with("condition", invite())
            .build(),
        Property::input("String", "data.channelId")
            .with("id", "invite.channelId")
            .text("Channel id", "The channel's id (C… or G…)", "channel")
            .feel("optional")
            .required()
            .with("condition", both(invite(), equals(INVITE_BY, "channelId")))
            .build(),
        Property::input("String", "data.channelName")
            .with("id", "invite.channelName")
            .text("Channel name", "The channel's name, without #", "channel")
            .feel("optional")
            .required()
            .pattern(CHANNEL_NAME, CHANNEL_NAME_RULE)
            .with("condition", both(invite(), equals(INVITE_BY, "channelName")))
            .build(),
        Property::input("String", "data.users")
            .with("id", "invite.users")
            .text(
                "People",
                "Who to invite: user ids (U…), e-mail addresses or @Full Names, separated by commas, or a FEEL \
                 list of them",
                "channel",
            )
            .feel("optional")
            .required()
            .with("condition", invite())
            .build(),
        // reactions.add, pins.add, pins.remove
        Property::input("String", "data.channel")
            .with("id", "message.channel")
            .text("Channel id", "The id (C…) of the channel the message is in", "message")
            .feel("optional")
            .required()
            .with("condition", one_of(METHOD, &ON_A_MESSAGE))
            .build(),
        Property::input("String", "data.timestamp")
            .with("id", "message.timestamp")
            .text("Message ts", "The message's ts, e.g. =posted.ts", "message")
            .feel("optional")
            .required()
            .with("condition", one_of(METHOD, &ON_A_MESSAGE))
            .build(),
        Property::input("String", "data.emoji")
            .with("id", "reaction.emoji")
            .text("Emoji", "The reaction's emoji name, without colons, e.g. thumbsup", "message")
            .feel("optional")
            .required()
            .with("condition", equals(METHOD, "reactions.add"))
            .build(),
    ];
    let groups =
        [("authentication", "Authentication"), ("action", "Action"), ("message", "Message"), ("channel", "Channel")];
    Template {
        // herald's own id, not Camunda's `io.camunda.connectors.Slack.v1`: the form is
        // herald's, and Modeler would take a template under Camunda's id for a version of
        // Camunda's own and offer to swap one for the other on saved tasks. The task type is
        // what both runtimes go by.
        id: "io.herald.camunda-slack",
        version: 1,
        name: "Slack, Camunda's task type (herald)",
        description: "Camunda's Slack connector task (io.camunda:slack:1), which herald runs too",
        task_type: CAMUNDA_SLACK_TYPE,
        groups: groups.iter().map(|(id, label)| ((*id).to_owned(), (*label).to_owned())).collect(),
        fields,
    }
    .build()
}

/// Shown while the field `id` holds `value`.
fn equals(id: &str, value: &str) -> Value {
    json!({"property": id, "equals": value})
}

/// Shown while the field `id` holds one of `values`.
fn one_of(id: &str, values: &[&str]) -> Value {
    json!({"property": id, "oneOf": values})
}

/// Shown while both conditions hold.
fn both(first: Value, second: Value) -> Value {
    json!({"allMatch": [first, second]})
}
