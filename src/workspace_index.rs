//! The entities of every catalog file of the workspace, for navigation: who
//! defines a ref, who points at an entity. Pure (no I/O): the server feeds
//! it the files it reads at start-up and when they change on disk, and the
//! analyses of open documents, which stand in for their files on disk.

use std::collections::HashMap;
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::catalog::refs::{EntityInfo, RefKey, RefUse};
use crate::text::LineIndex;

/// One file's entities, with what turns their byte ranges into positions.
#[derive(Debug)]
pub struct IndexedFile {
    /// The URI as the client (or the file system walk) names the file.
    pub uri: String,
    pub line_index: Arc<LineIndex>,
    /// Only `entities` is read; open documents share their analysis.
    pub analysis: Arc<Analysis>,
    /// Which entities the file defines, in one number: an edit that keeps
    /// them (nearly every keystroke) updates the index without a diff.
    fingerprint: u64,
}

impl IndexedFile {
    pub fn new(
        uri: impl Into<String>,
        line_index: Arc<LineIndex>,
        analysis: Arc<Analysis>,
    ) -> Self {
        let fingerprint = fingerprint(&analysis.entities);
        IndexedFile {
            uri: uri.into(),
            line_index,
            analysis,
            fingerprint,
        }
    }

    pub fn entities(&self) -> &[EntityInfo] {
        &self.analysis.entities
    }
}

/// An entity and the file it stands in.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a, T> {
    pub file: &'a IndexedFile,
    pub item: &'a T,
}

/// A ref, the file it stands in and where.
#[derive(Debug, Clone)]
pub struct LocatedRef<'a> {
    pub file: &'a IndexedFile,
    pub range: std::ops::Range<usize>,
    pub item: &'a RefUse,
}

#[derive(Debug, Default)]
pub struct WorkspaceIndex {
    /// By normalised URI (see `normalize_uri`).
    disk: HashMap<String, Arc<IndexedFile>>,
    open: HashMap<String, Arc<IndexedFile>>,
    /// Which files define each entity (normalised URIs; a name defined
    /// twice lists both).
    defined: HashMap<RefKey, Vec<Arc<str>>>,
    /// Folder paths, to show file paths relative to them.
    roots: Vec<String>,
}

impl WorkspaceIndex {
    pub fn set_roots(&mut self, roots: Vec<String>) {
        self.roots = roots;
    }

    /// The file as read from disk (replacing an older reading). Returns
    /// whether the set of defined entities changed.
    pub fn set_disk(&mut self, file: IndexedFile) -> bool {
        let key = normalize_uri(&file.uri);
        self.update(key, |index, key| {
            index.disk.insert(key.to_string(), Arc::new(file));
        })
    }

    /// Drops every disk file under the folder `root` (a workspace folder
    /// removed). Returns whether the set of defined entities changed.
    pub fn remove_under(&mut self, root: &str) -> bool {
        let prefix = format!("{}/", root.trim_end_matches('/'));
        let gone: Vec<String> = self
            .disk
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        let mut changed = false;
        for key in gone {
            changed |= self.update(key, |index, key| {
                index.disk.remove(key);
            });
        }
        changed
    }

    /// The file is gone from disk (an open document stays indexed).
    pub fn remove_disk(&mut self, uri: &str) -> bool {
        self.update(normalize_uri(uri), |index, key| {
            index.disk.remove(key);
        })
    }

    /// An open document's current analysis, which overrides the file on disk.
    pub fn set_open(&mut self, file: IndexedFile) -> bool {
        let key = normalize_uri(&file.uri);
        self.update(key, |index, key| {
            index.open.insert(key.to_string(), Arc::new(file));
        })
    }

    /// A document closed: the file on disk (if indexed) counts again.
    pub fn close(&mut self, uri: &str) -> bool {
        self.update(normalize_uri(uri), |index, key| {
            index.open.remove(key);
        })
    }

