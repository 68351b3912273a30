//! Fetching other people's web pages safely, and reading what comes back: HTML pages,
//! robots.txt, sitemaps and llms.txt.

pub mod fetch;
pub mod guard;
pub mod html;
pub mod llms_txt;
pub mod robots;
pub mod sitemap;

mod client;

pub use client::client;
pub use fetch::{FetchConfig, FetchError, Fetched, Fetcher, Outgoing};
