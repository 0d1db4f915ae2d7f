//! `harness.io/perspective-url` (CCM plugin): one URL to a cost
//! perspective; the plugin keeps what precedes the first space.

use super::readers::CCM_READER;
use super::url_reading::{Repair, UrlRules, repairs};
use super::value;
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::Code;
use crate::yaml::Entry;

const SHAPE: &str =
    "https://app.harness.io/ng/account/<account>/ce/perspectives/<perspective>/name/<name>";

pub fn check(cx: &Context<'_>, entry: &Entry, out: &mut Output) {
    let code = Code::HarnessPerspectiveUrl;
    let key = entry.key.as_scalar().unwrap_or("");
    let Some(value) = value::read(cx, entry, code, "one Harness perspective URL", out) else {
        return;
    };
    let Some((line, start, text)) = value::single_url(cx, &value, code, out) else {
        return;
    };
    // `split(' ')[0]`: what follows a space is ignored.
    let url = text.split(' ').next().unwrap_or(text);
    let rules = UrlRules {
        family: code,
        key,
        shape: SHAPE,
        readers: vec![CCM_READER],
        repairs: &[repairs::trailing_slash as Repair],
    };
    value::emit(line, start, rules.check(url, cx.settings), out);
}
