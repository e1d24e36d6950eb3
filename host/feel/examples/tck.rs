//! Runs the FEEL of the DMN TCK's test cases (<https://github.com/dmn-tck/tck>) and reports how
//! many results come out as expected.
//!
//! `cargo run -p herald-feel --example tck -- PATH [-v]`, with PATH a checkout of the TCK or any
//! folder under it (`TestCases/compliance-level-3`, one test's folder). `-v` prints every failure.
//!
//! herald evaluates FEEL, not DMN, so each result node becomes one FEEL expression: a context
//! whose entries are the test's inputs (as FEEL literals, typed by their `xsi:type` or their
//! input's `typeRef`), then the business knowledge models and decisions the result needs, in
//! dependency order, each a literal expression or a boxed expression written as FEEL (context,
//! list, relation, invocation, conditional, filter, `for`, `some`, `every`, function). A
//! decision's value is coerced to its `typeRef` when that names a FEEL type, as DMN does
//! (null when it does not conform; a singleton list stands for its element). A result that needs
//! a decision table, a decision service or an import is skipped.
//!
//! The expected value is written as FEEL too and evaluated, so both sides are compared as the
//! JSON herald gives; numbers compare to 15 significant digits (herald's numbers are 64-bit
//! floats, the TCK's decimals have 34 digits). A result the TCK marks `errorResult` passes when
//! evaluation fails or gives null.
//!
//! It prints, per folder, how many results passed, failed and were skipped, then the totals of
//! results and of test cases (a test case passes when all its results do, and is skipped when
//! none fails and one is skipped).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use herald_feel::{Context, Expression};
use roxmltree::{Document, Node};
use serde_json::Value;

/// The TCK's `now()` and `today()` tests only check the type; any fixed time will do.
const CONTEXT: Context = Context { now_millis: 1_700_000_000_000, offset_seconds: 0, seed: 7 };

fn main() -> ExitCode {
    let mut verbose = false;
    let mut root = None;
    for argument in std::env::args().skip(1) {
        match argument.as_str() {
            "-v" | "--verbose" => verbose = true,
            path => root = Some(PathBuf::from(path)),
        }
    }
    let Some(root) = root else {
        eprintln!("usage: tck PATH [-v]   (PATH: a checkout of github.com/dmn-tck/tck or a folder in it)");
        return ExitCode::FAILURE;
    };
    let mut test_files = Vec::new();
    collect(&root, &mut test_files);
    test_files.sort();
    let mut total = Tally::default();
    let mut by_folder: BTreeMap<String, Tally> = BTreeMap::new();
    for test_file in &test_files {
        let folder =
            test_file.parent().and_then(Path::file_name).map_or_else(String::new, |f| f.to_string_lossy().into());
        let tally = by_folder.entry(folder).or_default();
        match run_file(test_file, verbose) {
            Ok(file_tally) => {
                tally.add(&file_tally);
                total.add(&file_tally);
            }
            Err(problem) => {
                eprintln!("{}: {problem}", test_file.display());
            }
        }
    }
    for (folder, tally) in &by_folder {
        let Counts { passed, failed, skipped } = tally.results;
        println!("{folder:60} {passed:4} passed {failed:4} failed {skipped:4} skipped");
    }
    for (what, counts) in [("results", total.results), ("test cases", total.cases)] {
        println!(
            "{what}: {} of {} passed ({} failed), {} skipped",
            counts.passed,
            counts.passed + counts.failed,
            counts.failed,
            counts.skipped
        );
    }
    println!("in {} test files", test_files.len());
    ExitCode::SUCCESS
}

/// How many passed, failed and were skipped.
#[derive(Default, Clone, Copy)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

/// Outcomes of result nodes, and of test cases (a test case passes when all its result nodes
/// do, and is skipped when none fails but one is skipped).
#[derive(Default)]
struct Tally {
    results: Counts,
    cases: Counts,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.results.add(other.results);
        self.cases.add(other.cases);
    }
}

/// Every `*-test-*.xml` under `path`.
fn collect(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else { return };
        for entry in entries.flatten() {
            collect(&entry.path(), found);
        }
    } else if path.extension().is_some_and(|e| e == "xml")
        && path.file_name().is_some_and(|n| n.to_string_lossy().contains("-test-"))
    {
        found.push(path.to_owned());
    }
}

/// A decision or business knowledge model, as FEEL source or the reason it has none.
struct Element {
    name: String,
    /// FEEL source of its value (a BKM's is a function).
    feel: Result<String, String>,
    /// The ids of the decisions and BKMs it needs.
    requires: Vec<String>,
    /// The `typeRef` of its variable.
    type_ref: Option<String>,
}

