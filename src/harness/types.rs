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
    /// `null` reads as false rather than failing the whole response.
    #[serde(deserialize_with = "null_default")]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The list-resources example of harness-api.md section 2.3.
    const RESOURCES: &str = r#"{
      "resources": [{
        "name": "app_server", "type": "S3 Bucket", "provider": "AWS", "module": "full_stack",
        "mode": "resource", "path_id": "namespace", "resource_id": "arn:aws:s3:::my-bucket",
        "attributes": {"ami": "ami-830c94ec", "instance_type": "t2.micro"},
        "drift_status": "changed", "drift_attributes": {"instance_type": "t2.nano"},
        "sensitive_attributes": ["instance_type"],
        "createdAt": 1627590400, "lastSyncedAt": 1627686800,
        "monthly_cost": 0.33, "monthly_saving": 0.36, "recommendation_count": 8
      }],
      "data_sources": [],
      "outputs": [{"name": "instance_public_ip", "value": "1.2.3.4", "sensitive": true,
                   "expression": "<+outputs.instance_id>", "stack_path": "IaCM/TGOverride/environments/dev/ec2"}],
      "stack_outputs": {"IaCM/TGOverride/environments/dev/ec2": [{"name": "instance_id", "value": "i-123", "sensitive": false}]},
      "total_resources": 42
    }"#;

    #[test]
    fn parses_the_documented_resources_body() {
        let r: Resources = serde_json::from_str(RESOURCES).unwrap();
        assert_eq!(r.resources[0].kind, "S3 Bucket");
        assert_eq!(r.resources[0].drift_status, "changed");
        assert!(r.outputs[0].sensitive);
        assert_eq!(
            r.resource_count(),
            42,
            "total_resources wins over a short page"
        );
    }

    #[test]
    fn null_arrays_and_fields_read_as_empty() {
        let r: Resources =
            serde_json::from_str(r#"{"resources": null, "data_sources": null, "outputs": [{"name": null, "value": null}]}"#)
                .unwrap();
        assert_eq!(r.resource_count(), 0);
        assert_eq!(r.outputs[0], Output::default());
        let r: Resources = serde_json::from_str("{}").unwrap();
        assert!(r.resources.is_empty() && r.outputs.is_empty());
    }

    #[test]
    fn non_string_output_values_are_kept_as_json_text() {
        let o: Output =
            serde_json::from_str(r#"{"name": "ports", "value": [80, 443], "sensitive": false}"#)
                .unwrap();
        assert_eq!(o.value, "[80,443]");
    }

    #[test]
    fn parses_the_documented_workspace_and_activity() {
        let w: Workspace = serde_json::from_str(
            r#"{"identifier":"ws1","name":"resource name","status":"provisioning","tags":{"team":"platform"},
                "repository_branch":"main","repository_commit":"abc10ed","created":1700000000000,"updated":1700000001000,
                "terraform_variables":{"k":{"key":"k","value":"v","value_type":"string"}}}"#,
        )
        .unwrap();
        assert_eq!(
            (w.identifier.as_str(), w.status.as_deref()),
            ("ws1", Some("provisioning"))
        );
        assert_eq!(w.updated, Some(1_700_000_001_000));
        let a: Activity = serde_json::from_str(
            r#"{"id":"x","account":"acc","created":1700000000000,"metadata":{"activity_type":"apply",
                "activity_status":"success","pipeline_name":"deploy","resource_counts":{"added":1}}}"#,
        )
        .unwrap();
        assert_eq!(a.metadata.activity_type.as_deref(), Some("apply"));
        let a: Activity = serde_json::from_str(r#"{"id":"y","metadata":null}"#).unwrap();
        assert_eq!(a.metadata, ActivityMetadata::default());
    }
}
