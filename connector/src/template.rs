//! Renders the step's minijinja templates over the process variables, escaping substituted
//! values for where they land (Slack mrkdwn, a JSON string in Block Kit) and never the
//! template's own text, so a designer's `<https://x|link>` markup keeps working.

use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior};

use crate::config::Issue;

/// How values substituted into a template are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escaping {
    /// Slack mrkdwn: `&`, `<`, `>` become entities, so data cannot ping `<!channel>`.
    Mrkdwn,
    /// The content of a JSON string in Block Kit JSON, mrkdwn-escaped as well; numbers and
    /// booleans go in as they are.
    BlockKitJson,
    /// As they are: channel names and thread timestamps.
    Verbatim,
}

// Names of the custom auto-escape modes the formatter recognises.
const MRKDWN: &str = "mrkdwn";
const BLOCK_KIT_JSON: &str = "block-kit-json";

impl Escaping {
    fn auto_escape(self) -> AutoEscape {
        match self {
            Escaping::Mrkdwn => AutoEscape::Custom(MRKDWN),
            Escaping::BlockKitJson => AutoEscape::Custom(BLOCK_KIT_JSON),
            Escaping::Verbatim => AutoEscape::None,
        }
    }
}

/// Why a template could not be used; each names the input it came from.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The template does not parse.
    #[error("`{input}` has a template syntax error on line {line}: {detail}")]
    Syntax { input: String, line: usize, detail: String },
    /// The template uses variables the process does not have.
    #[error("{}", missing_message(input, paths))]
    MissingVariables { input: String, paths: Vec<String> },
    /// Rendering failed for another reason, e.g. an unknown filter.
    #[error("`{input}` could not be rendered on line {line}: {detail}")]
    Render { input: String, line: usize, detail: String },
}

impl From<TemplateError> for Issue {
    fn from(error: TemplateError) -> Self {
        let (TemplateError::Syntax { input, .. }
        | TemplateError::MissingVariables { input, .. }
        | TemplateError::Render { input, .. }) = &error;
        Issue::new(input, error.to_string())
    }
}

/// Checks that `source`, the template of the input `input`, parses; renders nothing.
pub fn check_syntax(input: &str, source: &str) -> Result<(), TemplateError> {
    environment(Escaping::Verbatim)
        .template_from_named_str(input, source)
        .map(drop)
        .map_err(|error| syntax_error(input, &error))
}

/// Renders `source`, the template of the input `input`, over the process variables.
pub fn render(input: &str, source: &str, escaping: Escaping, variables: &Value) -> Result<String, TemplateError> {
    if let Some(text) = literal(source) {
        return Ok(text.to_owned());
    }
    if let Some(text) = substituted(source, escaping, variables) {
        return Ok(text);
    }
    // Most other templates need none of minijinja's builtin filters, tests and functions,
    // which it registers afresh for every environment: without them they render the
    // same, and building the environment costs a fraction of the full one. A template
    // that needs a builtin fails there and is rendered again with them; that outcome
    // (or its error) is the one that counts.
    // Its error is not explained: the full environment's is.
    let lean = build(Environment::empty(), escaping);
    let rendered = lean.template_from_named_str(input, source).and_then(|template| template.render(variables));
    if let Ok(text) = rendered {
        return Ok(text);
    }
    render_in(&environment(escaping), input, source, variables)
}

/// Renders `source` in `env`, explaining a failure.
fn render_in(env: &Environment, input: &str, source: &str, variables: &Value) -> Result<String, TemplateError> {
    let template = env.template_from_named_str(input, source).map_err(|error| syntax_error(input, &error))?;
    template.render(variables).map_err(|error| {
        let missing = match error.kind() {
            minijinja::ErrorKind::UndefinedError => missing_paths(env, template.undeclared_variables(true), variables),
            _ => Vec::new(),
        };
        if missing.is_empty() {
            TemplateError::Render { input: input.to_owned(), line: error.line().unwrap_or(1), detail: detail(&error) }
        } else {
            TemplateError::MissingVariables { input: input.to_owned(), paths: missing }
        }
    })
}

