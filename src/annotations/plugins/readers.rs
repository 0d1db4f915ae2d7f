//! How each Harness plugin (harness/backstage-plugins at b484afc) reads a
//! URL annotation: its exact path-to-regexp patterns, and how it picks one.
//! Sources in `../shared/harness-api.md` section 3.

use std::sync::LazyLock;

use super::path_pattern::{Match, Pattern};
use super::url_reading::Reader;

macro_rules! pattern {
    ($p:literal) => {
        LazyLock::new(|| Pattern::new($p))
    };
}

/// `harness-ci-cd/src/hooks/useProjectSlugEntity.tsx`, new annotations.
static CICD_PIPELINE_MODULE: LazyLock<Pattern> = pattern!(
    "(.*)/account/:accountId/module/:module/orgs/:orgId/projects/:projectId/pipelines/:pipelineId/(.*)"
);
static CICD_PIPELINE_ALL: LazyLock<Pattern> = pattern!(
    "(.*)/account/:accountId/all/orgs/:orgId/projects/:projectId/pipelines/:pipelineId/(.*)"
);
static CICD_PIPELINE: LazyLock<Pattern> = pattern!(
    "(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/pipelines/:pipelineId/(.*)"
);
static CICD_SERVICE_MODULE: LazyLock<Pattern> = pattern!(
    "(.*)/account/:accountId/module/:module/orgs/:orgId/projects/:projectId/services/:serviceId"
);
static CICD_SERVICE_ALL: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/all/orgs/:orgId/projects/:projectId/services/:serviceId");
/// Also the SRM plugin's only service pattern (`harness-srm/src/hooks/useProjectSlugFromEntity.ts`).
static SERVICE: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/services/:serviceId");
/// CI/CD, old annotations (`harness.io/project-url`, `-qa`, `-stage`, `-stress`).
static CICD_PROJECT: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/(.*)");
/// `harness-feature-flags/src/components/FeatureList/useProjectSlugEntity.tsx`.
static FF_PROJECT: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/(.*)?");
/// `harness-chaos/src/utils/getIdentifiersFromUrl.tsx`.
static CHAOS_PROJECT: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/experiments");
/// `harness-ccm/src/hooks/useResourceSlugFromEntity.tsx`.
static CCM_MODULE: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/module/:module/perspectives/:perspectiveId/(.*)");
static CCM_ALL: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/all/:module/perspectives/:perspectiveId/(.*)");
static CCM: LazyLock<Pattern> =
    pattern!("(.*)/account/:accountId/:module/perspectives/:perspectiveId/(.*)");

/// The CI/CD plugin on a `harness.io/pipelines` or `harness.io/services`
/// line: the variant is picked by `includes('/module/')`, then
/// `includes('/all/')`; the pipeline pattern is tried on the URL, then the
/// service pattern on the URL without its `?query`.
fn cicd_pipeline_or_service(url: &str) -> Option<Match> {
    let (pipeline, service) = if url.contains("/module/") {
        (&CICD_PIPELINE_MODULE, &CICD_SERVICE_MODULE)
    } else if url.contains("/all/") {
        (&CICD_PIPELINE_ALL, &CICD_SERVICE_ALL)
    } else {
        (&CICD_PIPELINE, &SERVICE)
    };
    pipeline
        .matches(url)
        .or_else(|| service.matches(url.split('?').next().unwrap_or(url)))
}

pub const CICD: Reader = Reader {
    plugin: "CI/CD plugin",
    effect: "cannot read this URL and shows \"Invalid URL format\"",
    read: cicd_pipeline_or_service,
};

pub const SRM: Reader = Reader {
    plugin: "SRM plugin",
    effect: "cannot match this URL and crashes",
    read: |url| SERVICE.matches(url),
};

pub const CICD_OLD: Reader = Reader {
    plugin: "CI/CD plugin",
    effect: "finds no project in this URL, so it shows no executions",
    read: |url| CICD_PROJECT.matches(url),
};

pub const FEATURE_FLAGS: Reader = Reader {
    plugin: "Feature Flags plugin",
    effect: "finds no project in this URL, so it shows no feature flags",
    read: |url| FF_PROJECT.matches(url),
};

