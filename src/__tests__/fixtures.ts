import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type * as React from 'react';

import { JwstLabApiError, JwstLabClient } from '../api/client';
import type { ConnectionState, IEventsConnection } from '../api/events';
import type {
  EventsStreamMessage,
  IDownloadCreated,
  IDownloadRequest,
  IJobList,
  IJobRecord,
  IListJobsOptions,
  IMastPeek,
  IMastPeekParams,
  IMastProductParams,
  IMastProductsResult,
  IMastSearchParams,
  IMastSearchResult,
  IMastTokenState,
  IServerInfo,
  IVersionCheck
} from '../api/models';
import { Feature, ICrdsApi, IJwstLabClient } from '../tokens';
import { loadTrans } from '../translation';

/** The translation bundle the widgets are given in tests (it returns the English strings). */
export const trans = loadTrans();

/** A `GET /info` answer like the 0.1.0 server's, with `overrides` applied. */
export function makeInfo(overrides: Partial<IServerInfo> = {}): IServerInfo {
  return {
    version: '0.1.0',
    versions: {
      'jwst-lab': '0.1.0',
      jwst: '3.0.0',
      stpipe: '1.1.0',
      crds: '14.0.3',
      stdatamodels: null,
      astroquery: '0.4.11',
      jupyter_server: '2.21.1',
      python: '3.11.7'
    },
    archive_backend: 'auto',
    cloud: '',
    executor: 'local',
    max_concurrent_jobs: 2,
    crds: {
      mode: 'serverless',
      path: '/data/crds_cache',
      server_url: null,
      context: 'jwst_0541.pmap',
      context_source: 'configured'
    },
    features: ['info', 'events'],
    job_store: {
      path: '/data/jwst_lab_jobs.sqlite',
      state: 'ok',
      message: null,
      moved_to: null,
      restored: 0,
      skipped: 0
    },
    ...overrides
  };
}

/** A `FakeClient` whose server answers `GET /info` with `makeInfo(overrides)`. */
export function makeClient(overrides: Partial<IServerInfo> = {}): FakeClient {
  const info = makeInfo(overrides);
  return new FakeClient(() => Promise.resolve(info));
}

/** Settings for a server at localhost:8888 whose requests go to `fetch`. */
export function makeSettings(
  options: Partial<ServerConnection.ISettings> = {}
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/',
    wsUrl: 'ws://localhost:8888/',
    token: '',
    ...options
  });
}

/**
 * A client whose `getInfo` answers with whatever `answer` returns, so widget
 * tests control the server without HTTP.
 */
export class FakeClient implements IJwstLabClient {
  constructor(public answer: () => Promise<IServerInfo>) {}

  readonly serverSettings = makeSettings();
  readonly frontendVersion = '0.1.0';
  info: IServerInfo | null = null;
  getInfoCalls = 0;

  get infoChanged(): ISignal<IJwstLabClient, IServerInfo> {
    return this._infoChanged;
  }

  async getInfo(): Promise<IServerInfo> {
    this.getInfoCalls += 1;
    const info = await this.answer();
    this.info = info;
    this._infoChanged.emit(info);
    return info;
  }

  async checkVersion(): Promise<IVersionCheck> {
    const info = await this.getInfo();
    return {
      compatible: info.version === this.frontendVersion,
      frontend: this.frontendVersion,
      server: info.version,
      info
    };
  }

  hasFeature(feature: Feature): boolean {
    return this.info?.features.includes(feature) ?? false;
  }

  /** What `listJobs` answers; an empty list by default. */
  jobsAnswer: (options: IListJobsOptions) => Promise<IJobList> = async () =>
    makeJobList([]);

  /** The options of every `listJobs` call, in order. */
  listJobsCalls: IListJobsOptions[] = [];

  listJobs(options: IListJobsOptions = {}): Promise<IJobList> {
    this.listJobsCalls.push(options);
    return this.jobsAnswer(options);
  }