/// What a model declares: elements by id, inputs' type by name, item definitions by name.
struct Model {
    elements: HashMap<String, Element>,
    ids_by_name: HashMap<String, String>,
    input_types: HashMap<String, String>,
    item_definitions: HashMap<String, ItemDefinition>,
}

/// The part of an item definition coercion looks at.
#[derive(Clone)]
struct ItemDefinition {
    type_ref: Option<String>,
    collection: bool,
    structured: bool,
}

fn run_file(test_file: &Path, verbose: bool) -> Result<Tally, String> {
    let text = std::fs::read_to_string(test_file).map_err(|e| e.to_string())?;
    let tests = Document::parse(&text).map_err(|e| e.to_string())?;
    let root = tests.root_element();
    let model_name = child(root, "modelName").and_then(|n| n.text()).ok_or("no modelName")?;
    let model_path = test_file.with_file_name(model_name.trim());
    let model_text = std::fs::read_to_string(&model_path).map_err(|e| format!("{}: {e}", model_path.display()))?;
    let model_document = Document::parse(&model_text).map_err(|e| e.to_string())?;
    let model = read_model(model_document.root_element());
    let mut tally = Tally::default();
    for case in children(root, "testCase") {
        let before = tally.results;
        run_case(&model, case, test_file, verbose, &mut tally.results);
        let after = tally.results;
        if after.failed > before.failed {
            tally.cases.failed += 1;
        } else if after.skipped > before.skipped {
            tally.cases.skipped += 1;
        } else {
            tally.cases.passed += 1;
        }
    }
    Ok(tally)
}

/// Runs one test case's result nodes, counting them into `tally`.
fn run_case(model: &Model, case: Node<'_, '_>, test_file: &Path, verbose: bool, tally: &mut Counts) {
    if case.attribute("type").is_some_and(|t| t != "decision") {
        tally.skipped += children(case, "resultNode").count();
        return;
    }
    let inputs: Vec<(String, String)> = children(case, "inputNode")
        .map(|input| {
            let name = input.attribute("name").unwrap_or_default().to_owned();
            let type_ref = model.input_types.get(&name).map(String::as_str);
            (name.clone(), literal(input, type_ref, model))
        })
        .collect();
    for result in children(case, "resultNode") {
        let name = result.attribute("name").unwrap_or_default();
        let id = format!("{} {}", case.attribute("id").unwrap_or("?"), name);
        let source = match expression_for(model, name, &inputs) {
            Ok(source) => source,
            Err(reason) => {
                tally.skipped += 1;
                if verbose {
                    println!("SKIP {} {id}: {reason}", test_file.display());
                }
                continue;
            }
        };
        let expected = child(result, "expected").map(|e| literal(e, None, model)).unwrap_or_else(|| "null".into());
        let error_result = result.attribute("errorResult") == Some("true");
        let actual = Expression::parse(&source).and_then(|e| e.evaluate_in(&Value::Null, &CONTEXT));
        let wanted = Expression::parse(&expected).and_then(|e| e.evaluate_in(&Value::Null, &CONTEXT));
        let passed = match (&actual, &wanted) {
            (Err(_), Ok(Value::Null)) | (Ok(Value::Null), Ok(Value::Null)) if error_result => true,
            (Ok(actual), Ok(wanted)) => same(actual, wanted),
            _ => false,
        };
        if passed {
            tally.passed += 1;
        } else {
            tally.failed += 1;
            if verbose {
                let actual = actual.map_or_else(|e| e.to_string(), |v| v.to_string());
                let wanted = wanted.map_or_else(|e| format!("({expected}) {e}"), |v| v.to_string());
                println!(
                    "FAIL {} {id}\n  feel:     {source}\n  expected: {wanted}\n  actual:   {actual}",
                    test_file.display()
                );
            }
        }
    }
}

