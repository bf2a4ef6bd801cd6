// `npm run fuzz`: libFuzzer (cargo-fuzz) on every parser that reads outside input, each target
// for a bounded time, seeded from the tests' fixtures and ../shared/corpora at run time.
// `--smoke` runs each target for a few seconds (part of `npm test`); `--seconds N` sets the
// time per target; `--target NAME` (repeatable) picks targets. Exits non-zero on any crash and
// prints where the crashing input was saved and how to replay it.
//
// Only stable Rust exists on this machine: cargo-fuzz needs nightly compiler flags
// (`-Zsanitizer`, `-Cpasses=sancov-module`), which stable rustc accepts with RUSTC_BOOTSTRAP=1.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SetupError } from './setup.mjs';

export const FUZZ_DIR = join(ROOT, 'fuzz');
export const CORPORA = join(ROOT, '..', 'shared', 'corpora');
const CORPUS_DIR = join(FUZZ_DIR, 'corpus');
const ARTIFACT_DIR = join(FUZZ_DIR, 'artifacts');
const FUZZ_ENV = { ...process.env, RUSTC_BOOTSTRAP: '1' };

/** Every target, with what it reads. Names match fuzz/Cargo.toml. */
export const TARGETS = {
  portal_url: 'portal page addresses and background colours (context::parse_portal_url, Theme)',
  block_page: 'sign-in page texts (blockpage::recognise)',
  tenant_import: 'tenant export files as raw bytes (engine::import::import_tenant)',
  tenant_engine: 'coverage, what-if and presets on any importable tenant (engine)',
  cidr: 'typed and stored IP ranges (engine::cidr)',
  graph_responses: 'Graph $batch answers, error bodies, token answers (graph::batch, errors, auth)',
  apply_flow: 'the apply flow under any sequence of Graph answers: never a blind second POST (graph::apply)',
  page_messages: 'page facts and sign-in snapshots sent to the frames (messages, explainer)',
};

function say(msg) { console.log(`[fuzz] ${msg}`); }

function output(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, env: FUZZ_ENV });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Installs cargo-fuzz once; later calls only ask its version. */
export function ensureCargoFuzz() {
  if (output('cargo', ['fuzz', '--version']) !== null) return;
  say('installing cargo-fuzz (a few minutes on two cores)');
  // No --locked: the registry reachable here can lag the newest versions (browser-recipes.md).
  const r = spawnSync('cargo', ['install', 'cargo-fuzz'], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0 || output('cargo', ['fuzz', '--version']) === null) {
    throw new SetupError('cargo-fuzz could not be installed: run `cargo install cargo-fuzz` and read its error.');
  }
}

// ---------------------------------------------------------------------------------------------
// Seed corpora: built at run time, never committed (fuzz/corpus is ignored, and several corpus
// files carry no licence that would allow copying them into the repository).

function corporaFile(...parts) {
  const p = join(CORPORA, ...parts);
  if (!existsSync(p)) {
    throw new SetupError(`The shared test corpora are missing (${p}): the fuzz seeds are built from ../shared/corpora beside the repository.`);
  }
  return p;
}

function walkFiles(dir, keep) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walkFiles(p, keep));
    else if (keep(entry.name)) files.push(p);
  }
  return files.sort();
}

