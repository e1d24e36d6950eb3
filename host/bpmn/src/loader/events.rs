//! Start events, and which one a run starts at.
//!
//! A run starts at the process's none start event; a process without one starts at its
//! message start event, the run's variables being the message's. A process with several
//! message start events and no none start event is refused: herald would not know which
//! message a run is.

use roxmltree::Node;

use super::{Loader, event_definition_node, is_bpmn, is_zeebe};
use crate::model::{Element, ElementKind};

impl<'a, 'input> Loader<'a, 'input> {
    /// A none or message start event; other start events are reported.
    pub(super) fn start_event(&mut self, node: Node<'a, 'input>) -> Option<ElementKind> {
        let message = match event_definition_node(node) {
            None => None,
            Some(definition) if is_bpmn(definition, "messageEventDefinition") => Some(self.message_name(definition)?),
            Some(definition) => {
                let what = definition.tag_name().name();
                self.report(
                    node,
                    format!(
                        "`bpmn:startEvent` with `bpmn:{what}` is not supported; herald runs none and message start events"
                    ),
                );
                return None;
            }
        };
        let mapping = node
            .children()
            .filter(|c| is_bpmn(*c, "extensionElements"))
            .flat_map(|extensions| extensions.children())
            .find(|c| is_zeebe(*c, "ioMapping"));
        if let Some(input) = mapping.and_then(|m| m.children().find(|c| is_zeebe(*c, "input"))) {
            self.report(input, "a start event has no inputs; remove the `zeebe:input`");
            return None;
        }
        if message.is_none()
            && let Some(output) = mapping.and_then(|m| m.children().find(|c| is_zeebe(*c, "output")))
        {
            self.report(
                output,
                "output mappings on a none start event are not supported; map the variables in a later task",
            );
            return None;
        }
        let (_, outputs) = self.io_mapping(mapping);
        Some(ElementKind::StartEvent { message, outputs })
    }

    /// The name of the `bpmn:message` a message event definition refers to.
    fn message_name(&mut self, definition: Node<'a, 'input>) -> Option<String> {
        let Some(reference) = definition.attribute("messageRef") else {
            self.report(
                definition,
                "the message event names no message; add a `bpmn:message` with a name and refer to it with `messageRef`",
            );
            return None;
        };
        match self.messages.get(reference) {
            Some(Some(name)) => Some((*name).to_owned()),
            Some(None) => {
                self.report(definition, format!("the message `{reference}` has no name; give it one"));
                None
            }
            None => {
                self.report(definition, format!("messageRef `{reference}` names no `bpmn:message` of this file"));
                None
            }
        }
    }

    /// The index of the start event a run starts at: the none start event, else the only
    /// message start event; `None` (reported) when there is no such single event.
    pub(super) fn choose_start(&mut self, process: Node<'a, 'input>, elements: &[Element]) -> Option<usize> {
        let (mut none, mut message) = (Vec::new(), Vec::new());
        for (i, element) in elements.iter().enumerate() {
            if let ElementKind::StartEvent { message: name, .. } = &element.kind {
                match name {
                    None => none.push(i),
                    Some(name) => message.push((i, name)),
                }
            }
        }
        match (none.as_slice(), message.as_slice()) {
            ([start], _) | ([], [(start, _)]) => Some(*start),
            ([], []) => {
                // A start event that was reported is the problem already.
                let reported = process
                    .children()
                    .filter(|c| is_bpmn(*c, "startEvent"))
                    .any(|c| c.attribute("id").is_some_and(|id| self.rejected.contains(id)));
                if !reported {
                    self.report(
                        process,
                        "the process has no start event; add a none start event or a message start event",
                    );
                }
                None
            }
            ([_, second, ..], _) => {
                let element = &elements[*second];
                let id = element.id.clone();
                self.report_at(
                    element.position,
                    Some(&id),
                    "the process has more than one none start event; herald starts at exactly one",
                );
                None
            }
            ([], [_, (second, _), ..]) => {
                let named: Vec<String> =
                    message.iter().map(|(i, name)| format!("`{}` (message `{name}`)", elements[*i].id)).collect();
                let element = &elements[*second];
                let id = element.id.clone();
                self.report_at(
                    element.position,
                    Some(&id),
                    format!(
                        "the process has several message start events, {}, and no none start event; a run starts at one: keep one message start event, or add the none start event runs start at",
                        named.join(", ")
                    ),
                );
                None
            }
        }
    }
}
