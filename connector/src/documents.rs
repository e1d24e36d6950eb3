//! The `documents` input: files to attach to a message, as herald's step writes them
//! (`{"name", "content"}` or `{"name", "content_base64"}`) or as Camunda's template composes
//! an inline document (`{"camunda.document.type": "inline", "name", "content"}`).

use base64::Engine as _;
use serde_json::Value;

use crate::config::Issue;

/// Camunda's key naming a document reference's kind.
const CAMUNDA_KIND: &str = "camunda.document.type";

/// The most bytes one document may hold: what a step attaches travels through the host's
/// memory whole.
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// A file to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The file name Slack shows, e.g. `report.csv`.
    pub name: String,
    /// The title Slack shows above it (the name when not given).
    pub title: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Reads the `documents` input: null or an empty list attaches nothing; a single document
/// stands for a list of one.
pub fn read(value: Option<&Value>) -> Result<Vec<Document>, Issue> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().enumerate().map(|(i, item)| document(i + 1, item)).collect(),
        Some(item @ Value::Object(_)) => Ok(vec![document(1, item)?]),
        Some(_) => {
            Err(issue("`documents` must be a list of documents such as {\"name\": \"report.csv\", \"content\": \"…\"}"))
        }
    }
}

/// One document of the list, numbered from 1 for messages.
fn document(number: usize, item: &Value) -> Result<Document, Issue> {
    let Value::Object(fields) = item else {
        return Err(issue(format!("document {number} must be an object with `name` and `content`")));
    };
    match fields.get(CAMUNDA_KIND).and_then(Value::as_str) {
        None | Some("inline") => {}
        Some("camunda") => {
            return Err(issue(format!(
                "document {number} is a reference into Camunda's document store, which herald has not: give its \
                 content inline ({{\"name\": …, \"content\": …}})"
            )));
        }
        Some("external") => {
            return Err(issue(format!(
                "document {number} is at an external URL, which herald does not fetch (the step could then reach \
                 any host): give its content inline"
            )));
        }
        Some(other) => return Err(issue(format!("document {number} is of an unknown kind, `{other}`"))),
    }
    let text = |key: &str| fields.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let name = text("name").ok_or_else(|| issue(format!("document {number} needs a `name`, such as `report.csv`")))?;
    let bytes = match (fields.get("content"), text("content_base64")) {
        (Some(Value::String(content)), None) => content.as_bytes().to_vec(),
        // Camunda writes JSON content as its compact text.
        (Some(content), None) if !content.is_null() => content.to_string().into_bytes(),
        (None | Some(Value::Null), Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|err| issue(format!("document {number}: `content_base64` is not base64: {err}")))?,
        _ => return Err(issue(format!("document {number} needs either `content` (text) or `content_base64`"))),
    };
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(issue(format!(
            "document {number} holds {} bytes; at most {MAX_DOCUMENT_BYTES} are attached",
            bytes.len()
        )));
    }
    Ok(Document { name: name.to_owned(), title: text("title").unwrap_or(name).to_owned(), bytes })
}

fn issue(message: impl Into<String>) -> Issue {
    Issue::new("documents", message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_are_herald_s_or_camunda_s_inline_ones() {
        assert_eq!(read(None).unwrap(), []);
        assert_eq!(read(Some(&Value::Null)).unwrap(), []);
        let read_one = |value: Value| read(Some(&value)).map(|mut documents| documents.remove(0));
        let plain = read_one(json!([{"name": "a.txt", "content": "hi"}])).unwrap();
        assert_eq!(plain, Document { name: "a.txt".into(), title: "a.txt".into(), bytes: b"hi".to_vec() });
        let encoded = read_one(json!({"name": "b.bin", "title": "B", "content_base64": "AAE="})).unwrap();
        assert_eq!((encoded.title.as_str(), encoded.bytes), ("B", vec![0, 1]));
        let camunda = json!({"camunda.document.type": "inline", "name": "c.json", "content": {"a": 1}, "contentType": "application/json"});
        assert_eq!(read_one(camunda).unwrap().bytes, br#"{"a":1}"#);
    }

    #[test]
    fn what_cannot_be_attached_says_why() {
        let message = |value: Value| read(Some(&value)).unwrap_err().message;
        assert!(message(json!("a.txt")).contains("must be a list of documents"));
        assert!(message(json!([{"content": "x"}])).contains("document 1 needs a `name`"));
        assert!(message(json!([{"name": "a", "content": "x"}, {"name": "b"}])).contains("document 2 needs either"));
        assert!(message(json!({"camunda.document.type": "camunda", "documentId": "d"})).contains("document store"));
        assert!(message(json!({"camunda.document.type": "external", "url": "https://x"})).contains("external URL"));
        assert!(message(json!({"name": "a", "content_base64": "%%"})).contains("not base64"));
    }
}
