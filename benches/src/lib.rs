//! Shared helpers for the corio bench suite.
