//! `iacm.*` settings: defaults, environment fallbacks, and the JSON the
//! client sends in `initializationOptions` or `didChangeConfiguration`.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::diagnostic::{Code, Severity};

pub const DEFAULT_BASE_URL: &str = "https://app.harness.io/gateway";
pub const DEFAULT_HOST: &str = "app.harness.io";
/// Files larger than this get one `file-too-large` diagnostic instead of
/// analysis: well above the largest real catalog files (the 5 MB
/// benchmark files are analysed), well below what would stall an editor.
pub const DEFAULT_MAX_FILE_SIZE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone, PartialEq)]
pub struct Settings {
    /// Harness API key. A secret: never logged (see the `Debug` impl).
    pub api_key: Option<String>,
    pub base_url: String,
    /// Extra Harness hosts (vanity, self-managed), normalised to `host[:port]`.
    pub hosts: Vec<String>,
    pub live: bool,
    pub cache_ttl_seconds: u64,
    /// Severity overrides; `None` switches a code off.
    pub diagnostics: HashMap<Code, Option<Severity>>,
    /// Larger files are not analysed (`file-too-large`).
    pub max_file_size_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            hosts: Vec::new(),
            live: true,
            cache_ttl_seconds: 60,
            diagnostics: HashMap::new(),
            max_file_size_bytes: DEFAULT_MAX_FILE_SIZE_BYTES,
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("hosts", &self.hosts)
            .field("live", &self.live)
            .field("cache_ttl_seconds", &self.cache_ttl_seconds)
            .field("diagnostics", &self.diagnostics)
            .field("max_file_size_bytes", &self.max_file_size_bytes)
            .finish()
    }
}

impl Settings {
    /// Defaults with the environment fallbacks of DESIGN.md applied.
    pub fn from_env() -> Self {
        Self::from_env_vars(|name| std::env::var(name).ok())
    }

    pub fn from_env_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let mut s = Settings {
            api_key: var("HARNESS_API_KEY")
                .or_else(|| var("HARNESS_PLATFORM_API_KEY"))
                .filter(|k| !k.trim().is_empty()),
            ..Settings::default()
        };
        if let Some(base) = var("HARNESS_BASE_URL").filter(|b| !b.trim().is_empty()) {
            s.base_url = base.trim().to_string();
        }
        if var("IACM_LIVE").as_deref() == Some("0") {
            s.live = false;
        }
        s
    }

    /// Applies client settings on top of `self`. Accepts `{"iacm": {...}}`,
    /// the bare `{...}` object, and dotted keys (`{"iacm.hosts": [...]}`), as
    /// clients send all three. Returns a warning for each value it ignored.
    pub fn apply_json(&mut self, value: &Value) -> Vec<String> {
        let mut warnings = Vec::new();
        let Some(obj) = value.as_object() else {
            if !value.is_null() {
                warnings.push("iacm settings must be an object".to_string());
            }
            return warnings;
        };
        let section = match obj.get("iacm") {
            Some(Value::Object(inner)) => inner.clone(),
            _ => obj
                .iter()
                .map(|(k, v)| (k.strip_prefix("iacm.").unwrap_or(k).to_string(), v.clone()))
                .collect(),
        };
        for (key, v) in &section {
            match key.as_str() {
                "apiKey" => match v {
                    Value::String(k) if !k.trim().is_empty() => {
                        self.api_key = Some(k.trim().into())
                    }
                    // Cleared in the editor: back to the environment's key.
                    Value::String(_) | Value::Null => self.api_key = Settings::from_env().api_key,
                    _ => warnings.push("iacm.apiKey must be a string".into()),
                },
                "baseUrl" => match v.as_str() {
                    Some(b) if !b.trim().is_empty() => self.base_url = b.trim().to_string(),
                    _ => warnings.push("iacm.baseUrl must be a non-empty string".into()),
                },
                "hosts" => match v.as_array() {
                    Some(list) => {
                        self.hosts = list
                            .iter()
                            .filter_map(|h| h.as_str().and_then(normalize_host))
                            .collect();
                        if self.hosts.len() != list.len() {
                            warnings.push("iacm.hosts: some entries are not host names".into());
                        }
                    }
                    None => warnings.push("iacm.hosts must be a list of host names".into()),
                },
                "live" => match v.as_bool() {
                    Some(b) => self.live = b,
                    None => warnings.push("iacm.live must be true or false".into()),
                },
                "cacheTtlSeconds" => match v.as_u64() {
                    Some(n) => self.cache_ttl_seconds = n,
                    None => warnings.push("iacm.cacheTtlSeconds must be a whole number".into()),
                },
                "maxFileSizeBytes" => match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
                    Some(n) => self.max_file_size_bytes = n,
                    None => warnings.push("iacm.maxFileSizeBytes must be a whole number".into()),
                },
                "diagnostics" => match v.as_object() {
                    Some(map) => {
                        self.diagnostics.clear();
                        for (code, level) in map {
                            let Some(code) = Code::parse(code) else {
                                warnings.push(format!("iacm.diagnostics: unknown code `{code}`"));
                                continue;
                            };
                            match level.as_str() {
                                Some("off") | Some("none") => {
                                    self.diagnostics.insert(code, None);
                                }
                                Some(l) if Severity::parse(l).is_some() => {
                                    self.diagnostics.insert(code, Severity::parse(l));
                                }
                                _ => warnings.push(format!(
                                    "iacm.diagnostics.{}: expected error, warning, information, hint or off",
                                    code.as_str()
                                )),
                            }
                        }
                    }
                    None => warnings.push("iacm.diagnostics must be an object".into()),
                },
                _ => {}
            }
        }
        warnings
    }

    /// Adds a host given on the command line or in a setting.
    pub fn add_host(&mut self, host: &str) -> bool {
        match normalize_host(host) {
            Some(h) => {
                if !self.hosts.contains(&h) {
                    self.hosts.push(h);
                }
                true
            }
            None => false,
        }
    }

    /// The effective severity of a code, `None` when switched off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.diagnostics.get(&code) {
            Some(over) => *over,
            None if code.is_opt_in() => None,
            None => Some(code.default_severity()),
        }
    }

    /// Whether `host` (`host[:port]`, any case) is a Harness host we know:
    /// app.harness.io, the host of `baseUrl`, or one of `hosts`.
    pub fn is_harness_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        host == DEFAULT_HOST
            || normalize_host(&self.base_url).as_deref() == Some(host.as_str())
            || self.hosts.contains(&host)
    }
}

