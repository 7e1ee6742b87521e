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

/** Whether a job runs a pipeline or downloads data. */
export type JobKind = 'pipeline' | 'download';

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