fn read_model(definitions: Node<'_, '_>) -> Model {
    let mut model = Model {
        elements: HashMap::new(),
        ids_by_name: HashMap::new(),
        input_types: HashMap::new(),
        item_definitions: HashMap::new(),
    };
    for node in definitions.children().filter(Node::is_element) {
        let name = node.attribute("name").unwrap_or_default().to_owned();
        // Some models give their decisions no id; their names then stand for one.
        let id = node.attribute("id").map_or_else(|| format!("named {name}"), str::to_owned);
        let type_ref = child(node, "variable").and_then(|v| v.attribute("typeRef")).map(str::to_owned);
        match node.tag_name().name() {
            "itemDefinition" => {
                let definition = ItemDefinition {
                    type_ref: child(node, "typeRef").and_then(|t| t.text()).map(|t| t.trim().to_owned()),
                    collection: node.attribute("isCollection") == Some("true"),
                    structured: child(node, "itemComponent").is_some(),
                };
                model.item_definitions.insert(name, definition);
            }
            "inputData" => {
                if let Some(type_ref) = type_ref {
                    model.input_types.insert(name, type_ref);
                }
            }
            "decision" | "businessKnowledgeModel" => {
                let requires = node
                    .descendants()
                    .filter(|n| matches!(n.tag_name().name(), "requiredDecision" | "requiredKnowledge"))
                    .filter_map(|n| n.attribute("href"))
                    .map(|href| href.trim_start_matches('#').to_owned())
                    .collect();
                let feel = if node.tag_name().name() == "decision" {
                    let logic = node.children().filter(Node::is_element).find(|n| {
                        !matches!(
                            n.tag_name().name(),
                            "variable"
                                | "description"
                                | "question"
                                | "allowedAnswers"
                                | "informationRequirement"
                                | "knowledgeRequirement"
                                | "authorityRequirement"
                                | "extensionElements"
                        )
                    });
                    logic.map_or_else(|| Err("a decision without logic".to_owned()), boxed)
                } else {
                    child(node, "encapsulatedLogic").map_or_else(|| Err("a BKM without logic".to_owned()), function)
                };
                model.ids_by_name.insert(name.clone(), id.clone());
                model.elements.insert(id, Element { name, feel, requires, type_ref });
            }
            "decisionService" => {
                model.ids_by_name.insert(name.clone(), id.clone());
                let element = Element { name, feel: Err("a decision service".into()), requires: Vec::new(), type_ref };
                model.elements.insert(id, element);
            }
            "import" => {
                let element =
                    Element { name: name.clone(), feel: Err("an import".into()), requires: Vec::new(), type_ref: None };
                model.elements.insert(format!("import {name}"), element);
            }
            _ => {}
        }
    }
    model
}

/// The FEEL that computes result `name`: a context of the inputs and then every element it
/// needs, ending with its value.
fn expression_for(model: &Model, name: &str, inputs: &[(String, String)]) -> Result<String, String> {
    if model.elements.keys().any(|k| k.starts_with("import ")) {
        return Err("the model imports another".into());
    }
    let id = model.ids_by_name.get(name).ok_or_else(|| format!("no decision named {name}"))?;
    let given: HashSet<&str> = inputs.iter().map(|(name, _)| name.as_str()).collect();
    let mut order = Vec::new();
    let mut visiting = HashSet::new();
    needs(model, id, &given, &mut visiting, &mut order)?;
    let mut source = String::from("{");
    for (input, value) in inputs {
        let _ = write!(source, "{}: {value}, ", key(input));
    }
    for id in &order {
        let element = &model.elements[id];
        let feel = element.feel.clone().map_err(|reason| format!("{} is {reason}", element.name))?;
        let coerced = coerce(model, &feel, element.type_ref.as_deref());
        let _ = write!(source, "{}: {coerced}, ", key(&element.name));
    }
    let _ = write!(source, "`tck result`: {}}}.`tck result`", name_reference(name));
    Ok(source)
}

/// Orders `id` after what it needs, skipping decisions whose value the test gives.
fn needs(
    model: &Model,
    id: &str,
    given: &HashSet<&str>,
    visiting: &mut HashSet<String>,
    order: &mut Vec<String>,
) -> Result<(), String> {
    if order.iter().any(|done| done == id) {
        return Ok(());
    }
    let element = model.elements.get(id).ok_or_else(|| format!("no element {id}"))?;
    if given.contains(element.name.as_str()) {
        return Ok(());
    }
    if !visiting.insert(id.to_owned()) {
        return Err("a cycle of requirements".into());
    }
    for required in &element.requires {
        needs(model, required, given, visiting, order)?;
    }
    order.push(id.to_owned());
    Ok(())
}

/// A context key for a DMN name.
fn key(name: &str) -> String {
    format!("\"{}\"", escape(name))
}

/// A reference to a DMN name: as it is when it is one plain word, else in backticks (a name of
/// several words may hold a keyword: `simple function invocation`).
fn name_reference(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "if",
        "then",
        "else",
        "and",
        "or",
        "true",
        "false",
        "null",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "between",
        "instance",
        "of",
        "function",
    ];
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name);
    if plain { name.to_owned() } else { format!("`{name}`") }
}

