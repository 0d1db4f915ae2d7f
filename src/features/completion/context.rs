//! What the cursor is completing, read from the text alone: while a key or
//! a URL is half typed the YAML is often broken, and the tree then lacks
//! exactly the part being written. Lines, indentation and the URL's own
//! structure (`url_parts`) are enough.

use std::ops::Range;

use crate::annotations::url_parts::{self, Segment};
use crate::annotations::workspace_url::WORKSPACE_URL_KEY;

/// Where the cursor is, for completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// Typing a key of `metadata.annotations`.
    AnnotationKey(KeySite),
    /// Typing a key of a `metadata` that has no `annotations` yet.
    MetadataKey(KeySite),
    /// In one path segment of a workspace URL.
    Segment(SegmentSite),
    /// At the start of a (new) line of the labelled `|` block.
    NewLine { replace: Range<usize> },
    /// Right after `harness.io/workspace-url:` with no value yet: the
    /// labelled block. `indent` is the block's; `space` says whether a
    /// space must separate it from the colon.
    Value {
        replace: Range<usize>,
        indent: usize,
        space: bool,
    },
    /// After `label: ` on a line of the block, before any URL.
    Url { replace: Range<usize> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySite {
    /// The partly typed key, to be replaced.
    pub replace: Range<usize>,
    /// Column of the key.
    pub indent: usize,
    /// Spaces per nesting level, as the file indents this mapping.
    pub step: usize,
    /// In a `{...}` flow mapping, where a block scalar cannot stand.
    pub flow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Account,
    Module,
    Org,
    Project,
    Workspace,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSite {
    pub kind: SegmentKind,
    /// The segment (for a workspace, with the `/resources` after it, which
    /// the item writes again).
    pub replace: Range<usize>,
    /// What is typed of the segment before the cursor.
    pub typed: String,
    /// `https://host[:port]` of the URL.
    pub origin: String,
    /// The URL's account, org and project segments, when not empty.
    pub account: Option<String>,
    pub org: Option<String>,
    pub project: Option<String>,
}

/// The context at byte `offset` of `text`, if completion applies there.
pub fn context_at(text: &str, offset: usize) -> Option<Context> {
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let cur = Line::at(text, offset);
    in_value(text, &cur, offset).or_else(|| in_keys(text, &cur, offset))
}

/// One line of the text: `start..end` is its content, without the line break.
struct Line<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

impl<'a> Line<'a> {
    fn at(text: &'a str, offset: usize) -> Self {
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let mut end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if end > start && text.as_bytes()[end - 1] == b'\r' && end > offset {
            end -= 1;
        }
        Line {
            start,
            end,
            text: &text[start..end],
        }
    }

    fn indent(&self) -> usize {
        indent_of(self.text)
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Blank lines and comments do not take part in the nesting.
fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// `key: rest` (or `key:`), the key unquoted. `None` when the line is not
/// a mapping entry.
fn key_of(line: &str) -> Option<(&str, &str)> {
    let t = line.trim();
    let (key, rest) = if let Some(q @ ('"' | '\'')) = t.chars().next() {
        let close = t[1..].find(q)? + 1;
        (&t[1..close], t[close + 1..].trim_start())
    } else {
        let colon = t
            .match_indices(':')
            .find(|(i, _)| t[i + 1..].is_empty() || t[i + 1..].starts_with([' ', '\t']))?
            .0;
        (&t[..colon], &t[colon..])
    };
    let rest = rest.strip_prefix(':')?;
    Some((key.trim(), rest.trim()))
}

/// A key with nothing after it but a comment: it opens a nested block.
fn opens_block(line: &str, name: &str) -> bool {
    key_of(line).is_some_and(|(k, rest)| k == name && (rest.is_empty() || rest.starts_with('#')))
}

/// The lines above the one starting at `line_start`, nearest first.
fn lines_above(text: &str, line_start: usize) -> impl Iterator<Item = &str> {
    text[..line_start].lines().rev()
}

/// The nearest line above with less indentation than `indent`: the parent
/// of a line at `indent` (with its own start, to look further up).
fn parent(text: &str, line_start: usize, indent: usize) -> Option<(usize, &str)> {
    let mut end = line_start;
    for line in lines_above(text, line_start) {
        // `end` is the start of the line below; this one starts before it.
        let start = text[..end.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        end = start;
        if !is_blank(line) && indent_of(line) < indent {
            return Some((start, line));
        }
    }
    None
}

/// The lines of the block under the parent line ending at `after`, while
/// they are indented more than `parent_indent`.
fn children(text: &str, after: usize, parent_indent: usize) -> impl Iterator<Item = &str> {
    let rest = text[after..].split_once('\n').map_or("", |(_, r)| r);
    rest.lines()
        .filter(|l| !is_blank(l))
        .take_while(move |l| indent_of(l) > parent_indent)
}

const KEY_CHARS: fn(char) -> bool = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);

/// Completion inside the annotation's value: a URL segment, or a new line
/// of the labelled block.
fn in_value(text: &str, cur: &Line<'_>, offset: usize) -> Option<Context> {
    let (value_start, block) = match value_on_key_line(cur) {
        Some(at) if offset >= at => (at, false),
        Some(_) => return None,
        None => {
            let before = &text[cur.start..offset];
            let indent = if is_blank(cur.text) {
                before.len() - before.trim_start_matches(' ').len()
            } else {
                cur.indent()
            };
            let (_, owner) = parent(text, cur.start, indent)?;
            let (key, rest) = key_of(owner)?;
            if key != WORKSPACE_URL_KEY || !rest.starts_with(['|', '>']) {
                return None;
            }
            (cur.start + indent, true)
        }
    };
    if offset < value_start {
        return None;
    }
    if !block
        && text[value_start..cur.end].trim().is_empty()
        && cur
            .text
            .trim_start()
            .trim_start_matches(['"', '\''])
            .starts_with(WORKSPACE_URL_KEY)
    {
        let step =
            parent(text, cur.start, cur.indent()).map_or(2, |(_, p)| cur.indent() - indent_of(p));
        return Some(Context::Value {
            replace: offset..cur.end,
            indent: cur.indent() + step,
            space: !text[value_start..offset].starts_with(' '),
        });
    }
    let is_delim = |c: char| c.is_whitespace() || "'\",{}[]".contains(c);
    let token_start = text[value_start..offset]
        .rfind(is_delim)
        .map_or(value_start, |i| value_start + i + 1);
    let token_end = text[offset..cur.end]
        .find(is_delim)
        .map_or(cur.end, |i| offset + i);
    let token = &text[token_start..token_end];
    if token.contains("://") {
        return segment(token, token_start, offset).map(Context::Segment);
    }
    let typed = &text[value_start..token_end];
    let rest = &text[token_end..cur.end];
    // `label: ` and nothing yet: the URL.
    if let Some((label, gap)) = typed.split_once(':')
        && block
        && token_start == offset
        && !label.is_empty()
        && label.chars().all(|c| KEY_CHARS(c) || c == '$')
        && gap.trim().is_empty()
        && rest.trim().is_empty()
    {
        return Some(Context::Url {
            replace: offset..cur.end,
        });
    }
    // A new line of the block: nothing but a label being typed.
    (block
        && token_start == value_start
        && typed.chars().all(|c| KEY_CHARS(c) || c == '$')
        && rest.trim().is_empty())
    .then_some(Context::NewLine {
        replace: token_start..token_end,
    })
}

/// Where the value starts when the current line holds the annotation key
/// itself (`harness.io/workspace-url: https://...`, also in a flow mapping).
fn value_on_key_line(cur: &Line<'_>) -> Option<usize> {
    let at = cur.text.find(WORKSPACE_URL_KEY)?;
    let after = &cur.text[at + WORKSPACE_URL_KEY.len()..];
    let after_quote = after.strip_prefix(['"', '\'']).unwrap_or(after);
    let colon = after_quote.trim_start_matches(' ').strip_prefix(':')?;
    Some(cur.start + cur.text.len() - colon.len())
}

/// The URL segment at `offset`, for a URL token starting at `token_start`.
fn segment(token: &str, token_start: usize, offset: usize) -> Option<SegmentSite> {
    let layout = url_parts::layout(token)?;
    let at = offset - token_start;
    if at < layout.path.start || at > layout.path.end {
        return None;
    }
    let segments = url_parts::segments(token, layout.path.clone());
    let i = segments
        .iter()
        .position(|s| s.range.start <= at && at <= s.range.end)?;
    let previous = segments.get(i.checked_sub(1)?)?;
    let kind = [
        ("account", SegmentKind::Account),
        ("module", SegmentKind::Module),
        ("orgs", SegmentKind::Org),
        ("projects", SegmentKind::Project),
        ("workspaces", SegmentKind::Workspace),
    ]
    .into_iter()
    .find(|(keyword, _)| previous.is(keyword))?
    .1;
    let seg = &segments[i];
    let mut end = seg.range.end;
    if kind == SegmentKind::Workspace {
        let after = &token[end..];
        let tail = "/resources";
        if after
            .get(..tail.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(tail))
            && (after.len() == tail.len() || after[tail.len()..].starts_with(['/', '?', '#']))
        {
            end += tail.len();
        }
    }
    let after_keyword = |keyword: &str| {
        segments
            .windows(2)
            .find(|w| w[0].is(keyword))
            .map(|w: &[Segment<'_>]| w[1].text)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(SegmentSite {
        kind,
        replace: token_start + seg.range.start..token_start + end,
        typed: token[seg.range.start..at].to_string(),
        origin: format!("https://{}", token[layout.host].to_ascii_lowercase()),
        account: after_keyword("account"),
        org: after_keyword("orgs"),
        project: after_keyword("projects"),
    })
}

/// Completion of a key: in `metadata.annotations` (block or flow), or in
/// `metadata` when it has no `annotations`.
fn in_keys(text: &str, cur: &Line<'_>, offset: usize) -> Option<Context> {
    if let Some(flow) = in_flow_annotations(text, cur, offset) {
        return Some(flow);
    }
    let before = &text[cur.start..offset];
    let indent = before.len() - before.trim_start_matches(' ').len();
    let typed = &before[indent..];
    if indent == 0 || !typed.chars().all(KEY_CHARS) {
        return None;
    }
    let word_end = text[offset..cur.end]
        .find(|c: char| !KEY_CHARS(c))
        .map_or(cur.end, |i| offset + i);
    if !text[word_end..cur.end].trim().is_empty() {
        return None;
    }
    let (parent_start, parent_line) = parent(text, cur.start, indent)?;
    let parent_indent = indent_of(parent_line);
    let site = KeySite {
        replace: cur.start + indent..word_end,
        indent,
        step: indent - parent_indent,
        flow: false,
    };
    // Keys already in the mapping (the line being typed left out).
    let siblings = || {
        let after = parent_start + parent_line.len();
        children(text, after, parent_indent)
            .filter(|l| indent_of(l) == indent && !std::ptr::eq(l.as_ptr(), cur.text.as_ptr()))
            .filter_map(|l| key_of(l).map(|(k, _)| k.to_string()))
            .collect::<Vec<_>>()
    };
    if opens_block(parent_line, "annotations") {
        let (_, grand) = parent(text, parent_start, parent_indent)?;
        if indent_of(grand) == 0 && opens_block(grand, "metadata") {
            let has = siblings().iter().any(|k| k == WORKSPACE_URL_KEY);
            return (!has).then_some(Context::AnnotationKey(site));
        }
    } else if parent_indent == 0 && opens_block(parent_line, "metadata") {
        let has = siblings().iter().any(|k| k == "annotations");
        return (!has).then_some(Context::MetadataKey(site));
    }
    None
}

/// `annotations: {a: b, harn|}` on one line.
fn in_flow_annotations(text: &str, cur: &Line<'_>, offset: usize) -> Option<Context> {
    let before = &text[cur.start..offset];
    let open = before.rfind('{')?;
    let head = before[..open].trim_end().strip_suffix(':')?.trim();
    if head.trim_matches(['"', '\'']) != "annotations" {
        return None;
    }
    let entry_start = before.rfind([',', '{']).map_or(0, |i| i + 1);
    let typed = &before[entry_start..];
    let lead = typed.len() - typed.trim_start().len();
    if !typed.trim_start().chars().all(KEY_CHARS) {
        return None;
    }
    let word_end = text[offset..cur.end]
        .find(|c: char| !KEY_CHARS(c))
        .map_or(cur.end, |i| offset + i);
    let rest = text[word_end..cur.end].trim_start();
    if !(rest.is_empty() || rest.starts_with([',', '}'])) {
        return None;
    }
    let indent = cur.indent();
    let (_, grand) = parent(text, cur.start, indent)?;
    if indent_of(grand) != 0 || !opens_block(grand, "metadata") {
        return None;
    }
    let body_start = cur.start + open + 1;
    let body_end = text[body_start..cur.end]
        .find('}')
        .map_or(cur.end, |i| body_start + i);
    let word = cur.start + entry_start + lead..word_end;
    let has = text[body_start..word.start].contains(WORKSPACE_URL_KEY)
        || text[word.end..body_end].contains(WORKSPACE_URL_KEY);
    (!has).then_some(Context::AnnotationKey(KeySite {
        replace: word,
        indent,
        step: 2,
        flow: true,
    }))
}
