//! The IaCM API's response bodies, as far as iacm-lsp reads them
//! (`../shared/harness-api.md` section 2.3). Every field is optional or
//! defaulted and unknown fields are ignored: the API is not versioned and
//! `null` arrays have been seen in the wild.

use serde::{Deserialize, Deserializer};

/// `null` reads as the default (an empty list, an empty string).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `GET /iacm/api/orgs/{org}/projects/{project}/workspaces/{ws}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Workspace {
    #[serde(deserialize_with = "null_default")]
    pub identifier: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    pub description: Option<String>,
    /// active, inactive, provisioning, destroying, drifted, apply_needed,
    /// failed; unknown values are shown as they come.
    pub status: Option<String>,
    /// Unix milliseconds.
    pub created: Option<i64>,
    pub updated: Option<i64>,
    pub provisioner: Option<String>,
    pub provisioner_version: Option<String>,
    pub repository: Option<String>,
    pub repository_branch: Option<String>,
    pub repository_path: Option<String>,
}

/// `GET .../workspaces/{ws}/resources`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Resources {
    #[serde(deserialize_with = "null_default")]
    pub resources: Vec<Resource>,
    #[serde(deserialize_with = "null_default")]
    pub data_sources: Vec<Resource>,
    #[serde(deserialize_with = "null_default")]
    pub outputs: Vec<Output>,
    /// Newer API: the total when the list is paged.
    pub total_resources: Option<u64>,
}

impl Resources {
    /// What the portal shows as "Resources (N)".
    pub fn resource_count(&self) -> u64 {
        self.total_resources
            .unwrap_or(0)
            .max(self.resources.len() as u64)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Resource {
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub kind: String,
    #[serde(deserialize_with = "null_default")]
    pub provider: String,
    #[serde(deserialize_with = "null_default")]
    pub module: String,
    /// changed, deleted, unchanged, drifted or empty.
    #[serde(deserialize_with = "null_default")]
    pub drift_status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Output {
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Outputs are strings in the spec; anything else is kept as JSON text.
    #[serde(deserialize_with = "value_as_text")]
    pub value: String,
    pub sensitive: bool,
}

fn value_as_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// An item of `GET .../activities?workspace={ws}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Activity {
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// Unix milliseconds (assumed, as for workspaces).
    pub created: Option<i64>,
    #[serde(deserialize_with = "null_default")]
    pub metadata: ActivityMetadata,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ActivityMetadata {
    /// apply, destroy, plan, drift, import, ...
    pub activity_type: Option<String>,
    /// success, failure, incomplete.
    pub activity_status: Option<String>,
    pub pipeline_name: Option<String>,
    pub pipeline_execution_id: Option<String>,
}