/// A decision's value as its type requires: itself when it conforms, its only element when it
/// is a singleton list of that type, else null.
fn coerce(model: &Model, feel: &str, type_ref: Option<&str>) -> String {
    let Some(test) = type_ref.and_then(|t| conformance(model, t, 0)) else {
        return format!("({feel})");
    };
    format!(
        "(function(v) if {test} then v else if v instance of list and count(v) = 1 and \
         (function(v) {test})(v[1]) then v[1] else null)({feel})"
    )
}

/// A FEEL condition on `v` that holds when it conforms to `type_ref`, when that is known.
fn conformance(model: &Model, type_ref: &str, depth: usize) -> Option<String> {
    let type_ref = type_ref.strip_prefix("feel:").unwrap_or(type_ref);
    let builtin = match type_ref {
        "number" | "string" | "boolean" | "date" | "time" | "context" | "list" => type_ref,
        "dateTime" | "date and time" => "date and time",
        "dayTimeDuration" | "days and time duration" => "days and time duration",
        "yearMonthDuration" | "years and months duration" => "years and months duration",
        "Any" => return None,
        _ => {
            let definition = model.item_definitions.get(type_ref)?.clone();
            if definition.structured || depth > 4 {
                return None;
            }
            let element = conformance(model, definition.type_ref.as_deref()?, depth + 1)?;
            if definition.collection {
                return Some(format!("(v instance of list and every v in v satisfies (v = null or {element}))"));
            }
            return Some(element);
        }
    };
    Some(format!("(v = null or v instance of {builtin})"))
}

/// A boxed expression as FEEL source.
fn boxed(node: Node<'_, '_>) -> Result<String, String> {
    let part = |tag: &str| -> Result<String, String> {
        let holder = child(node, tag).ok_or_else(|| format!("no <{tag}>"))?;
        let inner = holder.children().find(Node::is_element).ok_or_else(|| format!("an empty <{tag}>"))?;
        boxed(inner)
    };
    Ok(match node.tag_name().name() {
        "literalExpression" => {
            if child(node, "importedValues").is_some() {
                return Err("imported values".into());
            }
            let text = child(node, "text").and_then(|t| t.text()).unwrap_or("null");
            format!("({})", if text.trim().is_empty() { "null" } else { text })
        }
        "context" => {
            let mut entries = Vec::new();
            let mut result = None;
            for entry in children(node, "contextEntry") {
                let value = entry.children().filter(Node::is_element).find(|n| n.tag_name().name() != "variable");
                let value = value.map_or_else(|| Ok("null".to_owned()), boxed)?;
                match child(entry, "variable").and_then(|v| v.attribute("name")) {
                    Some(name) => entries.push(format!("{}: {value}", key(name))),
                    None => result = Some(value),
                }
            }
            match result {
                Some(result) => {
                    entries.push(format!("`tck entry result`: {result}"));
                    format!("{{{}}}.`tck entry result`", entries.join(", "))
                }
                None => format!("{{{}}}", entries.join(", ")),
            }
        }
        "list" => {
            let items: Result<Vec<_>, _> = node.children().filter(Node::is_element).map(boxed).collect();
            format!("[{}]", items?.join(", "))
        }
        "relation" => {
            let columns: Vec<&str> = children(node, "column").filter_map(|c| c.attribute("name")).collect();
            let mut rows = Vec::new();
            for row in children(node, "row") {
                let cells: Result<Vec<_>, _> = row.children().filter(Node::is_element).map(boxed).collect();
                let entries: Vec<String> =
                    columns.iter().zip(cells?).map(|(column, cell)| format!("{}: {cell}", key(column))).collect();
                rows.push(format!("{{{}}}", entries.join(", ")));
            }
            format!("[{}]", rows.join(", "))
        }
        "invocation" => {
            let callee = node.children().filter(Node::is_element).find(|n| n.tag_name().name() != "binding");
            let callee = callee.ok_or("an invocation without a callee")?;
            let callee = child(callee, "text").and_then(|t| t.text()).ok_or("an invocation of a boxed function")?;
            let mut arguments = Vec::new();
            for binding in children(node, "binding") {
                let parameter = child(binding, "parameter").and_then(|p| p.attribute("name")).unwrap_or_default();
                let value = binding.children().filter(Node::is_element).find(|n| n.tag_name().name() != "parameter");
                let value = value.map_or_else(|| Ok("null".to_owned()), boxed)?;
                arguments.push(format!("{}: {value}", name_reference(parameter)));
            }
            format!("{}({})", name_reference(callee.trim()), arguments.join(", "))
        }
        "conditional" => format!("if {} then {} else {}", part("if")?, part("then")?, part("else")?),
        "filter" => format!("{}[{}]", part("in")?, part("match")?),
        "for" => {
            let variable = node.attribute("iteratorVariable").ok_or("a for without a variable")?;
            format!("for {} in {} return {}", name_reference(variable), part("in")?, part("return")?)
        }
        "some" | "every" => {
            let variable = node.attribute("iteratorVariable").ok_or("a quantifier without a variable")?;
            let keyword = node.tag_name().name();
            format!("{keyword} {} in {} satisfies {}", name_reference(variable), part("in")?, part("satisfies")?)
        }
        "functionDefinition" | "encapsulatedLogic" => function(node)?,
        other => return Err(format!("a {other}")),
    })
}

