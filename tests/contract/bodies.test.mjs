// Contract tests: every body Registration Guard would POST to Microsoft Graph type-checks
// against Microsoft's own TypeScript types (@microsoft/microsoft-graph-types) with
// `tsc --strict` and excess-property checks, and every Terraform export parses with a
// real HCL parser (@cdktf/hcl2json) back to the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseHcl } from '@cdktf/hcl2json';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TMP = join(ROOT, 'tests', '.tmp', 'contract');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const contract = JSON.parse(
  execFileSync('cargo', ['run', '--quiet', '--example', 'contract_bodies'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }),
);

// Graph's wire format carries `@odata.type` on derived types (named locations, CIDR
// ranges, external tenants); the TypeScript types leave OData annotations out, so this
// wrapper allows exactly that one annotation at every level and nothing else.
// Graph writes flags enumerations such as guestOrExternalUserTypes as one comma-separated
// string, which the types declare as a single member; such a string is typed as a string
// here and each of its flags is checked against the enumeration separately (FLAGS below).
const PRELUDE = `import type {
  ConditionalAccessGuestOrExternalUserTypes,
  ConditionalAccessPolicy, CountryNamedLocation, IpNamedLocation, IPv4CidrRange, IPv6CidrRange,
} from '@microsoft/microsoft-graph-types';
type OData<T> = T extends readonly (infer U)[] ? OData<U>[]
  : T extends object
    ? { [K in keyof T]: K extends 'guestOrExternalUserTypes' ? string : OData<T[K]> } & { '@odata.type'?: string }
    : T;
// IpRange is an empty base type; the bodies use its two CIDR subtypes.
type IpLocationBody = Omit<IpNamedLocation, 'ipRanges'> & { ipRanges?: (IPv4CidrRange | IPv6CidrRange)[] };
type Bodies = {
  ConditionalAccessPolicy: OData<ConditionalAccessPolicy>;
  IpNamedLocation: OData<IpLocationBody>;
  CountryNamedLocation: OData<CountryNamedLocation>;
};
`;

/** The flags of every guestOrExternalUserTypes string in a body. */
function guestFlags(value, found = []) {
  if (Array.isArray(value)) value.forEach((v) => guestFlags(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'guestOrExternalUserTypes' && typeof v === 'string') found.push(v.split(','));
      else guestFlags(v, found);
    }
  }
  return found;
}

function writeBodies(file, entries) {
  const lines = [PRELUDE];
  entries.forEach((entry, i) => {
    lines.push(`// ${JSON.stringify(entry.name)}`);
    lines.push(`export const body${i}: Bodies[${JSON.stringify(entry.type)}] = ${JSON.stringify(entry.body, null, 2)};`);
    guestFlags(entry.body).forEach((flags, j) => {
      lines.push(`export const flags${i}_${j}: ConditionalAccessGuestOrExternalUserTypes[] = ${JSON.stringify(flags)};`);
    });
  });
  mkdirSync(TMP, { recursive: true });
  const path = join(TMP, file);
  writeFileSync(path, lines.join('\n'));
  return path;
}

function tsc(paths) {
  return spawnSync(TSC, ['--strict', '--noEmit', '--target', 'es2020', '--module', 'esnext',
    '--moduleResolution', 'node', ...paths], { cwd: ROOT, encoding: 'utf8' });
}

const typeCheck = (file, entries) => tsc([writeBodies(file, entries)]);

test('every preset body for every scope, exclusion set and state is a valid ConditionalAccessPolicy', () => {
  const presetBodies = contract.bodies.filter((b) => b.type === 'ConditionalAccessPolicy' && !b.name.startsWith('Graph documentation'));
  // (block, MFA) × 2 scopes × 2 exclusion sets × 3 states + guest preset × all guests × 2 × 3
  assert.equal(presetBodies.length, 30);
  for (const { name, body } of presetBodies) {
    assert.deepEqual(body.conditions.applications.includeUserActions, ['urn:user:registersecurityinfo'], name);
    assert.deepEqual(body.conditions.applications.includeApplications, [], name);
    assert.deepEqual(body.conditions.clientAppTypes, ['all'], name);
    assert.ok(!JSON.stringify(body).includes('Current administrator will be excluded'), name);
  }
  const result = typeCheck('bodies.ts', contract.bodies);
  assert.equal(result.status, 0, `tsc found errors:\n${result.stdout}${result.stderr}`);
});