pub const CHAOS: Reader = Reader {
    plugin: "Chaos plugin",
    effect: "crashes on this URL: it reads only project URLs that end in /experiments",
    read: |url| CHAOS_PROJECT.matches(url),
};

/// The CCM plugin: the variant is picked on the whole value, the pattern is
/// matched on the part before the first space.
fn ccm_perspective(value: &str) -> Option<Match> {
    let cleaned = value.split(' ').next().unwrap_or(value);
    let pattern = if value.contains("/module/") {
        &CCM_MODULE
    } else if value.contains("/all/") {
        &CCM_ALL
    } else {
        &CCM
    };
    pattern.matches(cleaned)
}

pub const CCM_READER: Reader = Reader {
    plugin: "CCM plugin",
    effect: "finds no perspective id in this URL, so it shows no costs",
    read: ccm_perspective,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(reader: &Reader, url: &str) -> bool {
        (reader.read)(url).is_some()
    }

    #[test]
    fn cicd_reads_the_three_url_forms_and_service_urls_with_queries() {
        for url in [
            "https://app.harness.io/ng/account/A/module/idp-admin/orgs/default/projects/P/pipelines/R/pipeline-studio?storeType=INLINE",
            "https://stress.harness.io/ng/account/w/all/orgs/default/projects/p/pipelines/c/executions/E/pipeline?storeType=INLINE",
            "https://app.harness.io/ng/account/A/cd/orgs/default/projects/P/pipelines/test/pipeline-studio/?storeType=INLINE |",
            "https://stress.harness.io/ng/account/pxvw/cd/orgs/default/projects/p/services/testservice",
            "https://app.harness.io/ng/account/A/module/cd/orgs/o/projects/p/services/s?tab=configuration",
        ] {
            assert!(reads(&CICD, url), "{url}");
        }
        assert!(!reads(
            &CICD,
            "https://app.harness.io/ng/account/A/module/cd/orgs/o/projects/p/pipelines/x"
        ));
        // `/module/` picks the new-navigation pattern even for an `/all/` URL.
        assert!(!reads(
            &CICD,
            "https://h/ng/account/A/all/orgs/o/projects/p/services/s/module/x"
        ));
    }

    #[test]
    fn srm_needs_one_module_segment_and_no_query() {
        let url = "https://app.harness.io/ng/account/A/cd/orgs/o/projects/p/services/s";
        assert!(reads(&SRM, url));
        assert!(!reads(&SRM, &format!("{url}?tab=x")));
        assert!(!reads(
            &SRM,
            "https://app.harness.io/ng/account/A/module/cd/orgs/o/projects/p/services/s"
        ));
    }

    #[test]
    fn project_url_readers_disagree() {
        let details = "https://app.harness.io/ng/#/account/A/home/orgs/default/projects/P/details";
        assert!(
            reads(&CICD_OLD, details) && reads(&FEATURE_FLAGS, details) && !reads(&CHAOS, details)
        );
        let bare = "https://app.harness.io/ng/account/A/cf/orgs/o/projects/p";
        assert!(!reads(&CICD_OLD, bare) && reads(&FEATURE_FLAGS, bare));
        let chaos = "https://app.harness.io/ng/account/A/chaos/orgs/o/projects/p/experiments";
        assert!(reads(&CICD_OLD, chaos) && reads(&CHAOS, chaos));
        let new_nav = "https://app.harness.io/ng/account/A/module/cf/orgs/o/projects/p/overview";
        assert!(!reads(&CICD_OLD, new_nav) && !reads(&FEATURE_FLAGS, new_nav));
    }

    #[test]
    fn ccm_reads_before_the_first_space() {
        assert!(reads(
            &CCM_READER,
            "https://app.harness.io/ng/account/A/ce/perspectives/ID/name/N extra"
        ));
        assert!(reads(
            &CCM_READER,
            "https://app.harness.io/ng/account/A/module/ce/perspectives/ID/name/N"
        ));
        assert!(reads(
            &CCM_READER,
            "https://app.harness.io/ng/account/A/all/ce/perspectives/ID/name/N"
        ));
        assert!(!reads(
            &CCM_READER,
            "https://app.harness.io/ng/account/A/ce/perspectives/ID"
        ));
        assert!(!reads(
            &CCM_READER,
            "https://url-details/perspectives/perspectiveId/name/perspectiveName"
        ));
    }
}
