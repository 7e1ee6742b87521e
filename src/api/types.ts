/**
 * Shapes of the JSON the jwst-lab server sends; `api/openapi.yaml` is the
 * reference. Field names keep the server's snake_case.
 */

/** How CRDS finds reference files: `serverless` means no CRDS server, cache only. */
export type CrdsMode = 'serverless' | 'auto' | 'local' | 'remote';

/** Where the CRDS context comes from. */
export type CrdsContextSource = 'configured' | 'environment' | 'operational';

/** CRDS configuration as the server resolved it. */
export interface ICrdsInfo {
  mode: CrdsMode;
  /** The CRDS cache folder, or null when none is configured. */
  path: string | null;
  server_url: string | null;
  /** The pinned context (e.g. `jwst_0541.pmap`), or null for the operational one. */
  context: string | null;
  context_source: CrdsContextSource;
}

/** The job database: usable, rebuilt at start-up, or unusable (job routes answer 503). */
export type JobStoreState = 'ok' | 'repaired' | 'unusable';

/** `GET /info` `job_store`: the state of the server's job database. */
export interface IJobStoreInfo {
  /** The database file (or the `db_url` that names none). */
  path: string;
  state: JobStoreState;
  /** What happened and what to do, for people; null when the state is `ok`. */
  message: string | null;
  /** Where a damaged file was moved (it is never deleted nor overwritten). */
  moved_to: string | null;
  /** Jobs put back into a new database, from the damaged file and the jobs' journals. */
  restored: number;
  /** Job records that could not be read (set aside, not listed). */
  skipped: number;
}

/** `GET /info`: what the server is and how it is configured. */
export interface IServerInfo {
  /** The jwst-lab server version. */
  version: string;
  /** Versions by distribution name; null when the package is not installed. */
  versions: Record<string, string | null>;
  archive_backend: 'auto' | 'mast' | 'local';
  executor: 'local' | 'dask';
  max_concurrent_jobs: number;
  crds: ICrdsInfo;
  /** Route groups this server implements, e.g. `info`, `events`. */
  features: string[];
  /** The job database's state; absent from older servers, null without a job store. */
  job_store?: IJobStoreInfo | null;
}

/** The body of every 4xx/5xx answer. */
export interface IErrorBody {
  message: string;
  reason: string | null;
}

/** The outcome of comparing the front end's version with the server's. */
export interface IVersionCheck {
  /** True when both versions are equal. */
  compatible: boolean;
  frontend: string;
  server: string;
  info: IServerInfo;
}

/** First message on the events websocket. */
export interface IHelloMessage {
  type: 'hello';
  version: string;
}

/** An event the server published: job state changes, progress, log lines. */
export interface IServerEvent {
  type: string;
  /** Increases by one per event the server published. */
  seq: number;
  /** Unix time in seconds. */
  time: number;
  [key: string]: unknown;
}

/** Sent in place of events a slow client missed: reload state over REST. */
export interface IEventsDroppedMessage {
  type: 'events.dropped';
  count: number;
}

/** What the `events` signal of the events stream carries. */
export type EventsStreamMessage = IServerEvent | IEventsDroppedMessage;

/** Whether a job runs a pipeline, downloads data or fetches CRDS references. */
export type JobKind = 'pipeline' | 'download' | 'crds_fetch';

/** The life cycle of a job; the last four are final. */
export type JobStatus =
  'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** How far a job got. */
export interface IJobProgress {
  /** Steps the pipeline will run, or null while unknown. */
  steps_total: number | null;
  steps_done: number;
  current_step: string | null;
  skipped_steps: string[];
  /** Download jobs: bytes and files transferred so far and in all (null while unknown). */
  bytes_done?: number;
  bytes_total?: number | null;
  files_done?: number;
  files_total?: number | null;
  files_failed?: number | null;
  /** Download jobs: a file being fetched now. */
  current_file?: string | null;
}

/** What a download job fetches (the `download` member of its record). */
export interface IDownloadInfo {
  source: MastSource;
  /** Destination folder relative to the server root. */
  dest: string;
  files_total: number;
  bytes_total: number;
  products: string[];
  obsids: string[];
  product_filters: Record<string, unknown>;
  /** The manifest of fetched files, relative to the server root. */
  manifest: string;
  /** How many server restarts the download resumed after. */
  resumes: number;
}

