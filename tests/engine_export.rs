//! Exports carry the exact body, for every cloud, with hostile names intact: the Azure CLI
//! script is run by bash against a recording `az`, the PowerShell literal is read back
//! with PowerShell's quoting rules, and the Graph JSON is parsed. (The Terraform output is
//! parsed by a real HCL parser in tests/contract/.)

use registration_guard::engine::export::{
    creation_body, export_plan, export_policy, ExportError, ExportFormat,
};
use registration_guard::engine::import::import_tenant;
use registration_guard::engine::model::{AdminIdentity, TenantSnapshot};
use registration_guard::engine::presets::{build_plan, Plan, PlanOptions, Preset};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::Command;

const HOSTS: [&str; 4] = [
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
];

const HOSTILE_NAMES: [&str; 8] = [
    "It's \"quoted\" `backtick` $(whoami) ${HOME} %{if true}x%{endif} $env:PATH",
    "line one\nline two\r\n\ttabbed \\ backslash \\\" \u{7}",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "GRAPH_JSON",
    "'@\n@'\n\"@",
    "‘typographic’ ‚quotes‛ “double” ”",
    "; rm -rf / # && echo pwned | tee",
    "Zürich 東京 🚫",
];

fn tenant() -> TenantSnapshot {
    TenantSnapshot {
        admin: Some(AdminIdentity {
            id: "aaaaaaaa-0000-4000-8000-000000000001".into(),
            user_principal_name: "admin@contoso.onmicrosoft.com".into(),
            display_name: "Admin".into(),
            role_template_ids: vec![],
        }),
        break_glass: vec!["bbbbbbbb-0000-4000-8000-000000000001".into()],
        ..TenantSnapshot::default()
    }
}

fn plans() -> Vec<Plan> {
    let mut plans = Vec::new();
    for preset in Preset::ALL {
        for name in HOSTILE_NAMES {
            let options = PlanOptions {
                display_name: Some(name.into()),
                ..PlanOptions::default()
            };
            plans.push(build_plan(&tenant(), preset, &options).unwrap());
        }
    }
    plans
}

#[test]
fn graph_json_export_is_the_plan_body() {
    for plan in plans() {
        let text = export_plan(&plan, ExportFormat::GraphJson, "graph.microsoft.com").unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), plan.body);
    }
}