/// What a template without any tag renders to, without building an environment for it:
/// itself, less the final line break minijinja drops (`\n`, then `\r`). `None` when it
/// may hold a tag.
fn literal(source: &str) -> Option<&str> {
    (!source.contains('{')).then(|| without_final_line_break(source))
}

/// `source` as minijinja reads it: less its final line break (`\n`, then `\r`).
fn without_final_line_break(source: &str) -> &str {
    let text = source.strip_suffix('\n').unwrap_or(source);
    text.strip_suffix('\r').unwrap_or(text)
}

/// What a template that only substitutes variables (`Invoice {{ invoice.number }} for
/// {{ customer.name }}`) renders to, without compiling it: the commonest template by far,
/// and compiling costs more than all the rest of a render. `None` for anything else, and
/// when a name does not resolve, so that minijinja renders it, or explains the error.
fn substituted(source: &str, escaping: Escaping, variables: &Value) -> Option<String> {
    let source = without_final_line_break(source);
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        let (text, tail) = rest.split_at(start);
        out.push_str(plain_text(text)?);
        let end = tail.find("}}")?;
        out.push_str(&formatted(&lookup(&tail[2..end], variables)?, escaping).ok()?);
        rest = &tail[end + 2..];
    }
    out.push_str(plain_text(rest)?);
    Some(out)
}

/// `text` when it holds no tag: no statement, comment or expression opens in it.
fn plain_text(text: &str) -> Option<&str> {
    (!["{{", "{%", "{#"].iter().any(|open| text.contains(open))).then_some(text)
}

/// The value of the expression `expression` when it is a plain dotted path over the
/// variables (`customer.name`) that resolves; `None` otherwise.
fn lookup(expression: &str, variables: &Value) -> Option<Value> {
    /// Words minijinja reads as literals or as its own names, not as variables.
    const RESERVED: [&str; 12] =
        ["true", "false", "none", "True", "False", "None", "loop", "self", "super", "caller", "varargs", "kwargs"];
    let identifier = |name: &str| {
        let mut chars = name.chars();
        chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !RESERVED.contains(&name)
    };
    // `{{-` and `-}}` (or `+`) control whitespace around the tag: not plain.
    let path = expression.trim_matches(|c: char| c.is_ascii_whitespace());
    if expression.starts_with(['-', '+']) || expression.ends_with(['-', '+']) || !path.split('.').all(identifier) {
        return None;
    }
    resolve(variables, path)
}

/// The value at the dotted `path` (`customer.name`) in the variables, if there is one.
fn resolve(variables: &Value, path: &str) -> Option<Value> {
    path.split('.')
        .try_fold(variables.clone(), |value, key| value.get_attr(key).ok().filter(|found| !found.is_undefined()))
}

/// A value computed at run time, escaped as data for `escaping` and never rendered.
pub fn data(value: &str, escaping: Escaping) -> String {
    match escaping {
        Escaping::Mrkdwn => escape_mrkdwn(value),
        Escaping::BlockKitJson | Escaping::Verbatim => value.to_owned(),
    }
}

