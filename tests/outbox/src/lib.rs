//! Helpers of the outbox tests: a throwaway PostgreSQL database per test.

pub mod postgres;
