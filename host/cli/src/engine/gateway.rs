//! Exclusive gateways: the first outgoing flow whose condition is true, else the default;
//! a gateway with a single unconditional flow merges.

use serde_json::Value;

use herald_bpmn::{Element, Process};
use herald_feel as feel;

/// Picks the flow an exclusive gateway takes, as an index into `process.flows`.
pub fn choose(
    process: &Process,
    gateway: &Element,
    default: Option<usize>,
    variables: &Value,
) -> Result<usize, String> {
    // A merge: one unconditional way out.
    if let [flow] = gateway.outgoing[..]
        && process.flows[flow].condition.is_none()
    {
        return Ok(flow);
    }
    for &flow in &gateway.outgoing {
        let Some(condition) = &process.flows[flow].condition else {
            continue;
        };
        let value = condition
            .evaluate(variables)
            .map_err(|err| format!("the condition of flow `{}` failed: {err}", process.flows[flow].id))?;
        if feel::is_true(&value) {
            return Ok(flow);
        }
    }
    default
        .ok_or_else(|| format!("no outgoing condition of gateway `{}` is true and it has no default flow", gateway.id))
}