#[test]
fn unknown_graph_hosts_are_refused() {
    let plan = &plans()[0];
    for host in [
        "graph.microsoft.com.evil.example",
        "example.com",
        "graph.microsoft.com/'; rm -rf /",
        "",
    ] {
        for format in ExportFormat::ALL {
            assert_eq!(
                export_plan(plan, format, host).unwrap_err(),
                ExportError::UnknownGraphHost(host.into())
            );
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/.tmp")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn azure_cli_script_passes_bash_syntax_check_and_posts_the_exact_body() {
    let dir = temp_dir("az");
    // A stand-in `az` that records each argument on its own NUL-terminated record.
    let fake_az = dir.join("az");
    std::fs::write(
        &fake_az,
        "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" > \"$AZ_ARGS_FILE\"\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&fake_az)
        .status()
        .unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    for (i, plan) in plans().iter().enumerate() {
        let host = HOSTS[i % HOSTS.len()];
        let script = export_plan(plan, ExportFormat::AzureCli, host).unwrap();
        let script_file = dir.join(format!("create-{i}.sh"));
        std::fs::write(&script_file, &script).unwrap();

        let syntax = Command::new("bash")
            .arg("-n")
            .arg(&script_file)
            .output()
            .unwrap();
        assert!(
            syntax.status.success(),
            "bash -n failed: {}",
            String::from_utf8_lossy(&syntax.stderr)
        );

        let args_file = dir.join(format!("args-{i}"));
        let run = Command::new("bash")
            .arg(&script_file)
            .env("PATH", &path)
            .env("AZ_ARGS_FILE", &args_file)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "script failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let recorded = std::fs::read(&args_file).unwrap();
        let args: Vec<String> = recorded
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8(a.to_vec()).unwrap())
            .collect();
        let value_of = |flag: &str| {
            let at = args
                .iter()
                .position(|a| a == flag)
                .unwrap_or_else(|| panic!("{flag} missing: {args:?}"));
            args[at + 1].clone()
        };
        assert_eq!(args[0], "rest");
        assert_eq!(value_of("--method"), "POST");
        assert_eq!(
            value_of("--url"),
            format!("https://{host}/v1.0/identity/conditionalAccess/policies")
        );
        assert_eq!(value_of("--headers"), "Content-Type=application/json");
        let body: Value = serde_json::from_str(&value_of("--body")).unwrap();
        assert_eq!(body, plan.body, "body changed on the way through bash");
    }
}

/// Reads back the PowerShell literal the export writes, by PowerShell's rules for
/// hashtables (`@{ key = value }`), arrays (`@( … )`), `$true`/`$false`/`$null` and
/// single-quoted strings (nothing expanded; `''` and the typographic single quotes
/// doubled stand for one). Anything else in the literal fails the test.
struct PowerShellReader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

impl PowerShellReader<'_> {
    fn skip_space(&mut self) {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.chars.next();
        }
    }

    fn expect(&mut self, wanted: &str) {
        for w in wanted.chars() {
            assert_eq!(self.chars.next(), Some(w), "expected {wanted:?}");
        }
    }

    fn string(&mut self) -> String {
        assert!(self.chars.next().is_some_and(is_single_quote));
        let mut out = String::new();
        loop {
            let c = self
                .chars
                .next()
                .expect("unterminated single-quoted string");
            if is_single_quote(c) {
                if self.chars.peek().is_some_and(|n| is_single_quote(*n)) {
                    out.push(self.chars.next().unwrap());
                } else {
                    return out;
                }
            } else {
                out.push(c);
            }
        }
    }

    fn value(&mut self) -> Value {
        self.skip_space();
        match *self.chars.peek().expect("value expected") {
            '@' => {
                self.chars.next();
                match self.chars.next() {
                    Some('{') => {
                        let mut map = Map::new();
                        loop {
                            self.skip_space();
                            if self.chars.peek() == Some(&'}') {
                                self.chars.next();
                                return Value::Object(map);
                            }
                            let key = if self.chars.peek().is_some_and(|c| is_single_quote(*c)) {
                                self.string()
                            } else {
                                let mut key = String::new();
                                while self
                                    .chars
                                    .peek()
                                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                                {
                                    key.push(self.chars.next().unwrap());
                                }
                                assert!(!key.is_empty(), "hashtable key expected");
                                key
                            };
                            self.skip_space();
                            self.expect("=");
                            let v = self.value();
                            map.insert(key, v);
                        }
                    }
                    Some('(') => {
                        let mut items = Vec::new();
                        loop {
                            self.skip_space();
                            if self.chars.peek() == Some(&')') {
                                self.chars.next();
                                return Value::Array(items);
                            }
                            items.push(self.value());
                        }
                    }
                    other => panic!("unexpected @{other:?}"),
                }
            }
            '$' => {
                let word: String = std::iter::from_fn(|| {
                    self.chars.next_if(|c| *c == '$' || c.is_ascii_alphabetic())
                })
                .collect();
                match word.as_str() {
                    "$true" => Value::Bool(true),
                    "$false" => Value::Bool(false),
                    "$null" => Value::Null,
                    other => panic!("a variable in the literal would be expanded: {other}"),
                }
            }
            c if is_single_quote(c) => Value::String(self.string()),
            other => panic!("unexpected {other:?} in the PowerShell literal"),
        }
    }
}

#[test]
fn powershell_export_reads_back_to_the_exact_body() {
    for (i, plan) in plans().iter().enumerate() {
        let script = export_plan(plan, ExportFormat::PowerShell, HOSTS[i % HOSTS.len()]).unwrap();
        let start = script
            .find("$params = ")
            .expect("the body is assigned to $params")
            + "$params = ".len();
        let end = script
            .rfind("\nNew-MgIdentityConditionalAccessPolicy -BodyParameter $params\n")
            .unwrap();
        let literal = &script[start..end];
        let mut reader = PowerShellReader {
            chars: literal.chars().peekable(),
        };
        let value = reader.value();
        reader.skip_space();
        assert_eq!(
            reader.chars.next(),
            None,
            "trailing text after the hashtable"
        );
        assert_eq!(value, plan.body);
        assert!(script.ends_with("New-MgIdentityConditionalAccessPolicy -BodyParameter $params\n"));
    }
}

