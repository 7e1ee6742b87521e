/// <reference types="node" />

/**
 * The contract drift check: `src/api/types.ts` and `src/api/constants.ts`
 * must be exactly what `jlpm gen:types` generates from `api/openapi.yaml`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { CRDS_CONTEXT_PATTERN } from '../api/constants';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'gen-types.mjs');
const SPEC = path.join(ROOT, 'api', 'openapi.yaml');
const GENERATED = ['types.ts', 'constants.ts'];

/** Run the generator; its output (stdout and stderr) when it fails. */
function runGenerator(args: string[]): { ok: boolean; output: string } {
  try {
    execFileSync(process.execPath, [SCRIPT, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe'
    });
    return { ok: true, output: '' };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return {
      ok: false,
      output: `${failed.stdout ?? ''}${failed.stderr ?? String(error)}`
    };
  }
}

/** The first line where two texts differ, to say where the drift is. */
function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`;
    }
  }
  return '(no line differs)';
}

/** Every value of `key` anywhere in a parsed document. */
function valuesOf(
  node: unknown,
  key: string,
  found: unknown[] = []
): unknown[] {
  if (Array.isArray(node)) {
    node.forEach(item => valuesOf(item, key, found));
  } else if (typeof node === 'object' && node !== null) {
    for (const [name, value] of Object.entries(node)) {
      if (name === key) {
        found.push(value);
      }
      valuesOf(value, key, found);
    }
  }
  return found;
}

describe('the generated contract', () => {
  const spec = parseYaml(fs.readFileSync(SPEC, 'utf8'));
  let outDir = '';
  let generation: { ok: boolean; output: string } = { ok: false, output: '' };

  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jwst-lab-gen-types-'));
    generation = runGenerator(['--out-dir', outDir]);
  }, 60000);

  afterAll(() => {
    if (outDir) {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('generates from api/openapi.yaml', () => {
    if (!generation.ok) {
      throw new Error(`jlpm gen:types fails:\n${generation.output}`);
    }
  });

  it.each(GENERATED)('src/api/%s is what api/openapi.yaml generates', name => {
    expect(generation.ok).toBe(true);
    // Compared line by line: a checkout with CRLF line ends is no drift.
    const fresh = fs
      .readFileSync(path.join(outDir, name), 'utf8')
      .replace(/\r\n/g, '\n');
    const committed = fs
      .readFileSync(path.join(ROOT, 'src', 'api', name), 'utf8')
      .replace(/\r\n/g, '\n');
    if (fresh !== committed) {
      throw new Error(
        `src/api/${name} is not what api/openapi.yaml generates: run jlpm gen:types ` +
          `(then fix what no longer compiles, and commit both).\nFirst difference at ` +
          firstDifference(committed, fresh)
      );
    }
  });

  it('holds every schema and every path of the spec (the check is not vacuous)', () => {
    const types = fs.readFileSync(
      path.join(ROOT, 'src', 'api', 'types.ts'),
      'utf8'
    );
    const schemas = Object.keys(spec.components.schemas);
    const paths = Object.keys(spec.paths);
    expect(schemas.length).toBeGreaterThanOrEqual(30);
    expect(paths.length).toBeGreaterThanOrEqual(20);
    expect(types).toMatch(/^export interface components \{$/m);
    expect(types).toMatch(/^export interface paths \{$/m);
    expect(types).toMatch(/^export interface operations \{$/m);
    for (const name of schemas) {
      expect(types).toMatch(new RegExp(`^ {4}${name}: `, 'm'));
    }
    for (const route of paths) {
      expect(types).toContain(`  '${route}': {`);
    }
    expect(types).toContain('GENERATED FILE, DO NOT EDIT');
  });

  it('takes the CRDS context pattern from the spec', () => {
    const patterns = valuesOf(spec, 'pattern');
    expect(patterns).toContain(CRDS_CONTEXT_PATTERN.source);
    expect(CRDS_CONTEXT_PATTERN.test('jwst_1234.pmap')).toBe(true);
    for (const name of [
      'operational',
      'jwst_1234.imap',
      '../jwst_1234.pmap',
      'jwst_1234.pmap/x'
    ]) {
      expect(CRDS_CONTEXT_PATTERN.test(name)).toBe(false);
    }
  });

  it('fails, saying why, when the spec gives crds_context no pattern', () => {
    const context = CRDS_CONTEXT_PATTERN.source;
    const strip = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(strip);
      } else if (typeof node === 'object' && node !== null) {
        const object = node as Record<string, unknown>;
        if (object.pattern === context) {
          delete object.pattern;
        }
        Object.values(object).forEach(strip);
      }
    };
    const stripped = parseYaml(fs.readFileSync(SPEC, 'utf8'));
    strip(stripped);
    const file = path.join(outDir, 'no-pattern.yaml');
    fs.writeFileSync(file, stringifyYaml(stripped));
    const result = runGenerator([
      '--spec',
      file,
      '--out-dir',
      path.join(outDir, 'no-pattern')
    ]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('gen:types failed');
    expect(result.output).toMatch(/no schema gives crds_context a `pattern`/);
    expect(fs.existsSync(path.join(outDir, 'no-pattern'))).toBe(false);
  });
});