  /** MAST calls answer what these return; empty answers by default (see mastFixtures.ts). */
  searchAnswer: (params: IMastSearchParams) => Promise<IMastSearchResult> =
    async params => ({
      rows: [],
      total: 0,
      page: params.page ?? 1,
      page_size: params.page_size ?? 100,
      columns: [],
      source: 'local',
      python: '',
      cone: null,
      notice: null
    });
  productsAnswer: (
    obsid: string,
    params: IMastProductParams
  ) => Promise<IMastProductsResult> = async obsid => ({
    obsid,
    rows: [],
    total: 0,
    columns: [],
    source: 'local',
    python: '',
    download_url: 'https://mast.stsci.edu/api/v0.1/Download/file?uri=',
    notice: null
  });
  tokenState: IMastTokenState = {
    set: false,
    storage: 'memory',
    expires: null
  };
  downloadAnswer: (request: IDownloadRequest) => Promise<IDownloadCreated> =
    async request => ({
      ...makeJob({
        id: 'download-1',
        kind: 'download',
        input: (request.products ?? []).join(', '),
        pipeline: null,
        output_dir: request.dest ?? ''
      }),
      python: ''
    });

  /** Every MAST / download call, in order: [method, ...arguments]. */
  mastCalls: unknown[][] = [];

  searchObservations(params: IMastSearchParams): Promise<IMastSearchResult> {
    this.mastCalls.push(['searchObservations', params]);
    return this.searchAnswer(params);
  }

  listProducts(
    obsid: string,
    params: IMastProductParams = {}
  ): Promise<IMastProductsResult> {
    this.mastCalls.push(['listProducts', obsid, params]);
    return this.productsAnswer(obsid, params);
  }

  /** What `peekProduct` answers; a 404 `not_in_bucket` by default. */
  peekAnswer: (params: IMastPeekParams) => Promise<IMastPeek> =
    async params => {
      throw new JwstLabApiError(`${params.uri} is not in the bucket`, {
        status: 404,
        reason: 'not_in_bucket'
      });
    };

  peekProduct(params: IMastPeekParams): Promise<IMastPeek> {
    this.mastCalls.push(['peekProduct', params]);
    return this.peekAnswer(params);
  }

  async getMastToken(): Promise<IMastTokenState> {
    this.mastCalls.push(['getMastToken']);
    return this.tokenState;
  }

  async setMastToken(token: string): Promise<IMastTokenState> {
    this.mastCalls.push(['setMastToken', token]);
    this.tokenState = { set: true, storage: 'memory', expires: null };
    return this.tokenState;
  }

  async deleteMastToken(): Promise<void> {
    this.mastCalls.push(['deleteMastToken']);
    this.tokenState = { set: false, storage: 'memory', expires: null };
  }

  createDownload(request: IDownloadRequest): Promise<IDownloadCreated> {
    this.mastCalls.push(['createDownload', request]);
    return this.downloadAnswer(request);
  }

  /** Pipeline-job calls answer what `jobsApi` holds; unset ones reject (see jobsFixtures.ts). */
  jobsApi: Partial<Pick<IJwstLabClient, JobsApiMethod>> = {};

  /** Every pipeline-job call, in order: [method, ...arguments]. */
  jobsCalls: unknown[][] = [];

