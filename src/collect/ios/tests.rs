//! Tests of the iOS collectors on whole inputs: real files and own fixtures.
