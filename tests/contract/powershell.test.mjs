// The Microsoft Graph PowerShell export parses with a PowerShell grammar (tree-sitter)
// without errors, uses only verbatim (single-quoted) strings and the expected variables,
// and its hashtable reads back to exactly the body Registration Guard would POST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser } from 'web-tree-sitter';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

const contract = JSON.parse(
  execFileSync('cargo', ['run', '--quiet', '--example', 'contract_bodies'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }),
);

await Parser.init();
const powershell = await Language.load(
  join(dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm'),
);
const parser = new Parser();
parser.setLanguage(powershell);

// PowerShell takes U+2018–U+201B as single quotes too; inside a verbatim string any of
// them written twice stands for one.
const SINGLE_QUOTES = "'\u2018\u2019\u201A\u201B";
function verbatim(text) {
  assert.ok(SINGLE_QUOTES.includes(text[0]) && SINGLE_QUOTES.includes(text.at(-1)), `not a verbatim string: ${text}`);
  const inner = [...text.slice(1, -1)];
  let out = '';
  for (let i = 0; i < inner.length; i += 1) {
    out += inner[i];
    if (SINGLE_QUOTES.includes(inner[i])) {
      assert.ok(SINGLE_QUOTES.includes(inner[i + 1]), `lone quote inside ${text}`);
      i += 1;
    }
  }
  return out;
}

/** The value a PowerShell expression node stands for (the subset the export writes). */
function valueOf(node) {
  switch (node.type) {
    case 'string_literal':
      assert.equal(node.namedChildren[0]?.type ?? 'verbatim_string_characters', 'verbatim_string_characters',
        `an expandable string: ${node.text}`);
      return verbatim(node.text);
    case 'variable':
      assert.ok(['$true', '$false', '$null'].includes(node.text), `a variable would be expanded: ${node.text}`);
      return { $true: true, $false: false, $null: null }[node.text];
    case 'integer_literal':
    case 'real_literal':
      return Number(node.text);
    case 'hash_literal_expression': {
      const body = node.namedChildren.find((c) => c.type === 'hash_literal_body');
      const object = {};
      for (const entry of body ? body.namedChildren.filter((c) => c.type === 'hash_entry') : []) {
        const [key, value] = entry.namedChildren;
        const keyNode = key.namedChildren[0];
        object[keyNode.type === 'simple_name' ? keyNode.text : valueOf(keyNode)] = valueOf(value);
      }
      return object;
    }
    case 'array_expression': {
      const list = node.namedChildren.find((c) => c.type === 'statement_list');
      return list ? list.namedChildren.map(valueOf) : [];
    }
    default:
      // Precedence wrappers (pipeline, unary_expression, …) have one meaningful child.
      assert.equal(node.namedChildren.length, 1, `unexpected ${node.type}: ${node.text.slice(0, 80)}`);
      return valueOf(node.namedChildren[0]);
  }
}

function* walk(node) {
  yield node;
  for (const child of node.namedChildren) yield* walk(child);
}

test('every PowerShell export parses and its hashtable is exactly the Graph body', () => {
  assert.equal(contract.powershell.length, 9);
  for (const { name, body, script } of contract.powershell) {
    const tree = parser.parse(script);
    assert.equal(tree.rootNode.hasError, false, `${name}: PowerShell syntax error`);
    const nodes = [...walk(tree.rootNode)];
    assert.ok(!nodes.some((n) => /^expandable_|^sub_expression$/.test(n.type)), `${name}: something would be expanded`);
    const assignment = nodes.find((n) => n.type === 'assignment_expression');
    assert.equal(assignment.namedChildren[0].text, '$params', name);
    const value = assignment.namedChildren.at(-1);
    assert.deepEqual(valueOf(value), body, name);
    const commands = nodes.filter((n) => n.type === 'command_name').map((n) => n.text);
    assert.deepEqual(commands, ['Connect-MgGraph', 'New-MgIdentityConditionalAccessPolicy'], name);
  }
});

test('a broken literal is caught by the grammar check', () => {
  const { script } = contract.powershell[0];
  const broken = script.replace("It''s", "It's");
  assert.equal(parser.parse(broken).rootNode.hasError, true, 'an undoubled quote must not parse cleanly');
});
