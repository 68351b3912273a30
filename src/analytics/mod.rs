//! Web analytics on heycmo's own data: sites, the cookieless collector that the tracking script
//! reports to, and the channel grouping of visits.

pub mod attribution;
pub mod channel;
pub mod collector;
pub mod digest;
pub mod revenue;
pub mod site;
pub mod stats;