  listPipelines(): ReturnType<IJwstLabClient['listPipelines']> {
    return this._jobsCall('listPipelines');
  }
  getPipelineSpec(
    alias: string
  ): ReturnType<IJwstLabClient['getPipelineSpec']> {
    return this._jobsCall('getPipelineSpec', alias);
  }
  readAssociation(path: string): ReturnType<IJwstLabClient['readAssociation']> {
    return this._jobsCall('readAssociation', path);
  }
  getPipelineParameters(
    alias: string,
    input: string,
    context?: string | null
  ): ReturnType<IJwstLabClient['getPipelineParameters']> {
    return this._jobsCall('getPipelineParameters', alias, input, context);
  }
  getApplicablePipelines(
    input: string
  ): ReturnType<IJwstLabClient['getApplicablePipelines']> {
    return this._jobsCall('getApplicablePipelines', input);
  }
  readParameterFile(
    path: string
  ): ReturnType<IJwstLabClient['readParameterFile']> {
    return this._jobsCall('readParameterFile', path);
  }
  writeParameterFile(
    request: Parameters<IJwstLabClient['writeParameterFile']>[0]
  ): ReturnType<IJwstLabClient['writeParameterFile']> {
    return this._jobsCall('writeParameterFile', request);
  }
  getStrunCommand(
    alias: string,
    request: Parameters<IJwstLabClient['getStrunCommand']>[1]
  ): ReturnType<IJwstLabClient['getStrunCommand']> {
    return this._jobsCall('getStrunCommand', alias, request);
  }
  createJob(
    request: Parameters<IJwstLabClient['createJob']>[0]
  ): Promise<IJobRecord> {
    return this._jobsCall('createJob', request);
  }
  getJob(id: string): Promise<IJobRecord> {
    return this._jobsCall('getJob', id);
  }
  deleteJob(id: string): Promise<void> {
    return this._jobsCall('deleteJob', id);
  }
  cancelJob(id: string): Promise<IJobRecord> {
    return this._jobsCall('cancelJob', id);
  }
  rerunJob(id: string): Promise<IJobRecord> {
    return this._jobsCall('rerunJob', id);
  }
  getJobLog(id: string, offset = 0): ReturnType<IJwstLabClient['getJobLog']> {
    return this._jobsCall('getJobLog', id, offset);
  }
  getPreview(
    path: string,
    options: Parameters<IJwstLabClient['getPreview']>[1] = {}
  ): Promise<Blob> {
    return this._jobsCall('getPreview', path, options);
  }
  getSpectra(
    ...args: Parameters<IJwstLabClient['getSpectra']>
  ): ReturnType<IJwstLabClient['getSpectra']> {
    return this._jobsCall('getSpectra', ...args);
  }
  getSpectralImage(
    ...args: Parameters<IJwstLabClient['getSpectralImage']>
  ): ReturnType<IJwstLabClient['getSpectralImage']> {
    return this._jobsCall('getSpectralImage', ...args);
  }
  getSpectralImagePreview(
    ...args: Parameters<IJwstLabClient['getSpectralImagePreview']>
  ): Promise<Blob> {
    return this._jobsCall('getSpectralImagePreview', ...args);
  }
  getCube(
    ...args: Parameters<IJwstLabClient['getCube']>
  ): ReturnType<IJwstLabClient['getCube']> {
    return this._jobsCall('getCube', ...args);
  }
  getCubeSlice(
    ...args: Parameters<IJwstLabClient['getCubeSlice']>
  ): Promise<Blob> {
    return this._jobsCall('getCubeSlice', ...args);
  }
  getCubeSpectrum(
    ...args: Parameters<IJwstLabClient['getCubeSpectrum']>
  ): ReturnType<IJwstLabClient['getCubeSpectrum']> {
    return this._jobsCall('getCubeSpectrum', ...args);
  }
  getImageInfo(path: string): ReturnType<IJwstLabClient['getImageInfo']> {
    return this._jobsCall('getImageInfo', path);
  }
  getImagePixel(
    path: string,
    x: number,
    y: number
  ): ReturnType<IJwstLabClient['getImagePixel']> {
    return this._jobsCall('getImagePixel', path, x, y);
  }
  getCatalog(
    path: string,
    options: Parameters<IJwstLabClient['getCatalog']>[1] = {}
  ): ReturnType<IJwstLabClient['getCatalog']> {
    return this._jobsCall('getCatalog', path, options);
  }

  /**
   * Run calls answer what `runsApi` holds; unset ones reject (see
   * runsFixtures.ts), except `listRuns`, which answers no runs by default.
   */
  runsApi: Partial<Pick<IJwstLabClient, RunsApiMethod>> = {
    listRuns: async () => ({ runs: [], total: 0, page: 1, page_size: 100 })
  };

  /** Every run call, in order: [method, ...arguments]. */
  runsCalls: unknown[][] = [];

