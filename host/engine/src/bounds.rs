//! How far an instance's variables may grow. Every place variables change (the inputs, a
//! step's output, result and error expressions) is held to these bounds, so that one
//! instance can neither exhaust the host nor save a record that no longer reads back.

use std::io;

use serde_json::{Map, Value};

/// The deepest an instance's variables may nest, the variables object itself being the first
/// level. herald reads JSON up to 128 levels; its records wrap variables and outputs in a few
/// more, and a FEEL expression may nest what it copies.
pub const MAX_VARIABLE_DEPTH: usize = 64;

/// The most an instance's variables may take as JSON: every step hands them to the
/// connector, whose memory is limited.
pub const MAX_VARIABLE_BYTES: usize = 16 << 20;

/// A bound that variables (or a step's output) went past.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariableLimit {
    /// Nested too deep.
    #[error("`{name}` nests deeper than {MAX_VARIABLE_DEPTH} levels, the most an instance's variables may")]
    TooDeep {
        /// The variable (or output) concerned.
        name: String,
    },
    /// Too large as JSON.
    #[error("{what} take more than {} MiB as JSON, the most an instance's variables may", MAX_VARIABLE_BYTES >> 20)]
    TooLarge {
        /// What went past the bound: `the variables` or `the step's output`.
        what: &'static str,
    },
}

/// Checks an instance's variables against the bounds.
pub fn check_variables(variables: &Map<String, Value>) -> Result<(), VariableLimit> {
    for (name, value) in variables {
        if deeper_than(value, MAX_VARIABLE_DEPTH - 1) {
            return Err(VariableLimit::TooDeep { name: name.clone() });
        }
    }
    check_size(variables, "the variables")
}

/// Checks a step's output, which its record keeps beside the variables.
pub fn check_output(output: &Value) -> Result<(), VariableLimit> {
    if deeper_than(output, MAX_VARIABLE_DEPTH - 1) {
        return Err(VariableLimit::TooDeep { name: "the step's output".into() });
    }
    check_size(output, "the step's output")
}

/// Whether `value` nests more than `levels` levels (a scalar nests none). Walked without
/// recursion, so a value of any depth is measured on any stack.
fn deeper_than(value: &Value, levels: usize) -> bool {
    let mut pending = vec![(value, 0)];
    // A list or object at `depth` containers down is level `depth + 1`.
    while let Some((value, depth)) = pending.pop() {
        if (value.is_array() || value.is_object()) && depth >= levels {
            return true;
        }
        match value {
            Value::Array(items) => pending.extend(items.iter().map(|child| (child, depth + 1))),
            Value::Object(entries) => pending.extend(entries.values().map(|child| (child, depth + 1))),
            _ => {}
        }
    }
    false
}

/// Serializes `value` into a counter that gives up past the bound (so a huge value is not
/// written out whole). Only called once the depth is known to be bounded.
fn check_size(value: &impl serde::Serialize, what: &'static str) -> Result<(), VariableLimit> {
    struct Counter(usize);
    impl io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            if self.0 > MAX_VARIABLE_BYTES {
                return Err(io::Error::other("over the bound"));
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(Counter(0), value).map_err(|_| VariableLimit::TooLarge { what })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn nested(levels: usize) -> Value {
        (0..levels).fold(json!(1), |inner, _| json!({ "a": inner }))
    }

    #[test]
    fn variables_up_to_the_bounds_pass_and_past_them_are_refused() {
        // The variables object is the first level.
        let deepest = Map::from_iter([("a".to_owned(), nested(MAX_VARIABLE_DEPTH - 1))]);
        assert_eq!(check_variables(&deepest), Ok(()));
        let deeper = Map::from_iter([("a".to_owned(), nested(MAX_VARIABLE_DEPTH))]);
        assert_eq!(check_variables(&deeper), Err(VariableLimit::TooDeep { name: "a".into() }));
        // A step's output is a variable's value (`resultVariable`): held to the same depth.
        assert_eq!(check_output(&json!([nested(MAX_VARIABLE_DEPTH - 2)])), Ok(()));
        assert!(check_output(&json!([nested(MAX_VARIABLE_DEPTH - 1)])).is_err());

        let largest = Map::from_iter([("s".to_owned(), json!("x".repeat(MAX_VARIABLE_BYTES - 10)))]);
        assert_eq!(check_variables(&largest), Ok(()));
        // `{"s":"…"}`: eight bytes around the string. The bound itself passes.
        let exactly = Map::from_iter([("s".to_owned(), json!("x".repeat(MAX_VARIABLE_BYTES - 8)))]);
        assert_eq!(check_variables(&exactly), Ok(()));
        let one_over = Map::from_iter([("s".to_owned(), json!("x".repeat(MAX_VARIABLE_BYTES - 7)))]);
        assert!(check_variables(&one_over).is_err());
        let larger = Map::from_iter([("s".to_owned(), json!("x".repeat(MAX_VARIABLE_BYTES)))]);
        assert_eq!(check_variables(&larger), Err(VariableLimit::TooLarge { what: "the variables" }));
        assert_eq!(
            check_variables(&larger).unwrap_err().to_string(),
            "the variables take more than 16 MiB as JSON, the most an instance's variables may"
        );
    }
}
