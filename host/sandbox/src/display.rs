//! A message as a Slack client shows it, as plain text for a terminal or a log.

use serde_json::Value;

use super::message::PostedMessage;
use super::workspace::APP_NAME;

const DIVIDER: &str = "----------------------------------------";
const ENTITIES: [(&str, char); 3] = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')];

/// Renders a message as it would appear in a Slack client, as plain text lines: a header
/// such as `#billing · herald` (marked `↳ in thread` and `(edited)` where they apply), then
/// the content indented by two spaces, attachments behind a `| ` bar, shared files as
/// `[file: name (size)]`. No trailing newline.
pub fn render_message(m: &PostedMessage) -> String {
    let mut out = place(m.channel_name.as_deref(), m.dm_user.as_deref(), &m.channel_id);
    out.push_str(" · ");
    if let Some(icon) = &m.icon_emoji {
        out.push_str(icon);
        out.push(' ');
    }
    out.push_str(m.username.as_deref().unwrap_or(APP_NAME));
    if m.thread_ts.is_some() {
        out.push_str(" ↳ in thread");
    }
    if m.edited {
        out.push_str(" (edited)");
    }

    let mut body = Vec::new();
    // With blocks, Slack shows the blocks and uses `text` only for notifications.
    match m.blocks.as_ref().and_then(Value::as_array) {
        Some(blocks) if !blocks.is_empty() => render_blocks(blocks, &mut body),
        _ if !m.text.is_empty() => body.push(mrkdwn(&m.text)),
        _ => {}
    }
    for attachment in array(m.attachments.as_ref()) {
        render_attachment(attachment, &mut body);
    }
    for file in &m.files {
        let size = human_size(file["size"].as_u64().map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)));
        body.push(format!("[file: {} ({size})]", file["name"].as_str().unwrap_or_default()));
    }
    for line in body.iter().flat_map(|chunk| chunk.split('\n')) {
        out.push('\n');
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    out
}

/// Where a conversation is, as a Slack client names it: `#channel`, `@user` for a direct
/// message, else its id.
pub(super) fn place(channel_name: Option<&str>, dm_user: Option<&str>, channel_id: &str) -> String {
    match (channel_name, dm_user) {
        (Some(name), _) => format!("#{name}"),
        (None, Some(user)) => format!("@{user}"),
        (None, None) => channel_id.to_owned(),
    }
}

