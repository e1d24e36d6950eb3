//! Script tasks, as Camunda 8 evaluates them itself: a FEEL expression (`zeebe:script`)
//! whose value goes to a result variable. Scripts in other languages (`bpmn:script`) and
//! script tasks left to a job worker (`zeebe:taskDefinition`) are reported.

use roxmltree::Node;

use super::{Loader, is_bpmn, is_zeebe, null_expression};
use crate::model::ScriptTask;

/// What a script task needs, for the messages that say it is missing.
const SCRIPT_EXAMPLE: &str = "`<zeebe:script expression=\"=…\" resultVariable=\"…\" />`";

impl<'a, 'input> Loader<'a, 'input> {
    pub(super) fn script_task(&mut self, node: Node<'a, 'input>) -> Option<ScriptTask> {
        self.refuse_loops(node)?;
        let extensions = node.children().find(|c| is_bpmn(*c, "extensionElements"));
        let zeebe = |local: &str| extensions.and_then(|ext| ext.children().find(|c| is_zeebe(*c, local)));
        if let Some(definition) = zeebe("taskDefinition") {
            let kind = definition.attribute("type").unwrap_or_default();
            self.report(
                definition,
                format!(
                    "a script task run by a job worker (type `{kind}`) is not supported; herald evaluates FEEL scripts: give the task {SCRIPT_EXAMPLE}"
                ),
            );
            return None;
        }
        let script = node.children().find(|c| is_bpmn(*c, "script"));
        if script.is_some() || node.attribute("scriptFormat").is_some() {
            let format = node.attribute("scriptFormat").unwrap_or("an unnamed language");
            self.report(
                script.unwrap_or(node),
                format!(
                    "a script in {format} (`bpmn:script`) is not supported; herald evaluates FEEL: give the task {SCRIPT_EXAMPLE}"
                ),
            );
            return None;
        }
        let Some(definition) = zeebe("script") else {
            self.report(node, format!("the script task has no `zeebe:script`; give it {SCRIPT_EXAMPLE}"));
            return None;
        };
        let Some(result_variable) = definition.attribute("resultVariable").map(str::trim).filter(|v| !v.is_empty())
        else {
            self.report(definition, "`zeebe:script` has no `resultVariable`; name the variable that takes its value");
            return None;
        };
        let expression = match definition.attribute_node("expression") {
            Some(attr) if !attr.value().trim().trim_start_matches('=').trim().is_empty() => {
                self.attribute_expression(attr).unwrap_or_else(null_expression)
            }
            _ => {
                self.report(
                    definition,
                    "`zeebe:script` has no `expression`; write the FEEL to evaluate, e.g. \"=a + b\"",
                );
                return None;
            }
        };
        let (inputs, outputs) = self.io_mapping(zeebe("ioMapping"));
        Some(ScriptTask { expression, result_variable: result_variable.to_owned(), inputs, outputs })
    }
}
