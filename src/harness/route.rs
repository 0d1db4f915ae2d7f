//! Which API base serves a workspace, if any. The API key is a secret, so
//! this is the allow-list: a workspace whose host is not a known Harness
//! host gets no base, and so no request at all.

use crate::settings::{DEFAULT_HOST, normalize_host};

/// Where requests for workspaces go, from settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routes {
    /// `iacm.baseUrl` without a trailing slash.
    pub base_url: String,
    /// `host[:port]` of `base_url`.
    base_host: Option<String>,
    /// `iacm.hosts`, normalised.
    hosts: Vec<String>,
}

impl Routes {
    pub fn new(base_url: &str, hosts: &[String]) -> Self {
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        Routes {
            base_host: normalize_host(&base_url),
            base_url,
            hosts: hosts.iter().filter_map(|h| normalize_host(h)).collect(),
        }
    }

    /// The API base for a workspace whose annotation URL has `origin`
    /// (`https://host[:port]`):
    /// - app.harness.io: `iacm.baseUrl` (its default is app.harness.io's
    ///   gateway; tests and proxies point it elsewhere);
    /// - the host of `iacm.baseUrl`: `iacm.baseUrl`;
    /// - a host in `iacm.hosts`: `{origin}/gateway`;
    /// - anything else: `None`.
    pub fn api_base(&self, origin: &str) -> Option<String> {
        let host = normalize_host(origin)?;
        if host == DEFAULT_HOST || Some(&host) == self.base_host.as_ref() {
            return Some(self.base_url.clone());
        }
        if self.hosts.contains(&host) {
            let origin = origin.trim().trim_end_matches('/');
            // Only a bare origin may be extended; anything with a path is
            // not what `WorkspaceKey` promises.
            let scheme_end = origin.find("://")? + 3;
            if origin[scheme_end..].contains(['/', '?', '#', '@']) {
                return None;
            }
            return Some(format!("{origin}/gateway"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes {
        Routes::new(
            "http://127.0.0.1:4567/gateway/",
            &[
                "harness.acme.com".to_string(),
                "Vanity.Harness.io".to_string(),
            ],
        )
    }

    #[test]
    fn app_harness_io_and_the_base_host_use_the_base_url() {
        let r = routes();
        assert_eq!(
            r.api_base("https://app.harness.io").as_deref(),
            Some("http://127.0.0.1:4567/gateway")
        );
        assert_eq!(
            r.api_base("https://127.0.0.1:4567").as_deref(),
            Some("http://127.0.0.1:4567/gateway")
        );
    }

    #[test]
    fn listed_hosts_use_their_own_gateway() {
        let r = routes();
        assert_eq!(
            r.api_base("https://harness.acme.com").as_deref(),
            Some("https://harness.acme.com/gateway")
        );
        assert_eq!(
            r.api_base("https://vanity.harness.io").as_deref(),
            Some("https://vanity.harness.io/gateway")
        );
    }

    #[test]
    fn other_hosts_get_nothing() {
        let r = routes();
        for origin in [
            "https://evil.example.com",
            "https://127.0.0.1:4568",
            "https://127.0.0.1",
            "https://app.harness.io.evil.com",
            "https://qa.harness.io",
            "",
            "not a url",
        ] {
            assert_eq!(r.api_base(origin), None, "{origin}");
        }
    }

    #[test]
    fn default_settings_route_only_app_harness_io() {
        let r = Routes::new(crate::settings::DEFAULT_BASE_URL, &[]);
        assert_eq!(
            r.api_base("https://app.harness.io").as_deref(),
            Some("https://app.harness.io/gateway")
        );
        assert_eq!(r.api_base("https://app3.harness.io"), None);
    }
}