    /// Applies `change` to the file `key`, keeping `defined` in step.
    fn update(&mut self, key: String, change: impl FnOnce(&mut Self, &str)) -> bool {
        let before = self.file(&key).cloned();
        change(self, &key);
        let after = self.file(&key).cloned();
        if before.as_ref().map(|f| f.fingerprint) == after.as_ref().map(|f| f.fingerprint) {
            return false;
        }
        let before = before.map(|f| defined_keys(&f));
        let after = after.map(|f| defined_keys(&f));
        if before == after {
            return false;
        }
        for k in before.iter().flatten() {
            if let Some(files) = self.defined.get_mut(k) {
                files.retain(|f| **f != *key);
                if files.is_empty() {
                    self.defined.remove(k);
                }
            }
        }
        // One copy of the URI for all the entities of the file.
        let shared: Arc<str> = key.into();
        for k in after.into_iter().flatten() {
            let files = self.defined.entry(k).or_default();
            if !files.contains(&shared) {
                files.push(shared.clone());
            }
        }
        true
    }

    /// The file as it counts now: the open document, else the disk file.
    fn file(&self, key: &str) -> Option<&Arc<IndexedFile>> {
        self.open.get(key).or_else(|| self.disk.get(key))
    }

    /// Every file that counts, open documents in place of their disk files.
    pub fn files(&self) -> impl Iterator<Item = &IndexedFile> {
        let disk = self
            .disk
            .iter()
            .filter(|(k, _)| !self.open.contains_key(*k))
            .map(|(_, f)| f.as_ref());
        self.open.values().map(Arc::as_ref).chain(disk)
    }

    pub fn entities(&self) -> impl Iterator<Item = Located<'_, EntityInfo>> {
        self.files().flat_map(|file| {
            file.entities()
                .iter()
                .filter(|e| !e.name.is_empty())
                .map(move |item| Located { file, item })
        })
    }

    pub fn contains(&self, key: &RefKey) -> bool {
        self.defined.contains_key(key)
    }

    /// The entities named `key` (more than one when defined twice).
    pub fn definitions(&self, key: &RefKey) -> Vec<Located<'_, EntityInfo>> {
        let Some(files) = self.defined.get(key) else {
            return Vec::new();
        };
        let mut found: Vec<Located<'_, EntityInfo>> = files
            .iter()
            .filter_map(|k| self.file(k))
            .flat_map(|file| {
                file.entities()
                    .iter()
                    .filter(|e| !e.name.is_empty() && &e.key() == key)
                    .map(move |item| Located {
                        file: file.as_ref(),
                        item,
                    })
            })
            .collect();
        found.sort_by(|a, b| {
            (&a.file.uri, a.item.range.start).cmp(&(&b.file.uri, b.item.range.start))
        });
        found
    }

    /// Every ref that points at `key`, sorted by file and position.
    pub fn references(&self, key: &RefKey) -> Vec<LocatedRef<'_>> {
        let mut found: Vec<LocatedRef<'_>> = self
            .files()
            .flat_map(|file| {
                file.entities().iter().flat_map(move |e| {
                    e.refs
                        .iter()
                        .filter(|r| r.target.as_ref() == Some(key))
                        .map(move |item| LocatedRef {
                            file,
                            range: e.ref_range(item),
                            item,
                        })
                })
            })
            .collect();
        found.sort_by(|a, b| (&a.file.uri, a.range.start).cmp(&(&b.file.uri, b.range.start)));
        found
    }

    /// A file's path for people: relative to the workspace folder that
    /// holds it, else its path (or URI when it is not a file).
    pub fn display_path(&self, uri: &str) -> String {
        let path = normalize_uri(uri);
        for root in &self.roots {
            let root = root.trim_end_matches('/');
            if let Some(rest) = path.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
                return rest.to_string();
            }
        }
        path
    }

    pub fn file_count(&self) -> usize {
        self.files().count()
    }
}

