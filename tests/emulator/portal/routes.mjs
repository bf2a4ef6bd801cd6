// The fixture portal's blades: what the page shows for each address fragment. Shared by the
// server (which renders the first view, so the page is complete even where the CSP forbids
// every script) and by the page's own script (which re-renders on hash navigation, like the
// real portal's single-page router). Plain ES module, no Node APIs: the browser imports it too.

const CA = 'Microsoft_AAD_ConditionalAccess';

/** Left navigation, as the Entra admin center groups it. Hrefs are fragments without the tenant. */
export const NAV = [
  { section: 'Identity', items: [
    { label: 'Overview', route: 'view/Microsoft_AAD_IAM/TenantOverview.ReactView' },
    { label: 'Users', route: 'view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/AllUsers' },
    { label: 'Groups', route: 'view/Microsoft_AAD_IAM/GroupsManagementMenuBlade/~/AllGroups' },
  ] },
  { section: 'Protection', items: [
    { label: 'Conditional Access', route: `view/${CA}/ConditionalAccessBlade/~/Overview` },
    { label: 'Policies', route: `view/${CA}/ConditionalAccessBlade/~/Policies` },
    { label: 'Named locations', route: `view/${CA}/ConditionalAccessBlade/~/NamedLocations` },
    { label: 'What If', route: `view/${CA}/WhatIfBlade` },
    { label: 'Authentication methods', route: 'view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AdminAuthMethods' },
  ] },
];

export const POLICIES = [
  { id: '76e48a65-0184-4cc5-a8f0-962a824b8169', name: 'CA001: Require multifactor authentication for admins', state: 'On' },
  { id: '0b7e0c52-2f4d-4e8e-9f36-5a1d7c3e2b11', name: 'CA002: Block legacy authentication', state: 'On' },
  { id: 'c3a5d1f0-8e2b-4c7a-b6d9-1f0e2a3b4c5d', name: 'CA003: Require compliant device for Office 365', state: 'Report-only' },
];

export const NAMED_LOCATIONS = [
  { name: 'Head office', kind: 'IP ranges', trusted: 'Yes' },
  { name: 'Blocked countries', kind: 'Countries', trusted: 'No' },
];

/** Splits `#@tenant/view/…` into the tenant prefix (kept across navigation) and the route. */
export function splitFragment(hash) {
  const fragment = hash.replace(/^#/, '');
  const match = /^(@[^/]*\/)(.*)$/.exec(fragment);
  return match ? { tenant: match[1], route: match[2] } : { tenant: '', route: fragment };
}

/** The view for a route (`view/…` or legacy `blade/…`): heading, commands and content. */
export function viewFor(route) {
  const r = route.toLowerCase();
  const ca = (heading, commands, content) => ({ title: heading.replace(' | ', ' - '), heading, commands, content });
  if (r.includes('conditionalaccessblade')) {
    if (r.includes('namedlocations')) {
      return ca('Conditional Access | Named locations',
        ['Countries location', 'IP ranges location', 'Configure multifactor authentication trusted IPs', 'Refresh'],
        { columns: ['Name', 'Location type', 'Trusted'], rows: NAMED_LOCATIONS.map((l) => [l.name, l.kind, l.trusted]) });
    }
    if (r.includes('policies')) {
      return ca('Conditional Access | Policies',
        ['New policy', 'New policy from template', 'Upload policy file', 'What If', 'Refresh', 'Preview features'],
        { columns: ['Policy name', 'State'], rows: POLICIES.map((p) => [p.name, p.state]) });
    }
    return ca('Conditional Access | Overview', ['Create new policy', 'Create new policy from templates', 'Refresh'],
      { columns: ['Policy summary', 'Count'], rows: [['Enabled policies', '2'], ['Report-only policies', '1']] });
  }
  if (r.includes('policyblade')) {
    const id = /policyid\/([0-9a-f-]{36})/.exec(r)?.[1];
    const policy = POLICIES.find((p) => p.id === id);
    return { title: policy ? policy.name : 'New Conditional Access policy', heading: policy ? policy.name : 'New',
      commands: ['View policy information', 'Delete'],
      content: { columns: ['Setting', 'Value'], rows: [['Users', 'All users'], ['Target resources', 'All resources'], ['Grant', 'Require multifactor authentication']] } };
  }
  if (r.includes('whatifblade')) {
    return { title: 'What If', heading: 'What If', commands: ['What If', 'Reset'],
      content: { columns: ['Condition', 'Value'], rows: [['User', 'None selected'], ['IP address', ''], ['Country', '']] } };
  }
  if (r.includes('groupsmanagementmenublade')) {
    return { title: 'Groups - All groups', heading: 'Groups | All groups',
      commands: ['New group', 'Download groups', 'Refresh', 'Manage view', 'Delete'],
      content: { columns: ['Display name', 'Group type'], rows: [['Finance', 'Security'], ['Sales', 'Microsoft 365']] } };
  }
  if (r.includes('usermanagementmenublade')) {
    return { title: 'Users - All users', heading: 'Users | All users', commands: ['New user', 'Download users', 'Refresh'],
      content: { columns: ['Display name', 'User principal name'], rows: [['Adele Vance', 'adele@contoso.onmicrosoft.com']] } };
  }
  if (r.includes('authenticationmethodsmenublade')) {
    return { title: 'Authentication methods - Policies', heading: 'Authentication methods | Policies', commands: ['Refresh'],
      content: { columns: ['Method', 'Enabled'], rows: [['Microsoft Authenticator', 'Yes'], ['Temporary Access Pass', 'Yes']] } };
  }
  return { title: 'Home', heading: 'Home', commands: ['Refresh'],
    content: { columns: ['Recent', 'Type'], rows: [['Conditional Access', 'Service']] } };
}