/** One job as the server stores it; unknown extra fields are kept as they come. */
export interface IJobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** ISO timestamps, or null when the moment did not come yet. */
  created: string | null;
  started: string | null;
  finished: string | null;
  updated: string | null;
  /** The input file, relative to the server's root directory. */
  input: string | null;
  /** The pipeline (e.g. `calwebb_image3`), or null for downloads. */
  pipeline: string | null;
  steps?: unknown;
  params?: unknown;
  crds_context_requested?: string | null;
  crds_context_used?: string | null;
  crds_context?: string | null;
  output_dir?: string | null;
  argv?: string[];
  commands?: { strun: string; python: string };
  rerun_of?: string | null;
  versions?: Record<string, string | null>;
  progress: IJobProgress;
  outputs: string[];
  /** Files a job that did not succeed left in its output folder (maybe incomplete). */
  partial_outputs?: string[];
  /** What the output listing left out and why (symbolic links, unreadable folders). */
  warnings?: string[];
  exit_code: number | null;
  error: string | null;
  executor?: string;
  [key: string]: unknown;
}

/** `GET /jobs`: one page of jobs, newest first. */
export interface IJobList {
  jobs: IJobRecord[];
  total: number;
  page: number;
  page_size: number;
}

/** What `listJobs` asks for. */
export interface IListJobsOptions {
  /** Only jobs in these states; all jobs when empty or absent. */
  status?: JobStatus | JobStatus[];
  /** 1-based page number (server default 1). */
  page?: number;
  /** Jobs per page (server default 100). */
  pageSize?: number;
}

/** Which archive answers a MAST request: MAST itself or the server's local archive. */
export type MastSource = 'mast' | 'local';

/** One cell of a MAST row: masked values and NaN arrive as null. */
export type MastValue = string | number | boolean | null;

/** One row of a MAST table, keyed by MAST's column names (`obs_id`, `s_ra`, ...). */
export type MastRow = Record<string, MastValue>;

/** A column of a MAST table: its name, and its type when the server says it. */
export interface IMastColumn {
  name: string;
  type?: string | null;
  [key: string]: unknown;
}

/** `GET /mast/observations` query: a target or coordinates, and criteria. */
export interface IMastSearchParams {
  /** A target name for the name resolver. */
  target?: string;
  /** ICRS coordinates in degrees (both or neither). */
  ra?: number;
  dec?: number;
  /** Cone radius in degrees. */
  radius?: number;
  instrument?: string;
  filters?: string;
  proposal_id?: string;
  calib_level?: number;
  data_rights?: string;
  /** ISO dates. */
  t_min?: string;
  t_max?: string;
  source?: MastSource;
  /** 1-based page number. */
  page?: number;
  page_size?: number;
  /** A column name, `-` in front for descending. */
  sort?: string;
}

/** `GET /mast/observations`: one page of observations. */
export interface IMastSearchResult {
  rows: MastRow[];
  total: number;
  page: number;
  page_size: number;
  /** Column names, or column descriptions with their types. */
  columns: (string | IMastColumn)[];
  /** The equivalent astroquery code. */
  python?: string;
  /** Which archive answered. */
  source?: MastSource;
  /** Something the user should know about the answer (e.g. MAST was down, the local archive answered). */
  notice?: string | null;
  [key: string]: unknown;
}

/** `GET /mast/observations/{obsid}/products` query. */
export interface IMastProductParams {
  product_type?: string;
  calib_level?: number;
  subgroup?: string;
  /** Only MAST's "Minimum Recommended Products". */
  mrp_only?: boolean;
  source?: MastSource;
}

/** `GET /mast/observations/{obsid}/products`: the products of an observation. */
export interface IMastProductsResult {
  rows: MastRow[];
  total: number;
  columns: (string | IMastColumn)[];
  python?: string;
  source?: MastSource;
  notice?: string | null;
  [key: string]: unknown;
}

/** `GET /mast/token`: whether a MAST token is set; the token itself is never sent back. */
export interface IMastTokenState {
  set: boolean;
  /** When the token expires (ISO), or null when unknown. */
  expires?: string | null;
  /** Where the server keeps it. */
  storage?: 'memory' | 'keyring';
  /** Download jobs only. */
  download?: IDownloadInfo | null;
  [key: string]: unknown;
}

