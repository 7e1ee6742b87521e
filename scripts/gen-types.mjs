#!/usr/bin/env node
/**
 * Generate the front end's half of the REST contract from `api/openapi.yaml`
 * (run it as `jlpm gen:types`; commit what it writes):
 *
 *   src/api/types.ts      the spec's types, by openapi-typescript
 *                         (`paths`, `components`, `operations`)
 *   src/api/constants.ts  what types cannot carry: the CRDS context pattern
 *                         (`JobCreate.crds_context`'s `pattern`)
 *
 * The output depends on the spec and the generator's version only (no
 * timestamps, no absolute paths) and is formatted with the project's prettier
 * settings, so `jlpm lint:check` accepts it as written. `--out-dir DIR` writes
 * both files into DIR instead (the drift test compares them with src/api/);
 * `--spec FILE` reads another spec (tests).
 * Exits non-zero, saying why, when the spec cannot be read or lacks what the
 * constants need.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SPEC = path.join(ROOT, 'api', 'openapi.yaml');
const SPEC_NAME = 'api/openapi.yaml';
const DEFAULT_OUT_DIR = path.join(ROOT, 'src', 'api');

/** The schema property the CRDS context pattern comes from, then where else to look. */
const CONTEXT_SCHEMA = 'JobCreate';
const CONTEXT_PROPERTY = 'crds_context';

class GenerationError extends Error {}

const HEADER = `/**
 * GENERATED FILE, DO NOT EDIT: \`jlpm gen:types\` (scripts/gen-types.mjs)
 * writes it from ${SPEC_NAME}; a test fails when it differs from what the
 * spec generates. Change the spec (and the server's models), then run
 * \`jlpm gen:types\`. Friendly names for these types: src/api/models.ts.
 */
`;

/** How messages name the spec being read. */
let label = SPEC_NAME;

/** The spec as a parsed document. */
async function readSpec(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GenerationError(`cannot read ${file}: ${error.message}`);
  }
  let spec;
  try {
    spec = parseYaml(text);
  } catch (error) {
    throw new GenerationError(`${label} is not valid YAML: ${error.message}`);
  }
  if (typeof spec !== 'object' || spec === null || !spec.openapi) {
    throw new GenerationError(`${label} is not an OpenAPI document`);
  }
  return spec;
}

/** `#/components/schemas/Name` (or any local pointer) resolved in `spec`. */
function resolveRef(spec, ref) {
  if (!ref.startsWith('#/')) {
    throw new GenerationError(`only local $refs are supported, not ${ref}`);
  }
  let node = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node?.[key];
  }
  if (node === undefined) {
    throw new GenerationError(`${label}: ${ref} does not exist`);
  }
  return node;
}

/**
 * The `pattern` a string schema carries: its own, or that of the one member
 * of an `anyOf`/`oneOf`/`allOf` that has one (`string | null` written either
 * way), following local `$ref`s; with the `$ref` it was found through, if any.
 */
function patternOf(spec, schema, via = null, seen = new Set()) {
  if (typeof schema !== 'object' || schema === null) {
    return null;
  }
  if (typeof schema.$ref === 'string') {
    if (seen.has(schema.$ref)) {
      return null;
    }
    seen.add(schema.$ref);
    return patternOf(spec, resolveRef(spec, schema.$ref), schema.$ref, seen);
  }
  if (typeof schema.pattern === 'string') {
    return { pattern: schema.pattern, via };
  }
  const found = [];
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const member of schema[key] ?? []) {
      const result = patternOf(spec, member, via, seen);
      if (result !== null) {
        found.push(result);
      }
    }
  }
  const distinct = new Set(found.map(result => result.pattern));
  if (distinct.size > 1) {
    throw new GenerationError(
      `${label}: the members of one schema carry different patterns (${[...distinct].join(', ')})`
    );
  }
  return found[0] ?? null;
}

/** Where a pattern was found, for messages and the generated comment. */
function describe(where, result) {
  return result.via ? `${where} (through ${result.via})` : where;
}

/**
 * The CRDS context pattern: `JobCreate.crds_context`'s; when that has none,
 * the one pattern every other schema's `crds_context` property agrees on.
 */
