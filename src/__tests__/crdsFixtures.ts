import type { ICrdsBestref, ICrdsBestrefs, ICrdsStatus } from '../api/models';
import type { Feature, ICrdsApi } from '../tokens';
import { FakeClient, makeClient } from './fixtures';

/** `GET /crds/status` of a usable serverless cache, with `overrides`. */
export function crdsStatus(overrides: Partial<ICrdsStatus> = {}): ICrdsStatus {
  return {
    mode: 'serverless',
    cache: {
      path: '/data/crds_cache',
      usable: true,
      readonly: false,
      mappings: 2488,
      references: 0
    },
    server: { url: null, configured: false, reachable: null, error: null },
    context: 'jwst_0541.pmap',
    context_reason: 'operational',
    context_source: 'operational',
    operational_context: 'jwst_0541.pmap',
    ok: true,
    usable: true,
    problems: [],
    fix: null,
    ...overrides
  };
}

/** One reference type of a best-references answer: a dark found, not cached. */
export function makeBestref(
  overrides: Partial<ICrdsBestref> = {}
): ICrdsBestref {
  return {
    reftype: 'dark',
    description: 'Dark Frame',
    reference: 'jwst_nircam_dark_0031.fits',
    status: 'found',
    reason: null,
    cached: false,
    size: null,
    ...overrides
  };
}

/** `POST /crds/bestrefs` of a NIRCam exposure whose one reference is missing. */
export function makeBestrefs(
  path: string,
  overrides: Partial<ICrdsBestrefs> = {}
): ICrdsBestrefs {
  return {
    context: 'jwst_0541.pmap',
    context_reason: 'operational',
    instrument: 'nircam',
    mode: 'local',
    found: 1,
    cached: 0,
    missing: 1,
    bytes_to_fetch: null,
    source: { path },
    cache_path: '/data/crds_cache',
    readonly: false,
    types: [makeBestref()],
    ...overrides
  };
}

/** A client whose server provides `features` and answers the CRDS calls of `api`. */
export function crdsClient(
  api: Partial<ICrdsApi>,
  features: Feature[] = ['info', 'events', 'crds']
): FakeClient {
  const client = makeClient({ features });
  client.crdsApi = api;
  return client;
}