/// Escapes text for Slack mrkdwn so it shows as written and never acts as markup.
pub fn escape_mrkdwn(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The environment with minijinja's builtins, set up for `escaping`.
fn environment<'source>(escaping: Escaping) -> Environment<'source> {
    build(Environment::new(), escaping)
}

/// Sets `env` up for `escaping`: strict about missing variables, escaping what it inserts.
fn build(mut env: Environment<'_>, escaping: Escaping) -> Environment<'_> {
    // A missing variable must fail the step, not post a message with a hole in it.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(move |_| escaping.auto_escape());
    env.set_formatter(format_value);
    env
}

/// Writes one substituted value, escaped for the template's escaping mode.
fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    let escaping = match state.auto_escape() {
        AutoEscape::Custom(MRKDWN) => Escaping::Mrkdwn,
        AutoEscape::Custom(BLOCK_KIT_JSON) => Escaping::BlockKitJson,
        _ => Escaping::Verbatim,
    };
    Ok(out.write_str(&formatted(value, escaping)?)?)
}

/// One substituted value as it goes into the output, escaped for `escaping`.
fn formatted(value: &Value, escaping: Escaping) -> Result<String, minijinja::Error> {
    // `| safe` and `| tojson` mark text the designer vouches for: it goes out as it is.
    if let Some(safe) = value.as_str().filter(|_| value.is_safe()) {
        return Ok(safe.to_owned());
    }
    // A null would print as `none`; in a message it means "nothing here".
    if value.is_none() {
        return Ok(String::new());
    }
    let text = value.to_string();
    Ok(match escaping {
        Escaping::Mrkdwn => escape_mrkdwn(&text),
        Escaping::BlockKitJson => match value.kind() {
            // As JSON literals: minijinja would print a boolean as `True`.
            ValueKind::Number | ValueKind::Bool => serde_json::to_string(value)
                .map_err(|error| minijinja::Error::new(minijinja::ErrorKind::BadSerialization, error.to_string()))?,
            _ => json_string_content(&escape_mrkdwn(&text)),
        },
        Escaping::Verbatim => text,
    })
}

/// `text` escaped as the inside of a JSON string literal, without the quotes.
fn json_string_content(text: &str) -> String {
    let quoted = serde_json::Value::from(text).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// The dotted variable paths the template reads that the variables do not resolve.
fn missing_paths(env: &Environment, used: std::collections::HashSet<String>, variables: &Value) -> Vec<String> {
    let mut missing: Vec<String> = used
        .into_iter()
        .filter(|path| {
            let root = path.split('.').next().unwrap_or(path);
            // Globals such as `range` are the engine's, not the process's.
            !env.globals().any(|(name, _)| name == root) && resolve(variables, path).is_none()
        })
        .collect();
    missing.sort();
    missing
}

fn syntax_error(input: &str, error: &minijinja::Error) -> TemplateError {
    TemplateError::Syntax { input: input.to_owned(), line: error.line().unwrap_or(1), detail: detail(error) }
}

/// What went wrong, without minijinja's template name and line, which the caller states.
fn detail(error: &minijinja::Error) -> String {
    error.detail().map_or_else(|| error.kind().to_string(), str::to_owned)
}

fn missing_message(input: &str, paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|path| format!("`{path}`")).collect();
    let (which, them) = match paths.len() {
        1 => ("which is", "it"),
        _ => ("which are", "them"),
    };
    format!(
        "`{input}` uses {}, {which} not among the process variables; set {them} before this \
         step or give a default, e.g. `{{{{ {} | default(\"…\") }}}}`",
        quoted.join(", "),
        paths[0]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_without_tags_renders_as_minijinja_renders_it() {
        for source in ["#general", "C0123", "a & <b>\n", "two\r\n", "cr\r", "x\n\n", "", "\n", "100% } done"] {
            let fast = render("text", source, Escaping::Mrkdwn, &Value::from_serialize(json!({}))).unwrap();
            let env = environment(Escaping::Mrkdwn);
            let slow = env.template_from_named_str("text", source).unwrap().render(json!({})).unwrap();
            assert_eq!(fast, slow, "{source:?}");
        }
        assert!(literal("{{ n }}").is_none() && literal("{% if x %}").is_none() && literal("{# note #}").is_none());
    }

    #[test]
    fn templates_render_as_with_every_builtin_at_hand() {
        let sources = [
            "Invoice {{ invoice.number }} for {{ customer.name }}",
            "{% for k in customer %}{{ k }};{% endfor %}{{ loop is defined }}",
            "{{ customer.name | upper }} {{ invoice.total | round }}",
            "{% if customer.vip is true %}vip{% endif %}{{ range(3) | join(',') }}",
            "{{ namespace(a=1).a }} {{ dict(x=1) }} {{ nothing }}{{ 'a' ~ 1 }}",
            "{% filter upper %}{{ customer.name }}{% endfilter %}",
            "{{ missing }} {{ range }}",
            "{{ customer.name | no_such_filter }}",
            "{{ unclosed",
        ];
        for source in sources {
            for escaping in [Escaping::Mrkdwn, Escaping::BlockKitJson, Escaping::Verbatim] {
                let ours = render("text", source, escaping, &variables()).map_err(|e| e.to_string());
                let full = render_in(&environment(escaping), "text", source, &variables()).map_err(|e| e.to_string());
                assert_eq!(ours, full, "{source:?} {escaping:?}");
            }
        }
    }

    #[test]
    fn plain_substitutions_render_as_minijinja_renders_them() {
        let plain = [
            "Invoice {{ invoice.number }} for {{ customer.name }}",
            "{{customer.vip}} {{ invoice.total }} [{{ nothing }}]\n",
            "{{ customer }} {{ customer.name }}\r\n",
            "a }} b {{ invoice.number }} {",
            "{{ _under }}{{ invoice.number }}",
        ];
        let declined = [
            "{{- customer.name }}  x",
            "{{ customer.name +}}",
            "{{ true }} {{ none }}",
            "{{ loop }}",
            "{{ customer.name.first }}",
            "{{ nothing.x }}",
            "{{ missing }}",
            "{{ customer['name'] }}",
            "{{ customer.name }} {% if x %}{% endif %}",
            "{{ customer.name }} {# note #}",
            "{{ customer . name }}",
            "{{ invoice.number",
            "a{{{ invoice.number }}",
        ];
        let variables = variables();
        for escaping in [Escaping::Mrkdwn, Escaping::BlockKitJson, Escaping::Verbatim] {
            for source in plain {
                let fast = substituted(source, escaping, &variables);
                let full = render_in(&environment(escaping), "text", source, &variables).ok();
                assert!(fast.is_some(), "{source:?} is substituted without minijinja");
                assert_eq!(fast, full, "{source:?} {escaping:?}");
            }
            for source in declined {
                assert_eq!(substituted(source, escaping, &variables), None, "{source:?} is left to minijinja");
            }
        }
    }

    fn variables() -> Value {
        Value::from_serialize(json!({
            "customer": { "name": "Ann <!channel> & Co", "vip": true },
            "invoice": { "number": 42, "total": 12.5 },
            "nothing": null,
            "_under": "u",
        }))
    }

    #[test]
    fn text_escapes_values_but_not_the_template() {
        let text = render(
            "text",
            "<https://x.test|Invoice {{ invoice.number }}> for {{ customer.name }}{{ nothing }}",
            Escaping::Mrkdwn,
            &variables(),
        )
        .unwrap();
        assert_eq!(text, "<https://x.test|Invoice 42> for Ann &lt;!channel&gt; &amp; Co");
    }

    #[test]
    fn blocks_escape_values_as_json_string_content() {
        let blocks = render(
            "blocks",
            r#"[{"n": {{ invoice.total }}, "vip": {{ customer.vip }}, "t": "{{ customer.name }} \"{{ '\\' }}"}]"#,
            Escaping::BlockKitJson,
            &variables(),
        )
        .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&blocks).unwrap();
        assert_eq!(parsed, json!([{ "n": 12.5, "vip": true, "t": "Ann &lt;!channel&gt; &amp; Co \"\\" }]));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let error = render(
            "text",
            "Hi {{ customer.name }} {{ customer.email }} {{ order.id }}",
            Escaping::Mrkdwn,
            &variables(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "`text` uses `customer.email`, `order.id`, which are not among the process \
             variables; set them before this step or give a default, e.g. \
             `{{ customer.email | default(\"…\") }}`"
        );
    }

    #[test]
    fn guarded_variables_render() {
        let text = render(
            "text",
            "{% for i in range(2) %}{{ i }}{% endfor %}{% if order is defined %}x{% endif %}\
             {{ customer.email | default('none') }}",
            Escaping::Mrkdwn,
            &variables(),
        )
        .unwrap();
        assert_eq!(text, "01none");
    }

    #[test]
    fn syntax_errors_name_input_and_line() {
        let error = check_syntax("text", "line one\n{{ customer.name }").unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("`text` has a template syntax error on line 2: "), "{message}");
    }
}