  planRun(
    request: Parameters<IJwstLabClient['planRun']>[0]
  ): ReturnType<IJwstLabClient['planRun']> {
    return this._runsCall('planRun', request);
  }
  createRun(
    request: Parameters<IJwstLabClient['createRun']>[0]
  ): ReturnType<IJwstLabClient['createRun']> {
    return this._runsCall('createRun', request);
  }
  listRuns(
    options: Parameters<IJwstLabClient['listRuns']>[0] = {}
  ): ReturnType<IJwstLabClient['listRuns']> {
    return this._runsCall('listRuns', options);
  }
  getRun(id: string): ReturnType<IJwstLabClient['getRun']> {
    return this._runsCall('getRun', id);
  }
  cancelRun(id: string): ReturnType<IJwstLabClient['cancelRun']> {
    return this._runsCall('cancelRun', id);
  }
  resumeRun(id: string): ReturnType<IJwstLabClient['resumeRun']> {
    return this._runsCall('resumeRun', id);
  }
  deleteRun(id: string): ReturnType<IJwstLabClient['deleteRun']> {
    return this._runsCall('deleteRun', id);
  }

  /** CRDS calls answer what `crdsApi` holds; unset ones reject (see crdsFixtures.ts). */
  crdsApi: Partial<ICrdsApi> = {};

  /** Every CRDS call, in order: [method, ...arguments]. */
  crdsCalls: unknown[][] = [];

  getCrdsStatus(): ReturnType<ICrdsApi['getCrdsStatus']> {
    return this._crdsCall('getCrdsStatus');
  }
  listCrdsContexts(): ReturnType<ICrdsApi['listCrdsContexts']> {
    return this._crdsCall('listCrdsContexts');
  }
  getCrdsTree(context: string): ReturnType<ICrdsApi['getCrdsTree']> {
    return this._crdsCall('getCrdsTree', context);
  }
  getCrdsMapping(mapping: string): ReturnType<ICrdsApi['getCrdsMapping']> {
    return this._crdsCall('getCrdsMapping', mapping);
  }
  getCrdsBestrefs(
    request: Parameters<ICrdsApi['getCrdsBestrefs']>[0]
  ): ReturnType<ICrdsApi['getCrdsBestrefs']> {
    return this._crdsCall('getCrdsBestrefs', request);
  }
  fetchCrdsReferences(
    request: Parameters<ICrdsApi['fetchCrdsReferences']>[0]
  ): ReturnType<ICrdsApi['fetchCrdsReferences']> {
    return this._crdsCall('fetchCrdsReferences', request);
  }
  getCrdsDiff(
    oldContext: string,
    newContext: string
  ): ReturnType<ICrdsApi['getCrdsDiff']> {
    return this._crdsCall('getCrdsDiff', oldContext, newContext);
  }

  private _crdsCall<M extends keyof ICrdsApi>(
    method: M,
    ...args: unknown[]
  ): ReturnType<ICrdsApi[M]> {
    return Private.call(this.crdsApi, this.crdsCalls, method, args);
  }

  private _runsCall<M extends RunsApiMethod>(
    method: M,
    ...args: unknown[]
  ): ReturnType<IJwstLabClient[M]> {
    return Private.call(this.runsApi, this.runsCalls, method, args);
  }

  private _jobsCall<M extends JobsApiMethod>(
    method: M,
    ...args: unknown[]
  ): ReturnType<IJwstLabClient[M]> {
    return Private.call(this.jobsApi, this.jobsCalls, method, args);
  }

  private _infoChanged = new Signal<IJwstLabClient, IServerInfo>(this);
}

/** The run methods of the client that `FakeClient.runsApi` fakes. */
export type RunsApiMethod =
  | 'planRun'
  | 'createRun'
  | 'listRuns'
  | 'getRun'
  | 'cancelRun'
  | 'resumeRun'
  | 'deleteRun';

/** The pipeline-job methods of the client that `FakeClient.jobsApi` fakes. */
export type JobsApiMethod =
  | 'listPipelines'
  | 'getPipelineSpec'
  | 'readAssociation'
  | 'getPipelineParameters'
  | 'getApplicablePipelines'
  | 'readParameterFile'
  | 'writeParameterFile'
  | 'getStrunCommand'
  | 'createJob'
  | 'getJob'
  | 'deleteJob'
  | 'cancelJob'
  | 'rerunJob'
  | 'getJobLog'
  | 'getPreview'
  | 'getSpectra'
  | 'getSpectralImage'
  | 'getSpectralImagePreview'
  | 'getCube'
  | 'getCubeSlice'
  | 'getCubeSpectrum'
  | 'getImageInfo'
  | 'getImagePixel'
  | 'getCatalog';

