// `npm test`: set-up, build, then every suite — native cargo tests, wasm-bindgen tests in
// headless Chromium, and the node suites (contract checks, end-to-end with the real
// extension). Ends with one line `N passed, N failed` covering all of them.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';
import { CHROMEDRIVER, ROOT, setup } from './setup.mjs';

// The runner's own scratch space; suites keep theirs elsewhere under tests/.tmp.
const TMP = join(ROOT, 'tests', '.tmp', 'runner');

/** Runs a command, echoing its output, and resolves with {code, text}. */
function runSuite(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const tee = (stream) => (chunk) => { text += chunk; stream.write(chunk); };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('error', (e) => resolve({ code: -1, text: `${text}\n${e.message}` }));
    child.on('close', (code) => resolve({ code, text }));
  });
}

/** Sums the `test result:` lines that cargo and wasm-bindgen-test-runner print. */
export function countCargo(text) {
  const t = { passed: 0, failed: 0, skipped: 0, found: false };
  for (const m of text.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
    t.passed += Number(m[1]); t.failed += Number(m[2]); t.skipped += Number(m[3]); t.found = true;
  }
  return t;
}

/** Reads the summary that node's TAP reporter writes at the end. */
export function countTap(text) {
  const get = (k) => Number((text.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) || [])[1] || 0);
  return { passed: get('pass'), failed: get('fail') + get('cancelled'), skipped: get('skipped') + get('todo'),
    found: /^# tests \d+$/m.test(text) };
}

function nodeTestFiles() {
  const files = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.test.mjs')) files.push(p);
    }
  };
  walk(join(ROOT, 'tests'));
  return files.sort();
}

async function main() {
  setup({ browser: true });
  build();
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });

  const results = [];
  const record = (name, res, counts) => {
    const broken = res.code !== 0 && counts.failed === 0;
    if (!counts.found) counts.failed += 1;
    else if (broken) counts.failed += 1;
    results.push({ name, ...counts, code: res.code, note: !counts.found ? 'ran no tests' : broken ? `exited ${res.code}` : '' });
  };

  let res = await runSuite('cargo', ['test', '--all-targets']);
  record('native (cargo test)', res, countCargo(res.text));
  res = await runSuite('cargo', ['test', '--doc']);
  record('doc tests', res, countCargo(res.text));

  res = await runSuite('cargo', ['test', '--target', 'wasm32-unknown-unknown', '--features', 'demo', '--test', 'web'],
    { CHROMEDRIVER, WASM_BINDGEN_TEST_TIMEOUT: '120' });
  record('wasm in Chromium (wasm-bindgen-test)', res, countCargo(res.text));

  // A short libFuzzer run of every parser; its last line is `N passed, N failed`, one per target.
  res = await runSuite('node', ['scripts/fuzz.mjs', '--smoke']);
  const fuzzed = res.text.match(/^(\d+) passed, (\d+) failed$/m);
  record('fuzz smoke (libFuzzer, a few seconds per target)', res, fuzzed
    ? { passed: Number(fuzzed[1]), failed: Number(fuzzed[2]), skipped: 0, found: true }
    : { passed: 0, failed: 0, skipped: 0, found: false });

  const files = nodeTestFiles();
  const tap = join(TMP, 'node.tap');
  res = await runSuite('node', ['--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
  record('node (contract, end-to-end)', res, existsSync(tap) ? countTap(readFileSync(tap, 'utf8')) : { passed: 0, failed: 0, skipped: 0, found: false });

  console.log('\nSuites:');
  for (const r of results) {
    console.log(`  ${r.name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${r.note ? ` (${r.note})` : ''}`);
  }
  const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }),
    { passed: 0, failed: 0, skipped: 0 });
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  process.exit(total.failed === 0 && total.skipped === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`[test] ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