#[test]
fn powershell_export_connects_to_the_right_cloud() {
    let plan = &plans()[0];
    for (host, environment) in [
        ("graph.microsoft.com", "Global"),
        ("graph.microsoft.us", "USGov"),
        ("dod-graph.microsoft.us", "USGovDoD"),
        ("microsoftgraph.chinacloudapi.cn", "China"),
    ] {
        let script = export_plan(plan, ExportFormat::PowerShell, host).unwrap();
        assert!(
            script.contains(&format!(
                "Connect-MgGraph -Environment {environment} -Scopes 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'"
            )),
            "{script}"
        );
    }
}

#[test]
fn terraform_export_writes_the_provider_blocks() {
    let options = PlanOptions {
        display_name: Some("Registration ${x}".into()),
        ..PlanOptions::default()
    };
    let plan = build_plan(&tenant(), Preset::BlockGuestsOutsideTrusted, &options).unwrap();
    let hcl = export_plan(&plan, ExportFormat::Terraform, "graph.microsoft.com").unwrap();
    assert_eq!(
        hcl,
        r#"# Conditional Access policy for the azuread Terraform provider. Review it before applying.
resource "azuread_conditional_access_policy" "security_info_registration" {
  display_name = "Registration $${x}"
  state = "enabledForReportingButNotEnforced"

  conditions {
    client_app_types = ["all"]
    applications {
      included_user_actions = ["urn:user:registersecurityinfo"]
    }
    users {
      excluded_users = ["aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000001"]
      included_guests_or_external_users {
        guest_or_external_user_types = ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"]
        external_tenants {
          membership_kind = "all"
        }
      }
    }
    locations {
      included_locations = ["All"]
      excluded_locations = ["AllTrusted"]
    }
  }

  grant_controls {
    operator = "OR"
    built_in_controls = ["block"]
  }
}
"#
    );
}

#[test]
fn terraform_export_refuses_settings_it_cannot_write() {
    let file = br#"{"displayName": "Session", "state": "enabled",
        "conditions": {"clientAppTypes": ["all"], "users": {"includeUsers": ["All"]},
                       "applications": {"includeApplications": ["All"]}},
        "sessionControls": {"signInFrequency": {"value": 1, "type": "hours", "isEnabled": true}}}"#;
    let policy = import_tenant(file).unwrap().policies.remove(0);
    let err = export_policy(&policy, ExportFormat::Terraform, "graph.microsoft.com").unwrap_err();
    assert_eq!(
        err,
        ExportError::NotExpressibleInTerraform {
            field: "sessionControls".into()
        }
    );
    assert!(export_policy(&policy, ExportFormat::PowerShell, "graph.microsoft.com").is_ok());
}

#[test]
fn exporting_an_imported_policy_leaves_out_what_graph_sets() {
    let corpora = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora");
    let file = format!("{corpora}/j0eyv-ConditionalAccessBaseline/policies/CA003-Global-BaseProtection-RegisterOrJoin-AnyPlatform-MFA.json");
    let bytes = std::fs::read(&file)
        .unwrap_or_else(|e| panic!("the shared corpora are missing ({file}): {e}"));
    let policy = import_tenant(&bytes).unwrap().policies.remove(0);
    let body = creation_body(&policy);
    for read_only in [
        "id",
        "createdDateTime",
        "modifiedDateTime",
        "deletedDateTime",
        "templateId",
    ] {
        assert!(
            body.get(read_only).is_none(),
            "{read_only} left in the body"
        );
    }
    let json = export_policy(&policy, ExportFormat::GraphJson, "graph.microsoft.com").unwrap();
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), body);
    let hcl = export_policy(&policy, ExportFormat::Terraform, "graph.microsoft.com").unwrap();
    assert!(
        hcl.contains(r#"included_user_actions = ["urn:user:registerdevice"]"#),
        "{hcl}"
    );
}