/// A function definition (a BKM's logic, or a boxed function) as a FEEL function.
fn function(node: Node<'_, '_>) -> Result<String, String> {
    if node.attribute("kind").is_some_and(|kind| kind != "FEEL") {
        return Err(format!("a {} function", node.attribute("kind").unwrap_or_default()));
    }
    let parameters: Vec<String> =
        children(node, "formalParameter").filter_map(|p| p.attribute("name")).map(name_reference).collect();
    let body = node.children().filter(Node::is_element).find(|n| n.tag_name().name() != "formalParameter");
    let body = body.map_or_else(|| Ok("null".to_owned()), boxed)?;
    Ok(format!("function({}) {body}", parameters.join(", ")))
}

/// A test's value (an `inputNode`, an `expected`, a `component` or an `item`) as a FEEL literal.
fn literal(node: Node<'_, '_>, type_ref: Option<&str>, model: &Model) -> String {
    if let Some(list) = child(node, "list") {
        let items: Vec<String> = children(list, "item").map(|item| literal(item, None, model)).collect();
        return format!("[{}]", items.join(", "));
    }
    let components: Vec<Node<'_, '_>> = children(node, "component").collect();
    if !components.is_empty() {
        let entries: Vec<String> = components
            .iter()
            .map(|c| format!("{}: {}", key(c.attribute("name").unwrap_or_default()), literal(*c, None, model)))
            .collect();
        return format!("{{{}}}", entries.join(", "));
    }
    let Some(value) = child(node, "value") else { return "null".into() };
    if value.attributes().any(|a| a.name() == "nil" && a.value() == "true") {
        return "null".into();
    }
    let text = value.text().unwrap_or_default();
    let xsi_type = value.attributes().find(|a| a.name() == "type").map(|a| a.value());
    let kind = match xsi_type {
        Some(t) => t.rsplit(':').next().unwrap_or(t).to_owned(),
        None => match type_ref.map(|t| t.strip_prefix("feel:").unwrap_or(t)) {
            Some("number") => "decimal".into(),
            Some("boolean") => "boolean".into(),
            Some("date") => "date".into(),
            Some("time") => "time".into(),
            Some("dateTime" | "date and time") => "dateTime".into(),
            Some("dayTimeDuration" | "yearMonthDuration" | "days and time duration" | "years and months duration") => {
                "duration".into()
            }
            Some(other) if model.item_definitions.contains_key(other) => {
                let inner = model.item_definitions[other].type_ref.clone();
                return literal(node, inner.as_deref(), model);
            }
            _ => "string".into(),
        },
    };
    match kind.as_str() {
        "decimal" | "double" | "integer" | "int" | "long" | "float" => number(text.trim()),
        "boolean" => text.trim().to_owned(),
        "date" | "dateTime" | "time" | "duration" => format!("@\"{}\"", escape(text.trim())),
        _ => format!("\"{}\"", escape(text)),
    }
}

/// An XML Schema number as a FEEL number literal: FEEL has no `+` sign, no trailing `.` and
/// no infinities or NaN (null stands for them).
fn number(text: &str) -> String {
    let text = text.strip_prefix('+').unwrap_or(text);
    let text = text.strip_suffix('.').unwrap_or(text);
    let valid = text.parse::<f64>().is_ok_and(f64::is_finite)
        && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if valid { text.to_owned() } else { "null".into() }
}

/// Escapes text for a FEEL string literal.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// Whether two results are the same: numbers to 15 significant digits, objects whatever their
/// key order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || format!("{x:.14e}") == format!("{y:.14e}")
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, tag: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|n| n.tag_name().name() == tag)
}

fn children<'a, 'input: 'a>(node: Node<'a, 'input>, tag: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |n| n.tag_name().name() == tag)
}
