//! heycmo: a self-hostable, MCP-first "AI CMO" server.
//!
//! One [`registry::Registry`] of typed tools is served over MCP (stdio, legacy HTTP+SSE,
//! Streamable HTTP) and projected into REST routes and discovery documents. See the README's
//! architecture section for the map.

pub mod account;
pub mod analytics;
pub mod app;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod brand;
pub mod changes;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connections;
pub mod content;
pub mod discovery;
pub mod error;
pub mod google;
pub mod http;
pub mod jobs;
pub mod knowledge;
pub mod leads;
pub mod library;
pub mod llm;
pub mod mcp;
pub mod onboarding;
pub mod pages;
pub mod ratelimit;
pub mod registry;
pub mod research;
pub mod sequences;
pub mod social;
pub mod status;
pub mod store;
pub mod tools;
pub mod vault;
pub mod visibility;
pub mod web;
pub mod webhooks;