/** The string literals of a Rust test file (plain and raw), unescaped well enough for seeds. */
export function rustStringLiterals(source) {
  const out = [];
  for (const m of source.matchAll(/r(#+)"([\s\S]*?)"\1|"((?:[^"\\\n]|\\.)*)"/g)) {
    if (m[2] !== undefined) out.push(m[2]);
    else out.push(m[3].replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\"/g, '"').replace(/\\\\/g, '\\'));
  }
  return out;
}

function testLiterals(file) {
  const p = join(ROOT, 'tests', file);
  return existsSync(p) ? rustStringLiterals(readFileSync(p, 'utf8')) : [];
}

const SIGN_IN_HOSTS = ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn', 'login.live.com'];
const SIGN_IN_PATH = '/common/oauth2/v2.0/authorize';

/** Sign-in page texts from the public block-page captures: [text lines] per capture. */
function blockPageTexts() {
  const doc = JSON.parse(readFileSync(corporaFile('block-page-texts.json'), 'utf8'));
  const pages = [];
  for (const c of doc.captures ?? []) {
    const text = typeof c.text === 'string' ? c.text : JSON.stringify(c);
    pages.push(text.split('\n').map((l) => l.trim()).filter(Boolean));
  }
  return pages;
}

function portalUrls() {
  const fromCorpus = readFileSync(corporaFile('portal-urls.tsv'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[0]);
  const fromTests = testLiterals('context.rs').filter((s) => /^https?:\/\//.test(s));
  return [...new Set([...fromCorpus, ...fromTests])];
}

function corpusJsonFiles() {
  return walkFiles(CORPORA, (n) => n.endsWith('.json') && n !== 'manifest.json' && n !== 'block-page-texts.json');
}

/** Decodes a corpus file (UTF-8, or UTF-16 LE/BE with BOM) to text for re-use inside other seeds. */
function decodeText(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

function utf16(text, bigEndian) {
  const le = Buffer.from(text, 'utf16le');
  if (bigEndian) for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return Buffer.concat([Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]), le]);
}

/** Graph objects of one kind found in the corpora (policies or named locations), as JSON values. */
function corpusObjects(kind) {
  const found = [];
  const visit = (v) => {
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (!v || typeof v !== 'object') return;
    const isLocation = typeof v['@odata.type'] === 'string' && /NamedLocation$/i.test(v['@odata.type']);
    const isPolicy = v.conditions && typeof v.conditions === 'object' && ('displayName' in v);
    if ((kind === 'policies' && isPolicy) || (kind === 'namedLocations' && isLocation)) { found.push(v); return; }
    Object.values(v).forEach(visit);
  };
  for (const f of corpusJsonFiles()) {
    try { visit(JSON.parse(decodeText(readFileSync(f)))); } catch { /* not JSON: a seed for import only */ }
  }
  return found;
}

/** The inputs of each target, as Buffers. */
export function seedInputs() {
  const seeds = Object.fromEntries(Object.keys(TARGETS).map((t) => [t, []]));
  const add = (target, data) => seeds[target].push(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));

  const urls = portalUrls();
  for (const url of urls) add('portal_url', `${url}\nrgb(27, 26, 25)`);
  add('portal_url', 'https://entra.microsoft.com/\nrgba(0, 0, 0, 0)');

  const pages = blockPageTexts();
  for (const [i, lines] of pages.entries()) {
    const [heading, ...texts] = lines;
    for (const host of SIGN_IN_HOSTS.slice(0, 1 + (i % SIGN_IN_HOSTS.length))) {
      for (const flag of [0, 1]) {
        add('block_page', Buffer.concat([Buffer.from([flag]),
          Buffer.from([host, SIGN_IN_PATH, 'en', heading, ...texts].join('\u0001'))]));
      }
    }
  }
  add('block_page', Buffer.concat([Buffer.from([1]), Buffer.from([SIGN_IN_HOSTS[0], '/common/login', 'de',
    'Sie können momentan nicht darauf zugreifen', 'Fehlercode: 53003',
    'Anforderungs-ID: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'].join('\u0001'))]));

  for (const f of corpusJsonFiles()) {
    const bytes = readFileSync(f);
    add('tenant_import', bytes);
    // Every file in the other encodings too: exports arrive as UTF-8 with BOM and UTF-16 BE.
    if (bytes.length < 64 * 1024) {
      const text = decodeText(bytes);
      add('tenant_import', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
      add('tenant_import', utf16(text, true));
    }
  }
  for (const s of testLiterals('engine_import.rs')) if (/^\s*[[{]/.test(s)) add('tenant_import', s);
  // The engine target starts from the same tenant files.
  seeds.tenant_engine.push(...seeds.tenant_import);

  const cidrLike = (s) => /^[\s0-9a-fA-F.:/]+$/.test(s) && /[.:]/.test(s);
  const cidrs = testLiterals('engine_cidr.rs').filter(cidrLike);
  for (const s of cidrs) add('cidr', s);
  add('cidr', cidrs.join('\n'));
  for (const loc of corpusObjects('namedLocations')) {
    const ranges = (loc.ipRanges ?? []).map((r) => r.cidrAddress).filter(Boolean);
    if (ranges.length) add('cidr', ranges.join('\n'));
  }

  const policies = corpusObjects('policies');
  const locations = corpusObjects('namedLocations');
  const inner = (id, status, body, headers) => ({ id, status, ...(headers ? { headers } : {}), body });
  const batch = (responses) => JSON.stringify({ responses });
  const everyRead = (policyPage, locationPage) => [
    inner('profile', 200, { id: '6b1f0c4e-8f4e-4a59-9d3c-3f1a9a1e2b7d', displayName: 'Adele Vance', userPrincipalName: 'adele@contoso.example' }),
    inner('roles', 200, { value: [{ id: 'r1', displayName: 'Conditional Access Administrator', roleTemplateId: 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9' }] }),
    inner('securityDefaults', 200, { isEnabled: false }),
    inner('licences', 200, { value: [{ capabilityStatus: 'Enabled', skuPartNumber: 'AAD_PREMIUM', servicePlans: [{ servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', servicePlanName: 'AAD_PREMIUM' }] }] }),
    inner('namedLocations', 200, locationPage),
    inner('policies', 200, policyPage),
  ];
  const graph = (decoder, statusIndex, body) => add('graph_responses',
    Buffer.concat([Buffer.from([decoder, statusIndex]), Buffer.from(body)]));
  graph(0, 0, batch(everyRead({ value: policies.slice(0, 8) }, { value: locations })));
  graph(0, 0, batch(everyRead({ value: policies.slice(8, 12), '@odata.nextLink': 'https://graph.microsoft.com/beta/identity/conditionalAccess/policies?$skiptoken=abc' }, { value: [] })));
  graph(0, 0, batch(everyRead({ value: [], '@odata.nextLink': 'https://evil.example/beta/identity/conditionalAccess/policies' }, { value: [] })));
  graph(0, 0, batch([inner('policies', 429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, { 'Retry-After': '3' }),
    inner('namedLocations', 403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }),
    inner('securityDefaults', 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' } })]));
  graph(0, 9, JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests' } }));
  graph(0, 10, '<html><head><title>502 Bad Gateway</title></head></html>');
  for (const [statusIndex, body] of [
    [4, '\n{"error": {"code": "BadRequest", "message": "1038: The policy you are trying to create or update contains preview features", "target": "conditions"}}'],
    [4, '\n{"error": {"code": "BadRequest", "message": "Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy."}}'],
    [6, '\n{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}'],
    [9, '120\n{"error": {"code": "TooManyRequests"}}'],
    [9, 'Wed, 21 Oct 2026 07:28:00 GMT\n'],
    [11, '\n<!DOCTYPE html><title>Service Unavailable</title>'],
  ]) graph(1, statusIndex, body);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const idToken = `${b64({ alg: 'none' })}.${b64({ tid: '72f988bf-86f1-41af-91ab-2d7cd011db47', oid: '6b1f0c4e-8f4e-4a59-9d3c-3f1a9a1e2b7d', preferred_username: 'adele@contoso.example', name: 'Adele Vance' })}.`;
  graph(2, 0, JSON.stringify({ token_type: 'Bearer', scope: 'https://graph.microsoft.com/Policy.Read.All https://graph.microsoft.com/Policy.ReadWrite.ConditionalAccess', expires_in: 4799, access_token: 'eyJ0eXAiOiJKV1QiLCJub25jZSI6', refresh_token: '0.AXoA', id_token: idToken }));
  graph(2, 4, JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.', error_codes: [70008] }));
  graph(2, 4, JSON.stringify({ error: 'consent_required', error_description: 'The user or administrator has not consented.', error_codes: [65001] }));

  // Apply flow: answers in order, each `kind, length (u16 LE), body`; kinds index the target's
  // STATUSES (0: 200, 1: 201, 2: 204, 5: 401, 9: 429, 13: 504), then 14 = timeout, 15 = network failure.
  const answer = (kind, body = '') => {
    const bytes = Buffer.from(body);
    return Buffer.concat([Buffer.from([kind, bytes.length & 0xff, bytes.length >> 8]), bytes]);
  };
  const preflightOk = answer(0, batch(everyRead({ value: policies.slice(0, 6) }, { value: locations })));
  const created = answer(1, JSON.stringify({ id: '7a1c3e55-2b1d-4a8e-9f3b-5d6c7e8f9a0b', displayName: 'Block security info registration outside trusted locations', state: 'enabledForReportingButNotEnforced' }));
  const listWithIt = answer(0, JSON.stringify({ value: [{ id: '7a1c3e55-2b1d-4a8e-9f3b-5d6c7e8f9a0b', displayName: 'Block security info registration outside trusted locations', state: 'enabledForReportingButNotEnforced', conditions: {} }] }));
  for (const sequence of [
    [preflightOk, created, answer(2), answer(2)],
    [preflightOk, answer(13, '<html><title>504 Gateway Timeout</title></html>'), listWithIt, answer(2)],
    [preflightOk, answer(14), answer(0, JSON.stringify({ value: [] })), created],
    [preflightOk, answer(9, JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests' } })), created],
    [preflightOk, answer(5, JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' } })), created],
    [preflightOk, answer(1, '{"id": "7a1c3e55-2b1d'), answer(15, 'connection reset'), listWithIt],
    // Regression (fuzz finding 1): a read-back without a "value" list must not count as "not there".
    [preflightOk, answer(13, '<html><title>504 Gateway Timeout</title></html>'), answer(0, '{"val$e": []}'), created],
  ]) add('apply_flow', Buffer.concat(sequence));

  const viewport = { width: 1280, height: 800 };
  for (const url of urls.slice(0, 40)) {
    add('page_messages', JSON.stringify({ type: 'facts', facts: { url, title: 'Conditional Access - Microsoft Entra admin center', lang: 'en',
      bodyBackground: 'rgb(255, 255, 255)', rootBackground: 'rgba(0, 0, 0, 0)', prefersDark: false,
      account: { meControlName: 'Adele Vance', meControlEmail: 'adele@contoso.example', avatarUser: null, accountButtonLabel: 'Account manager for Adele Vance' },
      viewport } }));
  }
  for (const lines of pages) {
    const [heading, ...rest] = lines;
    for (const card of [{ left: 440, top: 120, width: 440, height: 520 }, null]) {
      add('page_messages', JSON.stringify({ type: 'sign-in-facts', facts: { host: SIGN_IN_HOSTS[0], path: SIGN_IN_PATH, lang: 'en', heading,
        lines: rest, hasDetailsContainer: true, viewport: card ? viewport : { width: 390, height: 844 }, card } }));
    }
  }
  return seeds;
}

/** Writes the seeds into fuzz/corpus/<target>/ under content-hash names (as libFuzzer names its finds). */
export function seedCorpora(targets = Object.keys(TARGETS)) {
  const seeds = seedInputs();
  for (const target of targets) {
    const dir = join(CORPUS_DIR, target);
    mkdirSync(dir, { recursive: true });
    for (const data of seeds[target]) {
      writeFileSync(join(dir, createHash('sha1').update(data).digest('hex')), data);
    }
    say(`${target}: ${seeds[target].length} seeds (${readdirSync(dir).length} inputs in its corpus)`);
  }
}

// ---------------------------------------------------------------------------------------------

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: FUZZ_DIR, env: FUZZ_ENV, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let text = '';
    const keep = (chunk) => { text += chunk; if (text.length > 200_000) text = text.slice(-100_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => resolve({ code: -1, text: `${text}\n${e.message}` }));
    child.on('close', (code) => resolve({ code, text }));
  });
}

function artifacts(target) {
  const dir = join(ARTIFACT_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => /^(crash|leak|timeout|oom|slow-unit)-/.test(n))
    .map((n) => join(dir, n)).map((p) => ({ path: p, mtime: statSync(p).mtimeMs }));
}

// Safe Rust cannot corrupt memory, so AddressSanitizer would only slow the search; panics,
// arithmetic overflow (debug assertions stay on), hangs and runaway memory are what we hunt.
const SANITIZER = 'none';

/** Runs each target for `seconds`; resolves with one result per target. */
export async function fuzz({ seconds = 60, targets = Object.keys(TARGETS), maxLen = 262_144 } = {}) {
  ensureCargoFuzz();
  seedCorpora(targets);
  say('building the fuzz targets');
  const build = await run('cargo', ['fuzz', 'build', '--sanitizer', SANITIZER]);
  if (build.code !== 0) {
    process.stderr.write(build.text.slice(-6000));
    throw new SetupError('the fuzz targets do not build (output above)');
  }
  const results = [];
  for (const target of targets) {
    const started = Date.now();
    const before = new Set(artifacts(target).map((a) => a.path));
    const res = await run('cargo', ['fuzz', 'run', '--sanitizer', SANITIZER, target, join(CORPUS_DIR, target), '--',
      `-max_total_time=${seconds}`, '-timeout=10', '-rss_limit_mb=2048', `-max_len=${maxLen}`, '-print_final_stats=1']);
    const found = artifacts(target).filter((a) => !before.has(a.path) || a.mtime >= started).map((a) => a.path);
    const runs = Number((res.text.match(/stat::number_of_executed_units:\s*(\d+)/) || [])[1] || 0);
    const ok = res.code === 0 && found.length === 0;
    // libFuzzer's own clock leaves out the build that `cargo fuzz run` does first.
    const fuzzed = Number((res.text.match(/Done \d+ runs in (\d+) second/) || [])[1] ?? NaN);
    const tookSeconds = Number.isFinite(fuzzed) ? fuzzed : Math.round((Date.now() - started) / 1000);
    const result = { target, ok, runs, seconds: tookSeconds, artifacts: found };
    if (/failed to build fuzz script/.test(res.text)) {
      // Not a finding: the crate changed under the run and no longer compiles with this target.
      result.reason = `the target did not build:\n${res.text.split('\n').filter((l) => /^error|-->/.test(l)).join('\n')}`;
    } else if (!ok) {
      const panic = res.text.match(/panicked at [\s\S]*?\n(?:.*\n){0,3}/)?.[0]
        ?? res.text.split('\n').filter((l) => /ERROR|SUMMARY|deadly signal|timeout|out-of-memory/.test(l)).join('\n');
      result.reason = panic.trim() || `cargo fuzz exited ${res.code}`;
      if (!found.length && res.code !== 0) process.stderr.write(res.text.slice(-4000));
    }
    results.push(result);
    say(`${target}: ${ok ? 'no crash' : 'FAILED'} — ${runs} inputs in ${result.seconds} s`);
  }
  return results;
}

function parseArgs(argv) {
  const opts = { seconds: 60, targets: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--smoke') opts.seconds = 5;
    else if (a === '--seconds') opts.seconds = Number(argv[++i]);
    else if (a === '--target') opts.targets.push(argv[++i]);
    else if (a === '--seed-only') opts.seedOnly = true;
    else throw new SetupError(`unknown option ${a}: use --smoke, --seconds N, --target NAME (repeatable), --seed-only`);
  }
  if (!Number.isFinite(opts.seconds) || opts.seconds <= 0) throw new SetupError('--seconds needs a positive number');
  const unknown = opts.targets.filter((t) => !(t in TARGETS));
  if (unknown.length) throw new SetupError(`unknown target ${unknown.join(', ')}: the targets are ${Object.keys(TARGETS).join(', ')}`);
  if (!opts.targets.length) opts.targets = Object.keys(TARGETS);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.seedOnly) { seedCorpora(opts.targets); return; }
  const results = await fuzz(opts);
  console.log('\nFuzzing:');
  for (const r of results) {
    console.log(`  ${r.target.padEnd(16)} ${r.ok ? 'ok    ' : 'FAILED'} ${String(r.runs).padStart(10)} inputs  ${r.seconds} s  ${TARGETS[r.target]}`);
    if (!r.ok) {
      console.log(`    ${r.reason.split('\n').join('\n    ')}`);
      for (const a of r.artifacts) {
        console.log(`    input: ${relative(ROOT, a)}  (replay: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s ${SANITIZER} ${r.target} ${relative(FUZZ_DIR, a)})`);
      }
    }
  }
  const crashed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - crashed} passed, ${crashed} failed`);
  process.exit(crashed ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`[fuzz] ${e.message}`);
    process.exit(1);
  });
}