/** `POST /downloads`: products (by dataURI) to fetch into a folder under the server root. */
export interface IDownloadRequest {
  source?: MastSource;
  /** dataURIs; or give `obsids` (and optionally `product_filters`) instead. */
  products?: string[];
  obsids?: string[];
  /** With `obsids`: column → value or values, as astroquery's `filter_products`. */
  product_filters?: Record<string, unknown>;
  /** Folder relative to the server root; the server's `download_dir` when absent. */
  dest?: string;
}

/** How far a download job got. */
export interface IDownloadProgress {
  bytes_done: number;
  bytes_total: number | null;
  files_done: number;
  files_total: number | null;
}

/** One parameter of a pipeline or step, from stpipe's configobj spec. */
export interface IParamSpec {
  /** configobj type: `float`, `integer`, `boolean`, `string`, `option`, `float_list`, ... */
  type: string;
  default: unknown;
  /** The default as written in the spec (`None` for none). */
  default_repr?: unknown;
  /** Bounds of a number; bounds of the length of a list type. */
  min?: number | null;
  max?: number | null;
  /** Allowed values of an `option`. */
  choices?: unknown[] | null;
  help?: string;
  /** The raw spec line, e.g. `float(min=0.0, max=1.0, default=1.0)`. */
  check?: string;
  /** A parameter every stpipe step has (skip, save_results, ...). */
  common?: boolean;
  /** Set by jwst-lab itself (output_dir, ...) or never settable (hooks): a job may not set it. */
  managed?: boolean;
  /** A file the step reads or writes: a path relative to the server root, kept inside it. */
  path?: 'read' | 'write' | null;
}

/** `GET /pipelines`: one pipeline or step. */
export interface IPipelineSummary {
  alias: string;
  class_name: string;
  is_pipeline: boolean;
  /** 1, 2 or 3 for calwebb pipelines; null for single steps. */
  level: number | null;
  /** Association types it runs, e.g. `image3`. */
  asn_types: string[];
  /** Exposure file suffixes it runs, e.g. `_rate.fits`. */
  suffixes: string[];
  steps: string[];
  doc?: string;
}

/** `GET /pipelines`. */
export interface IPipelineList {
  pipelines: IPipelineSummary[];
  versions: Record<string, string>;
}

/** One step of a pipeline spec with its parameters. */
export interface IStepSpec {
  alias: string;
  class_name: string;
  doc?: string;
  params: Record<string, IParamSpec>;
}

/** `GET /pipelines/{alias}/spec`. */
export interface IPipelineSpec extends IPipelineSummary {
  params: Record<string, IParamSpec>;
  step_specs: IStepSpec[];
}

/** One member of an association product. */
export interface IAssociationMember {
  expname: string;
  exptype: string;
  exists: boolean;
}

/** `GET /associations?path=`: an association read and validated. */
export interface IAssociation {
  path: string;
  asn_type: string | null;
  asn_rule?: string | null;
  asn_id?: string | null;
  asn_pool?: string | null;
  program?: string | null;
  target?: string | null;
  level: number;
  /** The calwebb pipelines that run this association type. */
  pipelines: string[];
  products: { name: string | null; members: IAssociationMember[] }[];
  members_total: number;
  members_missing: string[];
}

/** `POST /jobs`: run a pipeline on one input. */
export interface IJobCreate {
  kind?: 'pipeline';
  pipeline: string;
  /** Relative to the server root. */
  input: string;
  /** `{step: {parameter: value}}`; `{step: {skip: true}}` skips a step. */
  steps?: Record<string, Record<string, unknown>>;
  /** Pin a CRDS context; the server's default when absent. */
  crds_context?: string | null;
  /** A new or empty folder relative to the root; the job's own folder when absent. */
  output_dir?: string | null;
}

/** `GET /jobs/{id}/log?offset=`. */
export interface IJobLog {
  text: string;
  next_offset: number;
  done: boolean;
}

/** `GET /previews` options. */
export interface IPreviewOptions {
  stretch?: 'asinh' | 'zscale' | 'linear';
  max_size?: number;
}

export type * from './crdsTypes';
