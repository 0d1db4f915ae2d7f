//! The Backstage entity view over a YAML document, and the rules that need
//! to know where things are in an entity (annotations, misplaced keys).

pub mod duplicate_keys;
pub mod entity;
pub mod key_typo;
pub mod misplaced;
pub mod refs;
pub mod rules;