namespace Private {
  /**
   * Record a call to `method` in `calls` and answer what the test's handler
   * for it returns; a method without a handler rejects.
   */
  export function call<Answer extends Promise<unknown>>(
    handlers: Record<string, unknown>,
    calls: unknown[][],
    method: string,
    args: unknown[]
  ): Answer {
    calls.push([method, ...args]);
    const handler = handlers[method] as
      ((...a: unknown[]) => Answer) | undefined;
    if (!handler) {
      return Promise.reject(
        new Error(`FakeClient.${method} is not faked`)
      ) as Answer;
    }
    return handler(...args);
  }
}

/** An events connection the test drives. */
export class FakeEvents implements IEventsConnection {
  /** Start in `connectionState` (open: events flow). */
  constructor(public connectionState: ConnectionState = 'open') {}

  readonly connectionStateChanged: ISignal<IEventsConnection, ConnectionState> =
    new Signal(this);
  readonly events: ISignal<IEventsConnection, EventsStreamMessage> = new Signal(
    this
  );

  /** Change the connection state, as the websocket would. */
  set(state: ConnectionState): void {
    this.connectionState = state;
    (
      this.connectionStateChanged as Signal<IEventsConnection, ConnectionState>
    ).emit(state);
  }

  /** Publish a server event (numbered, as the server numbers them). */
  emit(message: Record<string, unknown> & { type: string }): void {
    (this.events as Signal<IEventsConnection, EventsStreamMessage>).emit({
      seq: ++this._seq,
      time: Date.now() / 1000,
      ...message
    } as EventsStreamMessage);
  }

  private _seq = 0;
}

/** A fetch that records its requests and answers each with the next response. */
export function fakeFetch(
  ...responses: (() => Response | Promise<Response>)[]
): {
  fetch: jest.Mock<Promise<Response>, [Request]>;
  requests: Request[];
} {
  const requests: Request[] = [];
  const fetch = jest.fn(async (request: Request) => {
    requests.push(request);
    const next = responses.shift();
    if (!next) {
      throw new Error(`unexpected request ${request.url}`);
    }
    return next();
  });
  return { fetch, requests };
}

/** A real `JwstLabClient` whose requests go to `fetch` (see `fakeFetch`). */
export function httpClient(
  fetch: (request: Request) => Promise<Response>,
  options: { token?: string; frontendVersion?: string } = {}
): JwstLabClient {
  return new JwstLabClient({
    serverSettings: makeSettings({
      fetch: fetch as typeof window.fetch,
      token: options.token ?? ''
    }),
    frontendVersion: options.frontendVersion ?? '0.1.0'
  });
}

/** A JSON response, for `fakeFetch`. */
export function json(
  body: unknown,
  status = 200,
  statusText = ''
): () => Response {
  return () =>
    new Response(JSON.stringify(body), {
      status,
      statusText,
      headers: { 'Content-Type': 'application/json' }
    });
}

/** A fake server call that fails with the API error `new JwstLabApiError(...error)`. */
export function failing(
  ...error: ConstructorParameters<typeof JwstLabApiError>
): () => Promise<never> {
  return () => Promise.reject(new JwstLabApiError(...error));
}

/** A promise with its resolve and reject, to hold a fake server's answer. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolve once `assertion` stops throwing; rethrow its last error after `timeout` ms. */
export async function waitFor(
  assertion: () => void,
  timeout = 2000
): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() - start > timeout) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }
}

/** Type into an input (or pick in a select) the way React notices it. */
export function changeValue(
  element: HTMLInputElement | HTMLSelectElement,
  value: string
): void {
  const prototype =
    element instanceof HTMLSelectElement
      ? HTMLSelectElement.prototype
      : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, 'value')!.set!.call(
    element,
    value
  );
  element.dispatchEvent(
    new Event(element instanceof HTMLSelectElement ? 'change' : 'input', {
      bubbles: true
    })
  );
}

