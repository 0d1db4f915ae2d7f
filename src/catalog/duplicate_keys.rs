//! `duplicate-key`: Backstage's YAML parser rejects a mapping that repeats
//! a key, so the whole entity is dropped from the catalog.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::text::LineIndex;
use crate::yaml::{Node, NodeKind};

pub fn check(root: &Node, index: &LineIndex, out: &mut Vec<Diagnostic>) {
    root.walk(|node| {
        let NodeKind::Mapping { entries, .. } = &node.kind else { return };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for entry in entries {
            let Some(key) = entry.key.as_scalar() else { continue };
            if let Some(first) = seen.insert(key, entry.key.range.start) {
                seen.insert(key, first);
                let line = index.line_col(first).line;
                out.push(Diagnostic::new(
                    Code::DuplicateKey,
                    entry.key.range.clone(),
                    format!(
                        "`{key}` is already defined on line {line}. Backstage rejects a file with duplicate keys, \
                         so this entity would not be in the catalog. Remove or merge one of them."
                    ),
                ));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    #[test]
    fn reports_the_second_occurrence_at_any_depth() {
        let text = "metadata:\n  name: a\n  annotations:\n    x: 1\n    x: 2\nmetadata: {}\n";
        let root = parse_stream(text).documents.remove(0).root.unwrap();
        let mut out = Vec::new();
        check(&root, &LineIndex::new(text), &mut out);
        let mut at: Vec<usize> = out.iter().map(|d| d.range.start).collect();
        at.sort();
        assert_eq!(
            at,
            [text.find("x: 2").unwrap(), text.rfind("metadata").unwrap()]
        );
        let nested = out.iter().find(|d| d.range.start == at[0]).unwrap();
        assert!(nested.message.contains("line 4"), "{}", nested.message);
    }
}
