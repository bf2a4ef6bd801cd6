// Audit of the code the extension ships (dist/chromium): no HTML-from-string or
// code-from-string sinks in any script, and no remote or inline code in any page.
//
// The wasm-bindgen glue (wasm/registration_guard.js) is scanned like every other file: each
// web-sys call the Rust code makes is materialised there as JavaScript (`set_inner_html`
// would appear as `.innerHTML =`), so this scan covers the Rust shell too. Only the glue
// constructs named in GLUE_ALLOWED are exempt, by exact pattern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, shipped, shippedFiles } from './built.mjs';

const GLUE = 'wasm/registration_guard.js';

// Sinks that turn a string into markup or code, with why each is banned.
const SINKS = [
  [/\binnerHTML\b/, 'innerHTML parses a string as markup'],
  [/\bouterHTML\b/, 'outerHTML parses a string as markup'],
  [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML parses a string as markup'],
  [/\bdocument\s*\.\s*write(?:ln)?\b/, 'document.write parses a string as markup'],
  [/\bcreateContextualFragment\b/, 'createContextualFragment parses a string as markup'],
  [/\bparseFromString\b/, 'DOMParser.parseFromString builds a document from a string'],
  [/\bsrcdoc\b/, 'srcdoc loads a string as a document'],
  [/\beval\s*\(/, 'eval runs a string as code'],
  [/\bFunction\s*\(/, 'Function(...) / new Function(...) runs a string as code'],
  [/\bset(?:Timeout|Interval)\s*\(\s*['"`]/, 'setTimeout/setInterval with a string runs it as code'],
  [/javascript:/i, 'javascript: URLs run code'],
];

// The glue constructs wasm-bindgen generates that match a sink pattern without being one.
const GLUE_ALLOWED = [
  // debugString() describes a function value for error messages: a template string, not a call.
  [/`Function\(\$\{val\.name\}\)`/g, 'debugString names a JS function value in panic messages'],
];

/** The sinks found in a script's text: [{sink, why, line}]. */
function findSinks(file, text) {
  let scanned = text;
  if (file === GLUE) {
    for (const [pattern] of GLUE_ALLOWED) scanned = scanned.replace(pattern, (s) => ' '.repeat(s.length));
  }
  const found = [];
  const lines = scanned.split('\n');
  for (const [pattern, why] of SINKS) {
    lines.forEach((line, i) => {
      const m = pattern.exec(line);
      if (m) found.push({ sink: m[0], why, line: i + 1 });
    });
  }
  return found;
}

/** What is wrong with a page's markup: remote or inline code and styles. */
function pageProblems(html) {
  const problems = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = /\bsrc\s*=\s*["']([^"']*)["']/i.exec(m[1])?.[1];
    if (src === undefined) problems.push('an inline <script> (blocked by the CSP, so it would silently never run)');
    else if (m[2].trim()) problems.push(`<script src="${src}"> with inline content`);
    else if (/^(?:data|blob):/i.test(src.trim())) problems.push(`a script from a ${src.trim().split(':')[0]}: address`);
  }
  // data: addresses stay on the machine (e.g. the empty favicon `data:,`); every other scheme leaves it.
  for (const m of html.matchAll(/\b(?:src|href|action|formaction|poster|data)\s*=\s*["']\s*([^"']*)["']/gi)) {
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(m[1]) && !/^data:/i.test(m[1])) problems.push(`a non-local address ${m[1]}`);
  }
  for (const m of html.matchAll(/<[a-z][^>]*\s(on[a-z]+)\s*=/gi)) problems.push(`an inline ${m[1]} handler`);
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) problems.push(...styleProblems(m[1]));
  if (/<base\b/i.test(html)) problems.push('a <base> element (re-points every relative address)');
  if (/http-equiv\s*=\s*["']?refresh/i.test(html)) problems.push('a meta refresh');
  return problems;
}

/** Remote styles or fonts in a stylesheet. */
function styleProblems(css) {
  const problems = [];
  if (/@import\b/i.test(css)) problems.push('an @import (styles come from the extension\'s own files only)');
  for (const m of css.matchAll(/url\(\s*["']?\s*([^"')\s]*)/gi)) {
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(m[1]) && !/^data:/i.test(m[1])) problems.push(`a remote url(${m[1]})`);
  }
  return problems;
}

test('no shipped script turns strings into markup or code', () => {
  const scripts = shippedFiles('.js');
  assert.ok(scripts.includes(GLUE), `the wasm glue ${GLUE} is not shipped`);
  const found = scripts.flatMap((file) => findSinks(file, shipped(file)).map((f) => `${file}:${f.line}: ${f.sink} — ${f.why}`));
  assert.deepEqual(found, []);
});

test('the trainer demo turns no strings into markup or code either (it renders imported exports)', () => {
  const scripts = shippedFiles('.js', DEMO);
  assert.ok(scripts.includes(GLUE), `the demo's wasm glue ${GLUE} is built`);
  const found = scripts.flatMap((file) => findSinks(file, shipped(file, DEMO)).map((f) => `${file}:${f.line}: ${f.sink} — ${f.why}`));
  assert.deepEqual(found, []);
});

test('the glue exemptions still match the glue (a stale exemption is removed, not kept)', () => {
  const glue = shipped(GLUE);
  for (const [pattern, why] of GLUE_ALLOWED) {
    assert.ok(glue.match(pattern), `GLUE_ALLOWED entry "${why}" no longer matches ${GLUE}: remove it`);
  }
});

test('no shipped page loads remote or inline code or styles', () => {
  const pages = shippedFiles('.html');
  assert.ok(pages.includes('panel.html') && pages.includes('popup.html'), 'panel.html and popup.html are shipped');
  const found = pages.flatMap((file) => pageProblems(shipped(file)).map((p) => `${file}: ${p}`));
  assert.deepEqual(found, []);
});

test('no shipped stylesheet pulls remote styles or fonts', () => {
  const found = shippedFiles('.css').flatMap((file) => styleProblems(shipped(file)).map((p) => `${file}: ${p}`));
  assert.deepEqual(found, []);
});

test('the trainer demo loads nothing remote, so it works offline on a projector', () => {
  const pages = shippedFiles('.html', DEMO);
  assert.ok(pages.includes('index.html'), 'the demo page dist/www/index.html is built');
  const found = [
    ...pages.flatMap((file) => pageProblems(shipped(file, DEMO)).map((p) => `${file}: ${p}`)),
    ...shippedFiles('.css', DEMO).flatMap((file) => styleProblems(shipped(file, DEMO)).map((p) => `${file}: ${p}`)),
  ];
  assert.deepEqual(found, []);
});

// Tokens live in chrome.storage.session, which content scripts cannot read unless an extension
// context widens its access level; content scripts run beside page code and never need tokens.
const SESSION_WIDENING = /\bsetAccessLevel\b/;
const TOKEN_WORDS = /\b(?:access_token|refresh_token|id_token|accessToken|refreshToken|Authorization|Bearer)\b|storage\s*\.\s*session/;

function tokenProblems(file, text) {
  const problems = [];
  if (SESSION_WIDENING.test(text)) problems.push(`${file} calls setAccessLevel: session storage (the tokens) would open to content scripts`);
  if (file.startsWith('content/') && TOKEN_WORDS.test(text)) {
    problems.push(`${file} (a content script) touches tokens or session storage: ${text.match(TOKEN_WORDS)[0]}`);
  }
  return problems;
}

test('tokens stay out of reach of web pages: session storage is never widened and content scripts never touch tokens', () => {
  const scripts = shippedFiles('.js');
  assert.ok(scripts.some((f) => f.startsWith('content/')), 'the content scripts are shipped');
  assert.deepEqual(scripts.flatMap((file) => tokenProblems(file, shipped(file))), []);
  // The rule has teeth.
  assert.equal(tokenProblems('background.js', 'chrome.storage.session.setAccessLevel({accessLevel: "TRUSTED_AND_UNTRUSTED_CONTEXTS"})').length, 1);
  for (const sample of ['chrome.storage.session.get("session")', 'headers.Authorization = x', 'const t = s.refresh_token;']) {
    assert.equal(tokenProblems('content/portal.js', sample).length, 1, `missed in a content script: ${sample}`);
  }
  assert.deepEqual(tokenProblems('background.js', 'chrome.storage.session.get("session")'), []);
});

test('the scanners catch each sink and each remote or inline form', () => {
  const samples = [
    'el.innerHTML = html;', 'el.outerHTML = x;', "el.insertAdjacentHTML('beforeend', x);", 'document.write(x);',
    'document .writeln(x)', 'range.createContextualFragment(x)', "new DOMParser().parseFromString(x, 'text/html')",
    'frame.srcdoc = x;', 'eval(code)', 'new Function(code)', "Function('return this')()", "setTimeout('go()', 10)",
    'setInterval(`tick()`, 5)', "a.href = 'javascript:void 0'",
  ];
  for (const sample of samples) {
    assert.equal(findSinks('panel.js', sample).length, 1, `the scan misses: ${sample}`);
    assert.equal(findSinks(GLUE, sample).length, 1, `the glue exemptions hide: ${sample}`);
  }
  // The exemption applies to the glue only, and only to the exact construct.
  const debugString = "? `Function(${val.name})`";
  assert.equal(findSinks(GLUE, debugString).length, 0);
  assert.equal(findSinks('panel.js', debugString).length, 1);
  assert.equal(findSinks('panel.js', 'setTimeout(() => go(), 10); textContent = x; const f = function () {};').length, 0);

  for (const html of [
    '<script src="https://cdn.example/x.js"></script>', '<script src="//cdn.example/x.js"></script>',
    '<script>alert(1)</script>', '<link rel="stylesheet" href="https://fonts.example/a.css">',
    '<button onclick="go()">x</button>', '<style>@import "https://x.example/a.css";</style>', '<base href="/">',
    '<img src="http://tracker.example/p.gif">', '<script src="data:text/javascript,alert(1)"></script>',
  ]) {
    assert.ok(pageProblems(html).length > 0, `the page scan misses: ${html}`);
  }
  assert.deepEqual(pageProblems('<link rel="stylesheet" href="styles/panel.css"><link rel="icon" href="data:,">' +
    '<script type="module" src="panel.js"></script>'), []);
  assert.ok(styleProblems("body { background: url('https://x.example/bg.png') }").length > 0);
  assert.deepEqual(styleProblems("i { background: url(data:image/svg+xml;base64,AAAA) } b { background: url(icons/a.png) }"), []);
});
