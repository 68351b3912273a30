//! The catalogue's REST aliases (`route = "GET /api/customer/{customerId}"`), matched by path.
//!
//! Built with the registry, so two tools claiming the same route is a start-up error that names
//! them rather than a surprise at request time.

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

impl Routes {
    pub(super) fn build(tools: &[ToolSpec]) -> Result<Routes, RegistryError> {
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
