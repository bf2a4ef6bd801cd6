//! Portal page context: every deep link of the public corpus, hand-written edge cases, and a
//! no-panic sweep over mutated addresses.

use registration_guard::context::{
    parse_portal_url, Area, Cloud, ContextError, Portal, PortalContext, TenantHint, Theme,
};
use std::collections::BTreeMap;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpora/portal-urls.tsv"
);

/// What parsing one address must give.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Context {
        cloud: Cloud,
        portal: Portal,
        area: Area,
        tenant: Option<TenantHint>,
        retired: bool,
    },
    NotAPortal(&'static str),
}

fn entra(area: Area) -> Expected {
    Expected::Context {
        cloud: Cloud::Global,
        portal: Portal::AdminCenter,
        area,
        tenant: None,
        retired: false,
    }
}

fn azure(area: Area) -> Expected {
    Expected::Context {
        cloud: Cloud::Global,
        portal: Portal::AzurePortal,
        area,
        tenant: None,
        retired: false,
    }
}

fn intune(area: Area) -> Expected {
    Expected::Context {
        cloud: Cloud::Global,
        portal: Portal::AdminCenter,
        area,
        tenant: None,
        retired: false,
    }
}

fn retired(cloud: Cloud, portal: Portal, area: Area) -> Expected {
    Expected::Context {
        cloud,
        portal,
        area,
        tenant: None,
        retired: true,
    }
}

fn not_a_portal(host: &'static str) -> Expected {
    Expected::NotAPortal(host)
}