/** A job record like the server's, with `overrides` applied. */
export function makeJob(overrides: Partial<IJobRecord> = {}): IJobRecord {
  return {
    id: 'job-1',
    kind: 'pipeline',
    status: 'running',
    created: '2026-11-25T10:00:00Z',
    started: '2026-11-25T10:00:01Z',
    finished: null,
    updated: '2026-11-25T10:00:05Z',
    input: 'data/jw02733-o001_image3_asn.json',
    pipeline: 'calwebb_image3',
    steps: {},
    params: {},
    crds_context_requested: null,
    crds_context_used: 'jwst_0541.pmap',
    crds_context: 'jwst_0541.pmap',
    output_dir: 'data/jobs/job-1',
    argv: [],
    commands: { strun: 'strun calwebb_image3 ...', python: '...' },
    rerun_of: null,
    versions: {},
    progress: {
      steps_total: 6,
      steps_done: 2,
      current_step: 'tweakreg',
      skipped_steps: []
    },
    outputs: [],
    partial_outputs: [],
    warnings: [],
    exit_code: null,
    error: null,
    executor: 'local',
    run_id: null,
    depends_on: [],
    memory_estimate_bytes: null,
    resources: null,
    reason: null,
    ...overrides
  };
}

/** A `GET /jobs` answer holding `jobs`. */
export function makeJobList(jobs: IJobRecord[], total = jobs.length): IJobList {
  return { jobs, total, page: 1, page_size: 100 };
}

// --- the document -------------------------------------------------------------

const mounted: IDisposable[] = [];

// After each test of a file that uses these fixtures, what it attached,
// rendered or owned is disposed of.
afterEach(cleanUp);

/** Attach a widget to the document; `cleanUp()` disposes it. */
export function attach<T extends Widget>(widget: T): T {
  Widget.attach(widget, document.body);
  mounted.push(widget);
  return widget;
}

/** Render a React element into the document; `cleanUp()` removes it. */
export function render(element: React.ReactElement): HTMLElement {
  return attach(ReactWidget.create(element)).node;
}

/** Dispose `model` in `cleanUp()` (as the widget that owns it would when closed). */
export function own<T extends IDisposable>(model: T): T {
  mounted.push(model);
  return model;
}

/** Dispose of everything `attach`, `render` and `own` added, and empty the document. */
export function cleanUp(): void {
  mounted.splice(0).forEach(item => item.dispose());
  document.body.innerHTML = '';
  // Choices views remember (log wrapping, the download folder) do not leak between tests.
  localStorage.clear();
}

/** The element matching `selector` in `root`; throws (for waitFor) when there is none. */
export function query<T extends Element = HTMLElement>(
  root: Widget | ParentNode,
  selector: string
): T {
  const node = root instanceof Widget ? root.node : root;
  const found = node.querySelector<T & Element>(selector);
  if (!found) {
    throw new Error(`no element matches ${selector}`);
  }
  return found as T;
}

/** Every element matching `selector` in `root`. */
export function queryAll<T extends Element = HTMLElement>(
  root: Widget | ParentNode,
  selector: string
): T[] {
  const node = root instanceof Widget ? root.node : root;
  return Array.from(node.querySelectorAll<T & Element>(selector)) as T[];
}

/** Type `value` into the input (or pick it in the select) matching `selector` in `root`. */
export function fill(
  root: Widget | ParentNode,
  selector: string,
  value: string
): void {
  changeValue(
    query<HTMLInputElement | HTMLSelectElement>(root, selector),
    value
  );
}

/** Click the element matching `selector` in `root`. */
export function click(root: Widget | ParentNode, selector: string): void {
  query(root, selector).click();
}

/** Submit the form matching `selector` in `root`, the way Enter in one of its fields does. */
export function submit(root: Widget | ParentNode, selector: string): void {
  query(root, selector).dispatchEvent(
    new Event('submit', { bubbles: true, cancelable: true })
  );
}