fn defined_keys(file: &IndexedFile) -> Vec<RefKey> {
    let mut keys: Vec<RefKey> = file
        .entities()
        .iter()
        .filter(|e| !e.name.is_empty())
        .map(EntityInfo::key)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The multiset of the entities' keys, as a sum of one hash per entity
/// (so the order of documents does not matter), computed without
/// allocating. A multiply-rotate hash: this runs on every keystroke.
fn fingerprint(entities: &[EntityInfo]) -> u64 {
    fn mix(h: u64, x: u64) -> u64 {
        (h.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95)
    }
    entities
        .iter()
        .filter(|e| !e.name.is_empty())
        .map(|e| {
            let mut h = 0;
            for part in [&e.kind, &e.namespace, &e.name] {
                for c in part.chars() {
                    if c.is_ascii() {
                        h = mix(h, u64::from(c.to_ascii_lowercase()));
                    } else {
                        for l in c.to_lowercase() {
                            h = mix(h, u64::from(l));
                        }
                    }
                }
                h = mix(h, 1 << 32); // past any char: parts cannot run together
            }
            mix(h, 0x9e37_79b9_7f4a_7c15)
        })
        .fold(0u64, u64::wrapping_add)
}

/// One key per file whatever the spelling of its URI: the decoded path of
/// a `file:` URI, the URI itself otherwise.
pub fn normalize_uri(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(url) if url.scheme() == "file" => match url.to_file_path() {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(()) => uri.to_string(),
        },
        _ => uri.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn file(uri: &str, text: &str) -> IndexedFile {
        let analysis = crate::analysis::analyze_catalog(text, &Settings::default());
        IndexedFile::new(uri, Arc::new(LineIndex::new(text)), Arc::new(analysis))
    }

    const GROUPS: &str =
        "kind: Group\nmetadata:\n  name: team-a\n---\nkind: Group\nmetadata:\n  name: team-b\n";
    const SERVICE: &str = "kind: Component\nmetadata:\n  name: svc\nspec:\n  owner: team-a\n  dependsOn: [component:svc]\n";

    fn key(kind: &str, name: &str) -> RefKey {
        RefKey::new(kind, "default", name)
    }

    #[test]
    fn definitions_and_references_across_files() {
        let mut index = WorkspaceIndex::default();
        index.set_roots(vec!["/repo".into()]);
        assert!(index.set_disk(file("file:///repo/teams.yaml", GROUPS)));
        assert!(index.set_disk(file("file:///repo/svc/catalog-info.yaml", SERVICE)));
        let team_a = key("Group", "Team-A");
        let defs = index.definitions(&team_a);
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].file.uri, "file:///repo/teams.yaml");
        assert_eq!(&GROUPS[defs[0].item.name_range.clone()], "team-a");
        let refs = index.references(&team_a);
        assert_eq!(refs.len(), 1);
        assert_eq!(&SERVICE[refs[0].range.clone()], "team-a");
        assert!(index.contains(&key("component", "svc")));
        assert!(!index.contains(&key("group", "team-c")));
        assert_eq!(index.references(&key("component", "svc")).len(), 1);
        assert_eq!(
            index.display_path("file:///repo/svc/catalog-info.yaml"),
            "svc/catalog-info.yaml"
        );
        assert_eq!(index.entities().count(), 3);
    }

    #[test]
    fn open_documents_override_their_disk_files_until_closed() {
        let mut index = WorkspaceIndex::default();
        index.set_disk(file("file:///repo/teams.yaml", GROUPS));
        // The client spells the URI differently; it is still the same file.
        let renamed = GROUPS.replace("team-b", "team-c");
        assert!(index.set_open(file("file:///repo/./teams.yaml", &renamed)));
        assert!(!index.contains(&key("group", "team-b")));
        assert!(index.contains(&key("group", "team-c")));
        assert_eq!(index.file_count(), 1);
        // Edits that define the same entities change nothing to resolve.
        assert!(!index.set_open(file("file:///repo/teams.yaml", &format!("# x\n{renamed}"))));
        assert!(index.close("file:///repo/teams.yaml"));
        assert!(index.contains(&key("group", "team-b")));
        assert!(index.remove_disk("file:///repo/teams.yaml"));
        assert!(!index.contains(&key("group", "team-a")));
        assert_eq!(index.file_count(), 0);
    }

    #[test]
    fn an_entity_defined_twice_has_two_definitions() {
        let mut index = WorkspaceIndex::default();
        index.set_disk(file("file:///r/a.yaml", GROUPS));
        index.set_disk(file("file:///r/b.yaml", GROUPS));
        assert_eq!(index.definitions(&key("group", "team-a")).len(), 2);
        index.remove_disk("file:///r/a.yaml");
        assert_eq!(index.definitions(&key("group", "team-a")).len(), 1);
    }

    #[test]
    fn a_removed_folder_takes_its_files_along() {
        let mut index = WorkspaceIndex::default();
        index.set_disk(file("file:///r/a/teams.yaml", GROUPS));
        index.set_disk(file("file:///r/ab/svc.yaml", SERVICE));
        assert!(index.remove_under("/r/a"));
        assert!(!index.contains(&key("group", "team-a")));
        assert!(
            index.contains(&key("component", "svc")),
            "/r/ab is another folder"
        );
        assert!(!index.remove_under("/r/a/"));
    }
}