/// The expectation for every URL of `portal-urls.tsv`, written by reading each one.
fn corpus_expectations() -> Vec<(&'static str, Expected)> {
    vec![
        (
            "https://aad.portal.azure.com/#blade/Microsoft_AAD_IAM/PolicyBlade",
            retired(Cloud::Global, Portal::AzurePortal, Area::Policy { id: None }),
        ),
        (
            "https://admin.microsoft.com/adminportal/home?Q=SecureScore#/featureexplorer/security/ConditionalAccess",
            not_a_portal("admin.microsoft.com"),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/NamedLocations",
            entra(Area::NamedLocations),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/NamedLocations/fromNav/Identity",
            entra(Area::NamedLocations),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/NamedLocations/menuId//fromNav/",
            entra(Area::NamedLocations),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Overview/fromNav/",
            entra(Area::ConditionalAccessOverview),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            entra(Area::Policies),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/76e48a65-0184-4cc5-a8f0-962a824b8169",
            entra(Area::Policy { id: Some("76e48a65-0184-4cc5-a8f0-962a824b8169".into()) }),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ConditionalAccessBlade",
            entra(Area::ConditionalAccessOverview),
        ),
        (
            "https://portal.azure.com/#blade/Microsoft_AAD_IAM/ConditionalAccessBlade/Policies",
            azure(Area::Policies),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_Connect_Provisioning/AADConnectMenuBlade/~/ConnectSync",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ELM/Dashboard.ReactView",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/AllowlistPolicyBlade",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AdminAuthMethods/fromNav/Identity",
            entra(Area::AuthenticationMethods),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/CompanyRelationshipsMenuBlade/~/Settings/menuId/Settings",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ConsentPoliciesMenuBlade/~/AdminConsentSettings",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ConsentPoliciesMenuBlade/~/UserSettings",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/4366bc68-501c-4a5f-9cdc-b95161e668db",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupsManagementMenuBlade",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/AllGroups",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/DeletedGroups/menuId/DeletedGroups",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/IdentityProtectionMenuBlade/~/UsersAtRiskAlerts/fromNav/Identity",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/InboundAccessSettings.ReactView/isDefault~/true/name//id/",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/PasswordResetMenuBlade/~/AdminPasswordResetPolicy",
            entra(Area::AuthenticationMethods),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_adminMFAV2",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_integratedApps",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_passwordHashSync",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_pwagePolicyNew",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_selfServicePasswordReset",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_signinRiskPolicy",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_staleAppCreds",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_staleApps",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RecommendationDetails.ReactView/recommendationId/0817c655-a853-4d8f-9723-3a333b5b9235_userRiskPolicy",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/RolesManagementMenuBlade/~/AllRoles",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/AllUsers/menuId/",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/UserSettings/menuId/",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/AdministrativeRole/userId/5655cf54-34bc-4f36-bb74-44da35547975",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/2072badc-3cf0-4e84-b4c2-f9c065c46165",
            entra(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_Azure_PIMCommon/ResourceMenuBlade/~/roles/resourceId//resourceType/tenant/provider/aadroles",
            entra(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_Apps/ManagedGooglePlaySyncBlade",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/TenantAdminConnectorsMenu/~/certConnectors",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/TenantAdminConnectorsMenu/~/windowsDataConnector",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/TenantAdminConnectorsMenu/~/windowsDefenderATP",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/TenantAdminMenu/~/companyPortalBranding",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/TenantAdminMenu/~/diagnostics",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings/TenantAdminMenu/~/multiAdminApproval",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_Enrollment/DepTokensPaging.ReactView",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_Workflows/SecurityManagementMenu/~/accountprotection",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_Workflows/SecurityManagementMenu/~/applicationControl",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_Workflows/SecurityManagementMenu/~/asr",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/#view/Microsoft_Intune_Workflows/SecurityManagementMenu/~/diskEncryption",
            intune(Area::Other),
        ),
        (
            "https://intune.microsoft.com/?ref=AdminCenter#view/Microsoft_Intune_DeviceSettings/DevicesMenu/~/compliance",
            intune(Area::Other),
        ),
        (
            "https://portal.azure.com/#blade/HubsExtension/BrowseResourceGroups",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#blade/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/RolesAndAdministrators",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Overview",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/RegisteredApps",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/UserRegistrationDetails",
            azure(Area::AuthenticationMethods),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/GroupMemberships/groupId/[ObjectId",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Members/groupId/[ObjectId",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Owners/groupId/[ObjectId",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/AllGroups",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/d22f071d-e8d3-41fc-a516-b29753cdd1f6",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Owners/objectId/[ObjectId",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/UserDetailsMenuBlade/~/Profile/userId/[ObjectId",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_IAM/UsersManagementMenuBlade/~/MsGraphUsers",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/12bb770c-850b-423c-acac-2c9762bd5ee9",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Owners/appId/[ObjectId",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/653c7fdd-1b41-4229-992a-69cc35aad4f7",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/AlertDetail/providerId/aadroles/alertId/RedundantAssignmentAlert/resourceId/0817c655-a853-4d8f-9723-3a333b5b9235",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/AlertDetail/providerId/aadroles/alertId/RolesAssignedOutsidePimAlert/resourceId/0817c655-a853-4d8f-9723-3a333b5b9235",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/AlertDetail/providerId/aadroles/alertId/TooManyGlobalAdminsAssignedToTenantAlert/resourceId/0817c655-a853-4d8f-9723-3a333b5b9235",
            azure(Area::Other),
        ),
        (
            "https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/quickStart",
            azure(Area::Other),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
            entra(Area::Other),
        ),
    ]
}

fn corpus_urls() -> Vec<String> {
    let text = std::fs::read_to_string(CORPUS).unwrap_or_else(|e| {
        panic!("portal-urls corpus missing at {CORPUS} ({e}): these tests need ../shared/corpora beside the repository")
    });
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

fn check(url: &str, expected: &Expected) -> Result<(), String> {
    let got = parse_portal_url(url);
    match (expected, &got) {
        (Expected::NotAPortal(host), Err(ContextError::NotAPortal { host: got_host }))
            if got_host == host =>
        {
            Ok(())
        }
        (
            Expected::Context {
                cloud,
                portal,
                area,
                tenant,
                retired,
            },
            Ok(ctx),
        ) if ctx.cloud == *cloud
            && ctx.portal == *portal
            && ctx.area == *area
            && ctx.tenant == *tenant
            && ctx.retired_host == *retired =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{url}\n  expected {expected:?}\n  got      {got:?}"
        )),
    }
}

#[test]
fn every_corpus_url_has_an_expectation_and_meets_it() {
    let expectations: BTreeMap<&str, Expected> = corpus_expectations().into_iter().collect();
    let urls = corpus_urls();
    assert!(
        urls.len() >= 70,
        "portal-urls.tsv shrank to {} URLs; is it the right file?",
        urls.len()
    );

    let unexpected: Vec<&String> = urls
        .iter()
        .filter(|url| !expectations.contains_key(url.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "new corpus lines need an expectation in corpus_expectations():\n{unexpected:#?}"
    );
    let stale: Vec<&&str> = expectations
        .keys()
        .filter(|url| !urls.iter().any(|u| u == *url))
        .collect();
    assert!(
        stale.is_empty(),
        "expectations for URLs no longer in the corpus:\n{stale:#?}"
    );

    let failures: Vec<String> = urls
        .iter()
        .filter_map(|url| check(url, &expectations[url.as_str()]).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus URLs misread:\n{}",
        failures.len(),
        urls.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_conditional_access_pages_open_the_full_panel_and_others_the_launcher() {
    for url in corpus_urls() {
        if let Ok(ctx) = parse_portal_url(&url) {
            let full = matches!(
                ctx.area,
                Area::ConditionalAccessOverview
                    | Area::Policies
                    | Area::Policy { .. }
                    | Area::NamedLocations
                    | Area::AuthenticationMethods
            );
            assert_eq!(ctx.wants_full_panel(), full, "{url}");
        }
    }
}

fn parse(url: &str) -> PortalContext {
    parse_portal_url(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn hosts_match_case_insensitively_with_port_and_trailing_dot() {
    for url in [
        "HTTPS://Entra.Microsoft.COM/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
        "https://entra.microsoft.com:443/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
        "https://entra.microsoft.com./#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
        "https://ENTRA.microsoft.com.:443#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
        "  entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies  ",
    ] {
        let ctx = parse(url);
        assert_eq!((ctx.cloud, ctx.portal, &ctx.area), (Cloud::Global, Portal::AdminCenter, &Area::Policies), "{url}");
        assert_eq!(ctx.host, "entra.microsoft.com", "{url}");
    }
}

#[test]
fn each_cloud_is_recognised_from_its_portal_hosts() {
    let cases = [
        ("entra.microsoft.com", Cloud::Global, Portal::AdminCenter),
        ("portal.azure.com", Cloud::Global, Portal::AzurePortal),
        (
            "entra.microsoft.us",
            Cloud::UsGovernment,
            Portal::AdminCenter,
        ),
        ("portal.azure.us", Cloud::UsGovernment, Portal::AzurePortal),
        ("portal.azure.cn", Cloud::China, Portal::AzurePortal),
        ("ms.portal.azure.com", Cloud::Global, Portal::AzurePortal),
        (
            "preview.portal.azure.com",
            Cloud::Global,
            Portal::AzurePortal,
        ),
        ("intune.microsoft.com", Cloud::Global, Portal::AdminCenter),
    ];
    for (host, cloud, portal) in cases {
        let ctx = parse(&format!("https://{host}/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/NamedLocations"));
        assert_eq!(
            (ctx.cloud, ctx.portal, ctx.retired_host),
            (cloud, portal, false),
            "{host}"
        );
        assert_eq!(ctx.area, Area::NamedLocations, "{host}");
    }
}

#[test]
fn retired_hosts_are_recognised_and_flagged() {
    let aad = parse("https://aad.portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Properties");
    assert_eq!(
        (aad.cloud, aad.portal, aad.retired_host),
        (Cloud::Global, Portal::AzurePortal, true)
    );
    assert_eq!(aad.area, Area::SecurityDefaults);
    let endpoint = parse("https://endpoint.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies");
    assert_eq!(
        (endpoint.portal, endpoint.retired_host, endpoint.area),
        (Portal::AdminCenter, true, Area::Policies)
    );
}

#[test]
fn other_hosts_are_not_portals_and_the_message_says_where_to_go() {
    for (url, host) in [
        ("https://example.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies", "example.com"),
        ("https://admin.microsoft.com/", "admin.microsoft.com"),
        ("https://login.microsoftonline.com/common/oauth2/v2.0/authorize", "login.microsoftonline.com"),
        ("https://entra.microsoft.com.evil.example/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade", "entra.microsoft.com.evil.example"),
        ("https://entra.microsoft.com@evil.example/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade", "evil.example"),
        ("https://[::1]:8080/", "[::1]"),
    ] {
        let err = parse_portal_url(url).unwrap_err();
        assert_eq!(err, ContextError::NotAPortal { host: host.to_string() }, "{url}");
        let message = err.to_string();
        assert!(message.contains(host) && message.contains("https://entra.microsoft.com"), "{message}");
    }
}

#[test]
fn unreadable_addresses_are_invalid_with_a_reason() {
    for (url, reason) in [
        ("", "empty"),
        ("   ", "empty"),
        ("https://", "no host"),
        (
            "https:///#view/Microsoft_AAD_ConditionalAccess/PolicyBlade",
            "no host",
        ),
        ("ftp://entra.microsoft.com/", "not web pages"),
        ("chrome-extension://abcdef/panel.html", "not web pages"),
        ("https://entra.microsoft.com:https/", "not a number"),
    ] {
        match parse_portal_url(url) {
            Err(ContextError::InvalidUrl(text)) => {
                assert!(text.contains(reason), "{url:?}: {text}");
                let message = ContextError::InvalidUrl(text).to_string();
                assert!(message.contains("address bar"), "{message}");
            }
            other => panic!("{url:?} should be an invalid address, got {other:?}"),
        }
    }
}

#[test]
fn tenant_hints_come_from_the_fragment_or_the_path() {
    let cases: [(&str, Option<TenantHint>); 9] = [
        (
            "https://portal.azure.com/#@contoso.onmicrosoft.com/blade/Microsoft_AAD_IAM/ConditionalAccessBlade/Policies",
            Some(TenantHint::Domain("contoso.onmicrosoft.com".into())),
        ),
        (
            "https://portal.azure.com/#@Contoso.COM/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::Domain("contoso.com".into())),
        ),
        (
            "https://portal.azure.com/#@/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::DefaultDirectory),
        ),
        (
            "https://portal.azure.com/#@72F988BF-86F1-41AF-91AB-2D7CD011DB47/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::Id("72f988bf-86f1-41af-91ab-2d7cd011db47".into())),
        ),
        (
            "https://entra.microsoft.com/72f988bf-86f1-41af-91ab-2d7cd011db47#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::Id("72f988bf-86f1-41af-91ab-2d7cd011db47".into())),
        ),
        (
            "https://entra.microsoft.com/contoso.onmicrosoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::Domain("contoso.onmicrosoft.com".into())),
        ),
        (
            "https://portal.azure.com/#@contoso%2Eonmicrosoft.com/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::Domain("contoso.onmicrosoft.com".into())),
        ),
        // The fragment wins: the portal routes by it.
        (
            "https://entra.microsoft.com/72f988bf-86f1-41af-91ab-2d7cd011db47#@fabrikam.com/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            Some(TenantHint::Domain("fabrikam.com".into())),
        ),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
            None,
        ),
    ];
    for (url, tenant) in cases {
        let ctx = parse(url);
        assert_eq!(ctx.tenant, tenant, "{url}");
        assert_eq!(ctx.area, Area::Policies, "{url}");
    }
}

#[test]
fn file_names_in_the_path_are_not_tenant_domains() {
    let ctx = parse("https://portal.azure.com/index.html#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies");
    assert_eq!((ctx.tenant, ctx.area), (None, Area::Policies));
}

#[test]
fn legacy_named_networks_menu_is_named_locations() {
    for url in [
        "https://portal.azure.com/#blade/Microsoft_AAD_IAM/ConditionalAccessBlade/NamedNetworksV2",
        "https://portal.azure.com/#blade/Microsoft_AAD_IAM/ConditionalAccessBlade/NamedNetworks",
    ] {
        assert_eq!(parse(url).area, Area::NamedLocations, "{url}");
    }
    let classic = parse(
        "https://portal.azure.com/#blade/Microsoft_AAD_IAM/ConditionalAccessBlade/ClassicPolicies",
    );
    assert_eq!(
        classic.area,
        Area::OtherConditionalAccess {
            section: "Classic policies".into()
        }
    );
}

#[test]
fn placeholders_are_never_taken_for_tenants_or_policies() {
    for url in [
        "https://entra.microsoft.com/{tenantId}#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Overview/menuId//fromNav/Identity",
        "https://portal.azure.com/#@<TENANT>/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Overview",
        "https://portal.azure.com/#@[tenant-id]/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Overview",
        "https://portal.azure.com/#@192.168.0.1/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Overview",
    ] {
        let ctx = parse(url);
        assert_eq!(ctx.tenant, None, "{url}");
        assert_eq!(ctx.area, Area::ConditionalAccessOverview, "{url}");
    }
    for url in [
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/<GUID>",
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/{policy.Id}",
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/$($caPolicy.Id)",
    ] {
        assert_eq!(parse(url).area, Area::Policies, "{url}");
    }
}

#[test]
fn policy_blade_without_an_id_is_a_new_policy() {
    for url in [
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade",
        "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/",
        "https://portal.azure.com/#blade/Microsoft_AAD_IAM/PolicyBlade",
    ] {
        let ctx = parse(url);
        assert_eq!(ctx.area, Area::Policy { id: None }, "{url}");
        assert_eq!(ctx.area.label(), "Conditional Access › New policy");
    }
    let existing = parse("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/76E48A65-0184-4CC5-A8F0-962A824B8169/isPolicyEdit~/true");
    assert_eq!(
        existing.area,
        Area::Policy {
            id: Some("76e48a65-0184-4cc5-a8f0-962a824b8169".into())
        }
    );
    assert_eq!(
        existing.area.label(),
        "Conditional Access › Policy 76e48a65…"
    );
    let legacy = parse("https://portal.azure.com/#blade/Microsoft_AAD_IAM/PolicyBlade/policyId/76e48a65-0184-4cc5-a8f0-962a824b8169");
    assert_eq!(
        legacy.area,
        Area::Policy {
            id: Some("76e48a65-0184-4cc5-a8f0-962a824b8169".into())
        }
    );
}

#[test]
fn what_if_templates_and_security_defaults_have_their_own_areas() {
    let cases = [
        ("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/WhatIfBlade", Area::WhatIf),
        ("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/WhatIf", Area::WhatIf),
        ("https://portal.azure.com/#view/Microsoft_AAD_ConditionalAccess/CaTemplates.ReactView", Area::Templates),
        (
            "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/CaTemplates.ReactView/templateIds%7E/%5B%2216aaa400-bfdf-4756-a420-ad2245d4cde8%22%5D",
            Area::Templates,
        ),
        ("https://portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Properties", Area::SecurityDefaults),
        ("https://portal.azure.com/?feature.msaljs=true#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Properties", Area::SecurityDefaults),
        ("https://portal.azure.us/#blade/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/Properties", Area::SecurityDefaults),
        ("https://portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Overview", Area::Other),
        ("https://entra.microsoft.com/#view/Microsoft_AAD_IAM/TenantOverview.ReactView/tabId/recommendationsTab", Area::Other),
        ("https://entra.microsoft.com/#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AuthStrengths", Area::AuthenticationMethods),
    ];
    for (url, area) in cases {
        assert_eq!(parse(url).area, area, "{url}");
    }
}

#[test]
fn other_conditional_access_sections_are_named_but_only_get_the_launcher() {
    let ctx = parse("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/AuthenticationContext/fromNav/");
    assert_eq!(
        ctx.area,
        Area::OtherConditionalAccess {
            section: "Authentication context".into()
        }
    );
    assert_eq!(
        ctx.area.label(),
        "Conditional Access › Authentication context"
    );
    assert!(ctx.area.is_conditional_access());
    assert!(!ctx.wants_full_panel());

    let hostile = parse("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/%3Cimg%20src=x%3EEvil");
    assert_eq!(
        hostile.area,
        Area::OtherConditionalAccess {
            section: "Img srcx evil".into()
        }
    );
}

#[test]
fn legacy_and_unknown_routes_on_a_portal_are_outside_conditional_access() {
    for url in [
        "https://portal.azure.com/",
        "https://portal.azure.com/#home",
        "https://portal.azure.com/#@contoso.onmicrosoft.com",
        "https://portal.azure.com/#view/",
        "https://portal.azure.com/#view/Microsoft_AAD_IAM",
        "https://portal.azure.com/#create/Microsoft.Template",
        "https://entra.microsoft.com/#view/Microsoft_Intune_DeviceSettings/ConditionalAccessBlade/~/Policies",
    ] {
        let ctx = parse(url);
        assert_eq!(ctx.area, Area::Other, "{url}");
        assert!(!ctx.area.is_conditional_access() && !ctx.wants_full_panel(), "{url}");
        assert_eq!(ctx.summary().split(" · ").next(), Some("Outside Conditional Access"));
    }
    assert_eq!(
        parse("https://portal.azure.com/#@contoso.onmicrosoft.com").tenant,
        Some(TenantHint::Domain("contoso.onmicrosoft.com".into()))
    );
    assert_eq!(
        parse("https://portal.azure.com/#@").tenant,
        Some(TenantHint::DefaultDirectory)
    );
}

#[test]
fn blade_names_the_extension_and_blade_of_the_route() {
    let ctx = parse("https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies/fromNav/");
    assert_eq!(
        ctx.blade.as_deref(),
        Some("Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade")
    );
    assert_eq!(parse("https://entra.microsoft.com/").blade, None);
}

#[test]
fn summary_joins_area_tenant_and_cloud_and_omits_an_unknown_tenant() {
    let with_tenant = parse("https://portal.azure.com/#@contoso.onmicrosoft.com/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies");
    assert_eq!(
        with_tenant.summary(),
        "Conditional Access › Policies · contoso.onmicrosoft.com · Global cloud"
    );
    let default_directory = parse("https://portal.azure.us/#@/view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/NamedLocations");
    assert_eq!(
        default_directory.summary(),
        "Conditional Access › Named locations · default directory · US Government cloud"
    );
    let without = parse("https://portal.azure.cn/#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AdminAuthMethods");
    assert_eq!(
        without.summary(),
        "Authentication methods · China cloud (21Vianet)"
    );
}

#[test]
fn full_panel_covers_conditional_access_security_defaults_and_methods() {
    let full = [
        Area::ConditionalAccessOverview,
        Area::Policies,
        Area::Policy { id: None },
        Area::NamedLocations,
        Area::WhatIf,
        Area::Templates,
        Area::SecurityDefaults,
        Area::AuthenticationMethods,
    ];
    let launcher = [
        Area::Other,
        Area::OtherConditionalAccess {
            section: "Terms of use".into(),
        },
    ];
    let mut ctx = parse("https://entra.microsoft.com/");
    for area in full {
        ctx.area = area.clone();
        assert!(ctx.wants_full_panel(), "{area:?}");
    }
    for area in launcher {
        ctx.area = area.clone();
        assert!(!ctx.wants_full_panel(), "{area:?}");
    }
    assert!(!Area::SecurityDefaults.is_conditional_access());
    assert!(!Area::AuthenticationMethods.is_conditional_access());
    assert!(Area::WhatIf.is_conditional_access());
}

#[test]
fn cloud_hosts_follow_the_cloud_table() {
    assert_eq!(
        [Cloud::Global, Cloud::UsGovernment, Cloud::China].map(|c| (
            c.label(),
            c.login_host(),
            c.graph_host(),
            c.admin_center_host(),
            c.azure_portal_host()
        )),
        [
            (
                "Global cloud",
                "login.microsoftonline.com",
                "graph.microsoft.com",
                Some("entra.microsoft.com"),
                "portal.azure.com"
            ),
            (
                "US Government cloud",
                "login.microsoftonline.us",
                "graph.microsoft.us",
                Some("entra.microsoft.us"),
                "portal.azure.us"
            ),
            (
                "China cloud (21Vianet)",
                "login.chinacloudapi.cn",
                "microsoftgraph.chinacloudapi.cn",
                None,
                "portal.azure.cn"
            ),
        ]
    );
    assert_eq!(
        Cloud::from_sign_in_host("login.chinacloudapi.cn."),
        Some(Cloud::China)
    );
    assert_eq!(Cloud::from_sign_in_host("entra.microsoft.com"), None);
    assert_eq!(
        Cloud::from_sign_in_host("Login.Windows.Net"),
        Some(Cloud::Global)
    );
    assert_eq!(
        Cloud::from_sign_in_host("login.microsoft.com:443"),
        Some(Cloud::Global)
    );
}

#[test]
fn policy_links_use_the_current_host_of_the_portal_in_use() {
    let id = "76e48a65-0184-4cc5-a8f0-962a824b8169";
    let retired = parse(
        "https://aad.portal.azure.com/#blade/Microsoft_AAD_IAM/ConditionalAccessBlade/Policies",
    );
    assert_eq!(
        retired.policy_url(id).as_deref(),
        Some("https://portal.azure.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/76e48a65-0184-4cc5-a8f0-962a824b8169")
    );
    let gov = parse("https://entra.microsoft.us/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies");
    assert!(gov
        .policy_url(id)
        .is_some_and(|u| u.starts_with("https://entra.microsoft.us/#view/")));
    assert_eq!(gov.policy_url("../../evil"), None);
    assert_eq!(gov.policy_url("<GUID>"), None);
}

#[test]
fn context_round_trips_through_json() {
    let ctx = parse("https://portal.azure.com/#@contoso.onmicrosoft.com/view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/76e48a65-0184-4cc5-a8f0-962a824b8169");
    let json = serde_json::to_string(&ctx).expect("context serialises");
    let back: PortalContext = serde_json::from_str(&json).expect("context deserialises");
    assert_eq!(back, ctx);
}

#[test]
fn theme_follows_the_painted_background_then_the_browser_preference() {
    assert_eq!(
        Theme::from_facts(Some("rgb(255, 255, 255)"), true),
        Theme::Light
    );
    assert_eq!(
        Theme::from_facts(Some("rgb(27, 26, 25)"), false),
        Theme::Dark
    );
    assert_eq!(
        Theme::from_facts(Some("rgba(41, 41, 41, 0.9)"), false),
        Theme::Dark
    );
    assert_eq!(
        Theme::from_facts(Some("rgb(250 250 250 / 1)"), true),
        Theme::Light
    );
    assert_eq!(
        Theme::from_facts(Some("rgba(0, 0, 0, 0)"), true),
        Theme::Dark
    );
    assert_eq!(Theme::from_facts(Some("transparent"), false), Theme::Light);
    assert_eq!(Theme::from_facts(Some("rgb(NaN, 1, 2)"), true), Theme::Dark);
    assert_eq!(Theme::from_facts(None, false), Theme::Light);
}

/// Every prefix of every corpus URL, and every corpus URL with each character replaced by a
/// troublesome one, parses to a value: no panic, and any context it gives is self-consistent.
#[test]
fn mutated_corpus_urls_never_panic() {
    let replacements = [
        '%', '#', '@', '/', '~', ':', '?', '[', '\0', 'é', '\u{202e}', '😀',
    ];
    let mut inputs = 0usize;
    for url in corpus_urls() {
        let mut variants: Vec<String> = url
            .char_indices()
            .map(|(at, _)| url[..at].to_string())
            .collect();
        for (at, c) in url.char_indices() {
            for r in replacements {
                let mut mutated = String::with_capacity(url.len() + 4);
                mutated.push_str(&url[..at]);
                mutated.push(r);
                mutated.push_str(&url[at + c.len_utf8()..]);
                variants.push(mutated);
            }
        }
        variants.push(format!("{url}%"));
        variants.push(format!("{url}%E"));
        variants.push(format!("{url}%FF%FE"));
        variants.push(url.repeat(20));
        for input in variants {
            inputs += 1;
            if let Ok(ctx) = parse_portal_url(&input) {
                assert!(!ctx.host.is_empty(), "{input:?}");
                assert!(!ctx.summary().is_empty(), "{input:?}");
                let _ = ctx.wants_full_panel();
            }
        }
    }
    assert!(inputs > 100_000, "sweep too small: {inputs}");
}