/// A size in bytes as a person reads it: `532 B`, `1.2 kB`, `3.4 MB` (powers of 1000).
pub(super) fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 3] = ["kB", "MB", "GB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1000.0;
    let mut unit = 0;
    while size >= 999.95 && unit + 1 < UNITS.len() {
        size /= 1000.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

/// Appends each block's text to `out`; a block type without a text form shows its type.
fn render_blocks<'a>(blocks: impl IntoIterator<Item = &'a Value>, out: &mut Vec<String>) {
    for block in blocks {
        match block["type"].as_str().unwrap_or_default() {
            "header" => {
                let title = text_object(&block["text"]);
                let underline = "=".repeat(title.chars().count());
                out.push(format!("{title}\n{underline}"));
            }
            "section" => {
                if block.get("text").is_some() {
                    out.push(text_object(&block["text"]));
                }
                // Fields sit in a grid in Slack; one per line reads best in a terminal.
                out.extend(array(block.get("fields")).map(|f| text_object(f).replace('\n', " ")));
                if let Some(accessory) = block.get("accessory") {
                    out.push(element(accessory));
                }
            }
            "divider" => out.push(DIVIDER.to_owned()),
            "context" => out.push(array(block.get("elements")).map(element).collect::<Vec<_>>().join(" · ")),
            "actions" => out.push(array(block.get("elements")).map(element).collect::<Vec<_>>().join("  ")),
            "image" => out.push(element(block)),
            other => out.push(format!("[{other} block]")),
        }
    }
}

/// Appends a legacy attachment: its pretext, then its content behind a `| ` bar that
/// stands for Slack's colour bar and names the colour.
fn render_attachment(attachment: &Value, out: &mut Vec<String>) {
    let field = |key: &str| attachment[key].as_str().filter(|s| !s.is_empty());
    if let Some(pretext) = field("pretext") {
        out.push(mrkdwn(pretext));
    }
    let mut bar = Vec::new();
    if let Some(color) = field("color") {
        let name = match color {
            "good" => "green",
            "warning" => "yellow",
            "danger" => "red",
            hex => hex,
        };
        bar.push(format!("color: {name}"));
    }
    let colour_only = bar.len();
    bar.extend(field("author_name").map(str::to_owned));
    bar.extend(field("title").map(|title| match field("title_link") {
        Some(link) => format!("{title} ({link})"),
        None => title.to_owned(),
    }));
    bar.extend(field("text").map(mrkdwn));
    for f in array(attachment.get("fields")) {
        let title = f["title"].as_str().unwrap_or_default();
        bar.push(format!("{title}: {}", mrkdwn(f["value"].as_str().unwrap_or_default())));
    }
    render_blocks(array(attachment.get("blocks")), &mut bar);
    bar.extend(field("image_url").map(|url| format!("[image] ({url})")));
    bar.extend(field("footer").map(mrkdwn));
    if bar.len() == colour_only {
        // Nothing but a colour: Slack falls back to the plain-text summary.
        bar.extend(field("fallback").map(str::to_owned));
    }
    out.extend(bar.join("\n").split('\n').map(|line| format!("| {line}").trim_end().to_owned()));
}

/// A Block Kit element as text: text objects as their text, buttons as `[label]`, images
/// as `[image: alt]`, any link appended as ` (url)`.
fn element(element: &Value) -> String {
    let shown = match element["type"].as_str().unwrap_or_default() {
        "mrkdwn" | "plain_text" => return text_object(element),
        "button" => format!("[{}]", text_object(&element["text"])),
        "image" => format!("[image: {}]", element["alt_text"].as_str().unwrap_or_default()),
        other => format!("[{}]", element.pointer("/placeholder/text").and_then(Value::as_str).unwrap_or(other)),
    };
    match element["url"].as_str().or(element["image_url"].as_str()) {
        Some(url) => format!("{shown} ({url})"),
        None => shown,
    }
}

/// A text object: `mrkdwn` rendered, `plain_text` as is.
fn text_object(text: &Value) -> String {
    let raw = text["text"].as_str().unwrap_or_default();
    if text["type"] == "mrkdwn" { mrkdwn(raw) } else { raw.to_owned() }
}

/// Slack mrkdwn as a reader sees it: `<…>` entities resolved (links as `label (url)`,
/// mentions as `@…`, channels as `#…`) and `&amp;` `&lt;` `&gt;` unescaped; emphasis
/// markers stay, as they read well as plain text.
pub(super) fn mrkdwn(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|i| open + i) else {
            break;
        };
        out.push_str(&unescape(&rest[..open]));
        out.push_str(&entity(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(&unescape(rest));
    out
}

/// The text of one `<target|label>` entity.
fn entity(inner: &str) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(unescape(label))),
        None => (inner, None),
    };
    if let Some(special) = target.strip_prefix('!') {
        return match special {
            "here" | "channel" | "everyone" => format!("@{special}"),
            // User groups and dates carry their readable form as the label.
            _ => label.unwrap_or_else(|| format!("@{special}")),
        };
    }
    if let Some(user) = target.strip_prefix('@') {
        return format!("@{}", label.as_deref().unwrap_or(user));
    }
    if let Some(channel) = target.strip_prefix('#') {
        return format!("#{}", label.as_deref().unwrap_or(channel));
    }
    let url = unescape(target);
    match label {
        Some(label) if label != url => format!("{label} ({url})"),
        _ => url,
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let (ch, len) = ENTITIES
            .iter()
            .find(|(entity, _)| rest.starts_with(entity))
            .map_or(('&', 1), |&(entity, ch)| (ch, entity.len()));
        out.push(ch);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

fn array(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_array).into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(text: &str) -> PostedMessage {
        PostedMessage {
            channel_id: "C0000000001".into(),
            channel_name: Some("billing".into()),
            text: text.into(),
            ..PostedMessage::default()
        }
    }

    #[test]
    fn renders_mrkdwn_entities() {
        let m = message(
            "Hi <@U123> &amp; <@U456|grace> in <#C1|billing>, <!channel> <!here>: \
             <https://x.example/?a=1&amp;b=2|a &lt;link&gt;> <https://y.example> \
             <mailto:ada@example.com|mail> <!subteam^S1|@devs> <!date^1392734382^{date}|Feb 18> \
             a &lt;b&gt; &amp;lt; 3 < 4",
        );
        assert_eq!(
            render_message(&m),
            "#billing · herald\n  Hi @U123 & @grace in #billing, @channel @here: \
             a <link> (https://x.example/?a=1&b=2) https://y.example \
             mail (mailto:ada@example.com) @devs Feb 18 a <b> &lt; 3 < 4"
        );
    }

    #[test]
    fn renders_block_kit_and_attachments() {
        let mut m = message("Invoice INV-7 issued");
        m.edited = true;
        m.username = Some("Billing".into());
        m.icon_emoji = Some(":moneybag:".into());
        m.blocks = Some(json!([
            { "type": "header", "text": { "type": "plain_text", "text": "Invoice INV-7" } },
            { "type": "section", "text": { "type": "mrkdwn", "text": "For *Ada &amp; Co*\ndue <!date^1700000000^{date}|14 Nov>" },
              "accessory": { "type": "button", "text": { "type": "plain_text", "text": "Open" }, "url": "https://billing.example.com/INV-7" } },
            { "type": "section", "fields": [
                { "type": "mrkdwn", "text": "*Amount:*\n120.00 EUR" },
                { "type": "plain_text", "text": "Net 30" } ] },
            { "type": "divider" },
            { "type": "context", "elements": [
                { "type": "image", "image_url": "https://x.example/i.png", "alt_text": "logo" },
                { "type": "mrkdwn", "text": "Sent by <@U1|herald>" } ] },
            { "type": "actions", "elements": [
                { "type": "button", "text": { "type": "plain_text", "text": "Approve" } },
                { "type": "static_select", "placeholder": { "type": "plain_text", "text": "Pick one" } } ] },
            { "type": "video" },
        ]));
        m.attachments = Some(json!([
            { "color": "danger", "pretext": "Issue", "title": "DB down", "title_link": "https://status.example",
              "text": "latency &gt; 5s", "fields": [{ "title": "Since", "value": "10:02" }], "footer": "herald" },
            { "color": "#36a64f", "fallback": "all good" },
        ]));
        assert_eq!(
            render_message(&m),
            "#billing · :moneybag: Billing (edited)
  Invoice INV-7
  =============
  For *Ada & Co*
  due 14 Nov
  [Open] (https://billing.example.com/INV-7)
  *Amount:* 120.00 EUR
  Net 30
  ----------------------------------------
  [image: logo] (https://x.example/i.png) · Sent by @herald
  [Approve]  [Pick one]
  [video block]
  Issue
  | color: red
  | DB down (https://status.example)
  | latency > 5s
  | Since: 10:02
  | herald
  | color: #36a64f
  | all good"
        );
    }

    #[test]
    fn sizes_read_in_powers_of_a_thousand() {
        let sizes = [0, 999, 1000, 1234, 999_949, 999_950, 5_000_000_000].map(human_size);
        assert_eq!(sizes, ["0 B", "999 B", "1.0 kB", "1.2 kB", "999.9 kB", "1.0 MB", "5.0 GB"]);
    }

    #[test]
    fn marks_direct_messages_and_thread_replies() {
        let m = PostedMessage {
            channel_id: "D0000000001".into(),
            dm_user: Some("ada".into()),
            thread_ts: Some("1700000000.000001".into()),
            text: "Paid\n\nThanks".into(),
            ..PostedMessage::default()
        };
        assert_eq!(render_message(&m), "@ada · herald ↳ in thread\n  Paid\n\n  Thanks");
    }
}