function crdsContextPattern(spec) {
  const schemas = spec.components?.schemas ?? {};
  const preferred = schemas[CONTEXT_SCHEMA]?.properties?.[CONTEXT_PROPERTY];
  const own = patternOf(spec, preferred);
  if (own !== null) {
    return {
      pattern: own.pattern,
      source: describe(`${CONTEXT_SCHEMA}.${CONTEXT_PROPERTY}`, own)
    };
  }
  const others = new Map();
  for (const [name, schema] of Object.entries(schemas).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0
  )) {
    const result = patternOf(spec, schema?.properties?.[CONTEXT_PROPERTY]);
    if (result !== null) {
      others.set(
        describe(`${name}.${CONTEXT_PROPERTY}`, result),
        result.pattern
      );
    }
  }
  const distinct = new Set(others.values());
  if (distinct.size === 0) {
    throw new GenerationError(
      `${label}: no schema gives ${CONTEXT_PROPERTY} a \`pattern\` ` +
        `(expected on components.schemas.${CONTEXT_SCHEMA}.properties.${CONTEXT_PROPERTY}); ` +
        'the front end takes the CRDS context pattern from the spec, so the spec must carry it'
    );
  }
  if (distinct.size > 1) {
    const list = [...others].map(([where, p]) => `${where}: ${p}`).join('; ');
    throw new GenerationError(
      `${label}: schemas disagree on the ${CONTEXT_PROPERTY} pattern (${list})`
    );
  }
  const [[source, pattern]] = others;
  return { pattern, source };
}

/** The pattern compiled as JavaScript would (JSON Schema patterns are ECMA-262). */
function checkPattern(pattern, source) {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new GenerationError(
      `${label}: the pattern of ${source} is not a valid ECMA-262 regular expression: ${error.message}`
    );
  }
}

async function format(text, file) {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

/** Both generated files' text, formatted. */
export async function generate(specFile = SPEC) {
  const relative = path.relative(ROOT, specFile);
  label = relative && !relative.startsWith('..') ? relative : specFile;
  const spec = await readSpec(specFile);
  const ast = await openapiTS(spec, {
    // JSON Schema semantics: a property with a default is optional unless the
    // schema lists it as required (JobCreate's `kind` may be left out).
    defaultNonNullable: false,
    // `type: object` without properties is any object, not `Record<string, never>`.
    emptyObjectsUnknown: true,
    silent: true
  });
  const body = astToString(ast).replace(
    /^\/\*\*\n \* This file was auto-generated by openapi-typescript\.\n \* Do not make direct changes to the file\.\n \*\/\n/,
    ''
  );
  const types = await format(
    HEADER + '\n' + body,
    path.join(DEFAULT_OUT_DIR, 'types.ts')
  );

  const { pattern, source } = crdsContextPattern(spec);
  checkPattern(pattern, source);
  const constants = await format(
    `${HEADER}
/**
 * A CRDS context name the server accepts: the \`pattern\` ${SPEC_NAME} gives
 * ${source},
 * an ECMA-262 regular expression (as JSON Schema's are).
 */
export const CRDS_CONTEXT_PATTERN = new RegExp(${JSON.stringify(pattern)}, 'u');
`,
    path.join(DEFAULT_OUT_DIR, 'constants.ts')
  );
  return { 'types.ts': types, 'constants.ts': constants };
}

async function main(argv) {
  let outDir = DEFAULT_OUT_DIR;
  let specFile = SPEC;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out-dir' && i + 1 < argv.length) {
      outDir = path.resolve(argv[++i]);
    } else if (argv[i] === '--spec' && i + 1 < argv.length) {
      specFile = path.resolve(argv[++i]);
    } else {
      throw new GenerationError(
        `unknown argument ${argv[i]}; usage: gen-types.mjs [--out-dir DIR] [--spec FILE]`
      );
    }
  }
  const files = await generate(specFile);
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const target = path.join(outDir, name);
    await writeFile(target, text, 'utf8');
    console.log(
      `gen:types: wrote ${path.relative(process.cwd(), target) || target}`
    );
  }
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  main(process.argv.slice(2)).catch(error => {
    const message =
      error instanceof GenerationError
        ? error.message
        : (error?.stack ?? String(error));
    console.error(`gen:types failed: ${message}`);
    process.exit(1);
  });
}
