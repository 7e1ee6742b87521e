/**
 * GENERATED FILE, DO NOT EDIT: `jlpm gen:types` (scripts/gen-types.mjs)
 * writes it from api/openapi.yaml; a test fails when it differs from what the
 * spec generates. Change the spec (and the server's models), then run
 * `jlpm gen:types`. Friendly names for these types: src/api/models.ts.
 */

/**
 * A CRDS context name the server accepts: the `pattern` api/openapi.yaml gives
 * JobCreate.crds_context (through #/components/schemas/CrdsContextName),
 * an ECMA-262 regular expression (as JSON Schema's are).
 */
export const CRDS_CONTEXT_PATTERN = new RegExp(
  '^jwst(_[a-z0-9]+)*\\.pmap$',
  'u'
);
