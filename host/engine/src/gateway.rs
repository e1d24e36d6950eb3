//! Exclusive gateways: the first outgoing flow whose condition is true, else the default;
//! a gateway with a single unconditional flow merges.

use serde_json::Value;

use herald_bpmn::{Element, Process};
use herald_feel as feel;

/// Why an exclusive gateway took no flow.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GatewayError {
    /// A condition could not be evaluated.
    #[error("the condition of flow `{flow}` failed: {source}")]
    Condition {
        /// The flow's id.
        flow: String,
        /// FEEL's error.
        source: feel::FeelError,
    },
    /// No condition was true and there is no default flow.
    #[error("no outgoing condition of gateway `{gateway}` is true and it has no default flow")]
    NoFlow {
        /// The gateway's id.
        gateway: String,
    },
}

/// Picks the flow an exclusive gateway takes, as an index into `process.flows`.
pub fn choose(
    process: &Process,
    gateway: &Element,
    default: Option<usize>,
    variables: &Value,
    context: &feel::Context,
) -> Result<usize, GatewayError> {
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
            .evaluate_in(variables, context)
            .map_err(|source| GatewayError::Condition { flow: process.flows[flow].id.clone(), source })?;
        if feel::is_true(&value) {
            return Ok(flow);
        }
    }
    default.ok_or_else(|| GatewayError::NoFlow { gateway: gateway.id.clone() })
}