/// `https://Harness.Example.com:8443/ng` -> `harness.example.com:8443`.
pub fn normalize_host(input: &str) -> Option<String> {
    let s = input.trim();
    let rest = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s,
    };
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let host = host.strip_suffix(":443").unwrap_or(&host).to_string();
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_nested_flat_and_dotted_forms() {
        for value in [
            json!({"iacm": {"hosts": ["harness.acme.com"], "diagnostics": {"workspace-url-kind": "off"}}}),
            json!({"hosts": ["harness.acme.com"], "diagnostics": {"workspace-url-kind": "off"}}),
            json!({"iacm.hosts": ["harness.acme.com"], "iacm.diagnostics": {"workspace-url-kind": "off"}}),
        ] {
            let mut s = Settings::default();
            assert!(s.apply_json(&value).is_empty(), "{value}");
            assert!(s.is_harness_host("Harness.ACME.com"));
            assert_eq!(s.severity(Code::WorkspaceUrlKind), None);
            assert_eq!(s.severity(Code::YamlSyntax), Some(Severity::Error));
        }
    }

    #[test]
    fn the_size_limit_is_a_setting() {
        let mut s = Settings::default();
        assert_eq!(s.max_file_size_bytes, DEFAULT_MAX_FILE_SIZE_BYTES);
        assert!(s.apply_json(&json!({"maxFileSizeBytes": 1000})).is_empty());
        assert_eq!(s.max_file_size_bytes, 1000);
        assert_eq!(s.apply_json(&json!({"maxFileSizeBytes": "big"})).len(), 1);
        assert_eq!(s.max_file_size_bytes, 1000);
    }

    #[test]
    fn bad_values_warn_and_are_ignored() {
        let mut s = Settings::default();
        let warnings = s.apply_json(
            &json!({"diagnostics": {"nope": "error", "yaml-syntax": "loud"}, "live": "yes"}),
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(s.live);
        assert_eq!(s.severity(Code::YamlSyntax), Some(Severity::Error));
    }

    #[test]
    fn environment_fallbacks() {
        let env = |name: &str| match name {
            "HARNESS_PLATFORM_API_KEY" => Some("pat.acc.x.y".to_string()),
            "HARNESS_BASE_URL" => Some("https://harness.acme.com/gateway".to_string()),
            "IACM_LIVE" => Some("0".to_string()),
            _ => None,
        };
        let s = Settings::from_env_vars(env);
        assert_eq!(s.api_key.as_deref(), Some("pat.acc.x.y"));
        assert!(!s.live);
        assert!(s.is_harness_host("harness.acme.com"));
        assert!(
            !format!("{s:?}").contains("pat.acc"),
            "the key must never be printed"
        );
    }

    #[test]
    fn a_cleared_key_falls_back_to_the_environment() {
        let mut s = Settings::default();
        s.apply_json(&json!({"apiKey": "pat.a.b.c"}));
        assert_eq!(s.api_key.as_deref(), Some("pat.a.b.c"));
        s.apply_json(&json!({"apiKey": ""}));
        assert_eq!(s.api_key, Settings::from_env().api_key);
    }

    #[test]
    fn hosts_normalise() {
        assert_eq!(
            normalize_host("https://Harness.Example.com:443/ng").as_deref(),
            Some("harness.example.com")
        );
        assert_eq!(
            normalize_host("h.example.com:8443").as_deref(),
            Some("h.example.com:8443")
        );
        assert_eq!(normalize_host("  "), None);
        assert_eq!(normalize_host("bad host"), None);
    }
}