test("Microsoft's documented example bodies survive our model and still type-check", () => {
  const docs = contract.bodies.filter((b) => b.name.startsWith('Graph documentation') || b.name.startsWith('named location'));
  assert.equal(docs.length, 7);
  assert.ok(docs.some((b) => b.type === 'IpNamedLocation' && b.body.ipRanges.length === 2));
  assert.ok(docs.some((b) => b.type === 'CountryNamedLocation' && b.body.includeUnknownCountriesAndRegions === true));
  const result = typeCheck('docs.ts', docs);
  assert.equal(result.status, 0, `tsc found errors:\n${result.stdout}${result.stderr}`);
});

test('the type check has teeth: a misspelt or mistyped field fails tsc', () => {
  const good = contract.bodies[0];
  const misspelt = structuredClone(good.body);
  misspelt.conditions.applications.includeUserAction = misspelt.conditions.applications.includeUserActions;
  const wrongState = { ...structuredClone(good.body), state: 'on' };
  const wrongType = structuredClone(good.body);
  wrongType.conditions.users.excludeUsers = 'not-a-list';
  const guestBody = contract.bodies.find((b) => b.body.conditions?.users?.includeGuestsOrExternalUsers).body;
  const wrongFlag = structuredClone(guestBody);
  wrongFlag.conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes += ',allGuests';
  const broken = [['misspelt', misspelt], ['state', wrongState], ['type', wrongType], ['flag', wrongFlag]];
  const paths = broken.map(([label, body]) => writeBodies(`negative-${label}.ts`, [{ name: label, type: good.type, body }]));
  const result = tsc(paths);
  assert.notEqual(result.status, 0, 'tsc accepted broken bodies');
  for (const [label] of broken) {
    assert.match(result.stdout, new RegExp(`negative-${label}\\.ts\\(\\d+,\\d+\\): error TS\\d+`), `tsc accepted the ${label} body`);
  }
});

// hcl2json returns HCL's JSON form, in which `$${` and `%%{` still stand for literal
// `${` and `%{`; an undoubled `${` would be a live template.
const literal = (s) => s.replaceAll('$${', '${').replaceAll('%%{', '%{');
const liveTemplate = /(^|[^$%])[$%]\{/;

test('every Terraform export parses as HCL back to the same policy', async () => {
  assert.equal(contract.terraform.length, 6);
  for (const { name, body, hcl } of contract.terraform) {
    const parsed = await parseHcl('policy.tf', hcl);
    const [resource] = parsed.resource.azuread_conditional_access_policy.security_info_registration;
    assert.ok(!liveTemplate.test(resource.display_name.replaceAll('$${', '').replaceAll('%%{', '')), name);
    assert.equal(literal(resource.display_name), body.displayName, name);
    assert.equal(resource.state, body.state, name);
    const [conditions] = resource.conditions;
    assert.deepEqual(conditions.client_app_types, body.conditions.clientAppTypes, name);
    assert.deepEqual(conditions.applications[0].included_user_actions, body.conditions.applications.includeUserActions, name);
    const [users] = conditions.users;
    const b = body.conditions.users;
    assert.deepEqual(users.included_users ?? [], b.includeUsers, name);
    assert.deepEqual(users.excluded_users ?? [], b.excludeUsers, name);
    assert.deepEqual(users.excluded_groups ?? [], b.excludeGroups, name);
    assert.deepEqual(users.excluded_roles ?? [], b.excludeRoles, name);
    if (b.includeGuestsOrExternalUsers) {
      const [guests] = users.included_guests_or_external_users;
      assert.deepEqual(guests.guest_or_external_user_types.join(','), b.includeGuestsOrExternalUsers.guestOrExternalUserTypes, name);
      assert.equal(guests.external_tenants[0].membership_kind, 'all', name);
    }
    assert.deepEqual(conditions.locations[0].included_locations, body.conditions.locations.includeLocations, name);
    assert.deepEqual(conditions.locations[0].excluded_locations, body.conditions.locations.excludeLocations, name);
    assert.equal(resource.grant_controls[0].operator, body.grantControls.operator, name);
    assert.deepEqual(resource.grant_controls[0].built_in_controls, body.grantControls.builtInControls, name);
  }
});
