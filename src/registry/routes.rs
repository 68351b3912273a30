//! The catalogue's REST aliases (`route = "GET /api/customer/{customerId}"`), matched by path.
//!
//! Built with the registry, so two tools claiming the same route — or one route's parameter
//! capturing another's literal path under another method, which would answer that path's 405 with
//! the wrong methods — is a start-up error that names them rather than a surprise at request time.

use std::collections::HashMap;

use http::Method;

use super::{RegistryError, ToolSpec};

/// Per method, a path router to the index of the tool in the registry.
#[derive(Default)]
pub struct Routes(HashMap<Method, matchit::Router<usize>>);

/// A matched alias: the tool's index and the path parameters.
pub struct Matched {
    pub tool: usize,
    pub params: Vec<(String, String)>,
}

/// Whether one URL could match both paths without the paths being the same route: as many
/// segments, each pair equal or one of them a parameter, and some literal met by a parameter.
fn overlap(a: &str, b: &str) -> bool {
    let param = |s: &str| s.starts_with('{');
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || param(x) || param(y))
        && a.iter().zip(&b).any(|(x, y)| param(x) != param(y))
}

impl Routes {
    pub(super) fn build(tools: &[ToolSpec]) -> Result<Routes, RegistryError> {
        let all: Vec<(&ToolSpec, &super::Route)> = tools
            .iter()
            .filter_map(|spec| spec.entry.route.as_ref().map(|route| (spec, route)))
            .collect();
        for (spec, route) in &all {
            for (other, theirs) in &all {
                if route.method != theirs.method && overlap(&route.path, &theirs.path) {
                    return Err(RegistryError::Route {
                        tool: spec.entry.name.clone(),
                        route: format!("{} {}", route.method, route.path),
                        message: format!(
                            "it also matches {} {} ({}): give one of them a literal segment of its own",
                            theirs.method, theirs.path, other.entry.name
                        ),
                    });
                }
            }
        }
        let mut routes = Routes::default();
        for (index, spec) in tools.iter().enumerate() {
            if let Some(route) = &spec.entry.route {
                routes
                    .0
                    .entry(route.method.clone())
                    .or_default()
                    .insert(route.path.clone(), index)
                    .map_err(|e| RegistryError::Route {
                        tool: spec.entry.name.clone(),
                        route: format!("{} {}", route.method, route.path),
                        message: e.to_string(),
                    })?;
            }
        }
        Ok(routes)
    }

    /// The alias for this method and path, if any.
    pub fn at(&self, method: &Method, path: &str) -> Option<Matched> {
        let matched = self.0.get(method)?.at(path).ok()?;
        let params = matched
            .params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Some(Matched {
            tool: *matched.value,
            params,
        })
    }

    /// The methods some alias serves at this path (for 405 answers).
    pub fn methods_at(&self, path: &str) -> Vec<Method> {
        self.0
            .iter()
            .filter(|(_, router)| router.at(path).is_ok())
            .map(|(m, _)| m.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::overlap;

    #[test]
    fn a_parameter_that_captures_another_routes_literal_overlaps() {
        assert!(overlap(
            "/api/team/{customerId}/{keyId}",
            "/api/team/{customerId}/invite"
        ));
        assert!(!overlap(
            "/api/team/{customerId}/keys/{keyId}",
            "/api/team/{customerId}/invite"
        ));
        assert!(!overlap(
            "/api/hooks/{customerId}/{hookId}",
            "/api/hooks/{customerId}/{id}"
        ));
        assert!(!overlap(
            "/api/onboard/{customerId}/answers",
            "/api/onboard/{customerId}/auto-extract"
        ));
    }
}
