/**
 * Shapes of the CRDS browser's JSON (`/crds/*`); `api/openapi.yaml` is the reference.
 */

import type { IJobRecord } from './types';

/** `GET /crds/status`. */
export interface ICrdsStatus {
  mode: 'serverless' | 'auto' | 'local' | 'remote';
  cache: {
    path: string | null;
    usable: boolean;
    readonly: boolean;
    mappings: number;
    references: number;
  };
  server: {
    url: string | null;
    configured: boolean;
    reachable: boolean | null;
    error: string | null;
  };
  context: string | null;
  context_reason: 'pinned' | 'operational' | 'latest cached' | 'none';
  context_source: string;
  operational_context: string | null;
  ok: boolean;
  usable: boolean;
  problems: string[];
  /** What to set to fix the first problem, or null when all is well. */
  fix: string | null;
}

/** One context of `GET /crds/contexts`. */
export interface ICrdsContext {
  context: string;
  date: string | null;
  description: string | null;
  status: 'operational' | 'archived' | 'not cached' | 'cached only';
  cached: boolean;
  in_history: boolean;
  effective: boolean;
}

/** `GET /crds/contexts`. */
export interface ICrdsContextList {
  source: 'server' | 'cache';
  operational_context: string | null;
  effective_context: string | null;
  history_count: number;
  contexts: ICrdsContext[];
}

/** One reference type of an instrument in a context tree. */
export interface ICrdsTreeType {
  reftype: string;
  description: string;
  /** The rmap, or null when the type is `N/A` / `OMIT` for this instrument. */
  rmap: string | null;
  status: string;
  rules: number;
  references: number;
}

/** `GET /crds/contexts/{context}`. */
export interface ICrdsTree {
  context: string;
  header: ICrdsMappingHeader;
  counts: { imaps: number; rmaps: number; references: number };
  instruments: { instrument: string; imap: string; types: ICrdsTreeType[] }[];
}

/** A mapping's header as the server parsed it. */
export interface ICrdsMappingHeader {
  name: string;
  mapping: string | null;
  instrument: string | null;
  filekind: string | null;
  parkeys: string[][];
  classes: string[];
  derived_from: string | null;
  description: string | null;
  comment: string | null;
  sha1sum: string | null;
  extra: Record<string, string>;
}

/** `GET /crds/mappings/{mapping}`. */
export interface ICrdsMapping {
  name: string;
  kind: 'pipeline' | 'instrument' | 'reference';
  header: ICrdsMappingHeader;
  columns: string[];
  rows: string[][];
  text_descr?: string | null;
}

/** `POST /crds/bestrefs` body. */
export interface ICrdsBestrefsRequest {
  path?: string;
  header?: Record<string, string | number | boolean | null>;
  context?: string;
}

/** `POST /crds/fetch` body: a FITS/ASDF file or an association under the root. */
export interface ICrdsFetchRequest {
  path: string;
  context?: string;
}

/** One reference type of a best-references answer. */
export interface ICrdsBestref {
  reftype: string;
  description: string;
  reference: string | null;
  status: 'found' | 'n/a' | 'no_match' | 'missing_parkey' | 'error';
  reason: string | null;
  cached: boolean | null;
  size: number | null;
}

/** `POST /crds/bestrefs` answer. */
export interface ICrdsBestrefs {
  context: string;
  context_reason: string;
  instrument: string;
  mode: string;
  found: number;
  cached: number;
  missing: number;
  /** Bytes still to download; null when unknown (offline). */
  bytes_to_fetch: number | null;
  readonly?: boolean;
  types: ICrdsBestref[];
}

/** `GET /crds/diff?old=&new=`. */
export interface ICrdsDiff {
  old: string;
  new: string;
  added_references: string[];
  deleted_references: string[];
  replaced_references: {
    old: string;
    new: string;
    rmap: string | null;
    selector: string[];
  }[];
  added_mappings: string[];
  deleted_mappings: string[];
  replaced_mappings: { old: string; new: string }[];
  affected: { instrument: string; types: string[] }[];
  changes: {
    mappings: string[];
    rmap: string | null;
    selector: string[];
    change: string;
  }[];
}

/** The CRDS methods of the API client. */
export interface ICrdsApi {
  /** `GET /crds/status`. */
  getCrdsStatus(): Promise<ICrdsStatus>;
  /** `GET /crds/contexts`. */
  listCrdsContexts(): Promise<ICrdsContextList>;
  /** `GET /crds/contexts/{context}`. */
  getCrdsTree(context: string): Promise<ICrdsTree>;
  /** `GET /crds/mappings/{mapping}`. */
  getCrdsMapping(mapping: string): Promise<ICrdsMapping>;
  /** `POST /crds/bestrefs`. */
  getCrdsBestrefs(request: ICrdsBestrefsRequest): Promise<ICrdsBestrefs>;
  /** `GET /crds/diff?old=&new=`. */
  getCrdsDiff(oldContext: string, newContext: string): Promise<ICrdsDiff>;
  /** `POST /crds/fetch`: a `crds_fetch` job syncing the references into the cache. */
  fetchCrdsReferences(request: ICrdsFetchRequest): Promise<IJobRecord>;
}
