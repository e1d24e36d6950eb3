//! `zeebe:ioMapping`: a task's inputs (a connector's configuration, or a script's local
//! variables) and its output mappings.

use roxmltree::Node;

use super::{Loader, is_zeebe, null_expression};
use crate::model::{InputMapping, OutputMapping, Source};

impl<'a, 'input> Loader<'a, 'input> {
    /// The inputs and the output mappings of a `zeebe:ioMapping`, in document order.
    pub(super) fn io_mapping(&mut self, mapping: Option<Node<'a, 'input>>) -> (Vec<InputMapping>, Vec<OutputMapping>) {
        let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
        for child in mapping.iter().flat_map(Node::children).filter(Node::is_element) {
            if is_zeebe(child, "input") {
                inputs.extend(self.input(child));
            } else if is_zeebe(child, "output") {
                outputs.extend(self.output(child));
            }
        }
        (inputs, outputs)
    }

    fn input(&mut self, node: Node<'a, 'input>) -> Option<InputMapping> {
        let Some(target) = node.attribute("target").filter(|t| !t.is_empty()) else {
            self.report(node, "`zeebe:input` has no `target`; name the connector input it sets");
            return None;
        };
        let Some(attr) = node.attribute_node("source") else {
            self.report(node, format!("`zeebe:input` for `{target}` has no `source`"));
            return None;
        };
        let position = self.position(attr.range_value().start);
        let source = match attr.value().strip_prefix('=') {
            Some(feel) => Source::Expression(self.expression(feel, position, 1).unwrap_or_else(null_expression)),
            None => Source::Literal(attr.value().to_owned()),
        };
        Some(InputMapping { target: target.to_owned(), source, position })
    }

    /// One `zeebe:output`. As in Camunda, a missing or empty source maps `null`.
    fn output(&mut self, node: Node<'a, 'input>) -> Option<OutputMapping> {
        let Some(target) = node.attribute("target").map(str::trim).filter(|t| !t.is_empty()) else {
            self.report(node, "`zeebe:output` has no `target`; name the process variable it sets");
            return None;
        };
        if target.split('.').any(|name| name.trim().is_empty()) {
            self.report(
                node,
                format!("the output target `{target}` is neither a variable name nor a path such as `order.status`"),
            );
            return None;
        }
        let attr = node.attribute_node("source");
        let position = self.position(attr.map_or(node.range().start, |a| a.range_value().start));
        let source = match attr.map(|a| a.value()).unwrap_or_default() {
            "" => Source::Expression(null_expression()),
            text => match text.strip_prefix('=') {
                Some(feel) => Source::Expression(self.expression(feel, position, 1).unwrap_or_else(null_expression)),
                None => Source::Literal(text.to_owned()),
            },
        };
        Some(OutputMapping { target: target.to_owned(), source, position })
    }
}
