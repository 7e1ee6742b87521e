import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { API_NAMESPACE, Feature, IJwstLabClient } from '../tokens';
import { FRONTEND_VERSION } from '../version';
import { errorMessage, JwstLabApiError } from './errors';
import type {
  IAssociation,
  ICrdsBestrefs,
  ICrdsBestrefsRequest,
  ICrdsContextList,
  ICrdsDiff,
  ICrdsFetchRequest,
  ICrdsMapping,
  ICrdsStatus,
  ICrdsTree,
  IDownloadCreated,
  IDownloadRequest,
  IErrorBody,
  IJobCreate,
  IJobList,
  IJobLog,
  IJobRecord,
  IListJobsOptions,
  IMastPeek,
  IMastPeekParams,
  IMastProductParams,
  IMastProductsResult,
  IMastSearchParams,
  IMastSearchResult,
  IMastTokenState,
  IPipelineList,
  IPipelineSpec,
  IPipelineParameters,
  IApplicablePipelines,
  IParameterFile,
  IParameterFileWrite,
  IStrunRequest,
  IStrunCommand,
  IListRunsOptions,
  ICatalogOptions,
  ICatalogTable,
  IImageInfo,
  IImagePixel,
  IPreviewOptions,
  ICubeInfo,
  ICubeSliceOptions,
  ICubeSpectrum,
  ISpectraOptions,
  ISpectraResponse,
  ISpectralImage,
  IRunCreate,
  IRunList,
  IRunPlan,
  IRunRecord,
  IServerInfo,
  IVersionCheck
} from './models';

export { JwstLabApiError } from './errors';

/**
 * The client of the jwst-lab REST API: the only module that talks HTTP to the server.
 */
export class JwstLabClient implements IJwstLabClient {
  /** Create a client; settings default to the page's Jupyter server. */
  constructor(options: JwstLabClient.IOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this.frontendVersion = options.frontendVersion ?? FRONTEND_VERSION;
  }

  readonly serverSettings: ServerConnection.ISettings;

  readonly frontendVersion: string;

  get info(): IServerInfo | null {
    return this._info;
  }

  get infoChanged(): ISignal<IJwstLabClient, IServerInfo> {
    return this._infoChanged;
  }

  getInfo(): Promise<IServerInfo> {
    if (this._pendingInfo === null) {
      this._pendingInfo = this.request<IServerInfo>('info')
        .then(info => {
          this._info = info;
          this._infoChanged.emit(info);
          return info;
        })
        .finally(() => {
          this._pendingInfo = null;
        });
    }
    return this._pendingInfo;
  }

  /**
   * Compare the server's version with the front end's.
   *
   * Both halves ship in one Python wheel with one version number, so any
   * difference (even a patch level) means two installations are mixed up,
   * typically a stale lab extension in another environment.
   */
  async checkVersion(): Promise<IVersionCheck> {
    const info = await this.getInfo();
    const frontend = this.frontendVersion;
    const server = info.version;
    return {
      compatible: frontend.trim() === server.trim(),
      frontend,
      server,
      info
    };
  }

  hasFeature(feature: Feature): boolean {
    return this._info?.features.includes(feature) ?? false;
  }

  /**
   * Fetch one page of jobs, newest first.
   *
   * @throws {JwstLabApiError} when the server answers an error or cannot be reached.
   */
  listJobs(options: IListJobsOptions = {}): Promise<IJobList> {
    const query = new URLSearchParams();
    const statuses =
      options.status === undefined
        ? []
        : Array.isArray(options.status)
          ? options.status
          : [options.status];
    if (statuses.length > 0) {
      query.set('status', statuses.join(','));
    }
    if (options.page !== undefined) {
      query.set('page', String(options.page));
    }
    if (options.pageSize !== undefined) {
      query.set('page_size', String(options.pageSize));
    }
    return this.request<IJobList>('jobs', {}, query);
  }

  /** `GET /pipelines`: installed pipelines and steps with the inputs each accepts. */
  listPipelines(): Promise<IPipelineList> {
    return this.request<IPipelineList>('pipelines');
  }

  /**
   * `GET /pipelines/{alias}/spec`: parameters of a pipeline and of its steps.
   *
   * @throws {JwstLabApiError} 404 when no such pipeline or step is installed.
   */
  getPipelineSpec(alias: string): Promise<IPipelineSpec> {
    return this.request<IPipelineSpec>(
      `pipelines/${encodeURIComponent(alias)}/spec`
    );
  }

  /**
   * `GET /associations?path=`: an association file read and validated.
   *
   * @throws {JwstLabApiError} 400 for a malformed association, 404 when missing.
   */
  readAssociation(path: string): Promise<IAssociation> {
    return this.request<IAssociation>(
      'associations',
      {},
      new URLSearchParams({ path })
    );
  }

  /**
   * `GET /pipelines/{alias}/parameters?input=&context=`: the values a job on
   * `input` would run with and where each comes from (default or CRDS `pars-*`).
   */
  getPipelineParameters(
    alias: string,
    input: string,
    context?: string | null
  ): Promise<IPipelineParameters> {
    const query = new URLSearchParams({ input });
    if (context) {
      query.set('context', context);
    }
    return this.request<IPipelineParameters>(
      `pipelines/${encodeURIComponent(alias)}/parameters`,
      {},
      query
    );
  }

  /** `GET /pipelines/applicable?input=`: the pipelines that apply to an exposure. */
  getApplicablePipelines(input: string): Promise<IApplicablePipelines> {
    return this.request<IApplicablePipelines>(
      'pipelines/applicable',
      {},
      new URLSearchParams({ input })
    );
  }

  /** `GET /pipelines/parameter-files?path=`: an ASDF parameter file's values. */
  readParameterFile(path: string): Promise<IParameterFile> {
    return this.request<IParameterFile>(
      'pipelines/parameter-files',
      {},
      new URLSearchParams({ path })
    );
  }

  /**
   * `POST /pipelines/parameter-files`: write values as an ASDF parameter file.
   *
   * @throws {JwstLabApiError} 409 when the file exists and `overwrite` is false.
   */
  writeParameterFile(request: IParameterFileWrite): Promise<IParameterFile> {
    return this.request<IParameterFile>('pipelines/parameter-files', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /** `POST /pipelines/{alias}/strun`: a strun line that runs from any folder. */
  getStrunCommand(
    alias: string,
    request: IStrunRequest
  ): Promise<IStrunCommand> {
    return this.request<IStrunCommand>(
      `pipelines/${encodeURIComponent(alias)}/strun`,
      { method: 'POST', body: JSON.stringify(request) }
    );
  }

  /**
   * `POST /jobs`: queue a pipeline job → the new job record.
   *
   * @throws {JwstLabApiError} 400 naming the bad field (e.g. `steps.resample.pixfrac`).
   */
  createJob(request: IJobCreate): Promise<IJobRecord> {
    return this.request<IJobRecord>('jobs', {
      method: 'POST',
      body: JSON.stringify({ kind: 'pipeline', ...request })
    });
  }

  /** `GET /jobs/{id}`: one job with progress, outputs and provenance. */
  getJob(id: string): Promise<IJobRecord> {
    return this.request<IJobRecord>(`jobs/${encodeURIComponent(id)}`);
  }

  /** `DELETE /jobs/{id}`: delete a finished job's record and log (409 while it runs). */
  async deleteJob(id: string): Promise<void> {
    await this.request<unknown>(`jobs/${encodeURIComponent(id)}`, {
      method: 'DELETE'
    });
  }

  /** `POST /jobs/{id}/cancel`: cancel a queued or running job (409 once it ended). */
  cancelJob(id: string): Promise<IJobRecord> {
    return this.request<IJobRecord>(`jobs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST'
    });
  }

  /** `POST /jobs/{id}/rerun`: the same job again → the new job record. */
  rerunJob(id: string): Promise<IJobRecord> {
    return this.request<IJobRecord>(`jobs/${encodeURIComponent(id)}/rerun`, {
      method: 'POST'
    });
  }

  /** `GET /jobs/{id}/log?offset=`: the log from byte `offset` (default 0). */
  getJobLog(id: string, offset = 0): Promise<IJobLog> {
    return this.request<IJobLog>(
      `jobs/${encodeURIComponent(id)}/log`,
      {},
      new URLSearchParams({ offset: String(offset) })
    );
  }

  /**
   * `GET /previews?path=`: a PNG quick look as a blob, fetched with the
   * server's credentials (an `<img src>` could not carry the token).
   *
   * @throws {JwstLabApiError} 400 when the file is not a 2-D image, 404 when missing.
   */
  getPreview(path: string, options: IPreviewOptions = {}): Promise<Blob> {
    const query = new URLSearchParams({ path });
    if (options.stretch) {
      query.set('stretch', options.stretch);
    }
    if (options.max_size !== undefined) {
      query.set('max_size', String(options.max_size));
    }
    if (options.region) {
      query.set('region', options.region);
    }
    return this.blob('previews', query);
  }

  /** `GET /spectra`: the spectra of an x1d file and the arrays of `options.index`. */
  getSpectra(
    path: string,
    options: ISpectraOptions = {}
  ): Promise<ISpectraResponse> {
    return this.request<ISpectraResponse>(
      'spectra',
      {},
      Private.queryOf({ path, ...options })
    );
  }

  /** `GET /spectra/image`: the slits of an s2d file and slit `slit` as shown. */
  getSpectralImage(path: string, slit = 0): Promise<ISpectralImage> {
    return this.request<ISpectralImage>(
      'spectra/image',
      {},
      new URLSearchParams({ path, slit: String(slit) })
    );
  }

  /** `GET /spectra/image/preview`: slit `slit` of an s2d as a PNG blob. */
  getSpectralImagePreview(
    path: string,
    slit: number,
    stretch: string
  ): Promise<Blob> {
    return this.blob(
      'spectra/image/preview',
      new URLSearchParams({ path, slit: String(slit), stretch })
    );
  }

  /** `GET /cubes`: an s3d cube's shape, unit and the wavelength of each plane. */
  getCube(path: string): Promise<ICubeInfo> {
    return this.request<ICubeInfo>('cubes', {}, new URLSearchParams({ path }));
  }

  /** `GET /cubes/slice`: a plane of a cube (or the mean of several) as a PNG blob. */
  getCubeSlice(path: string, options: ICubeSliceOptions): Promise<Blob> {
    return this.blob('cubes/slice', Private.queryOf({ path, ...options }));
  }

  /** `GET /cubes/spectrum`: the spectrum of spaxel (x, y) or of a small aperture. */
  getCubeSpectrum(
    path: string,
    x: number,
    y: number,
    radius = 0
  ): Promise<ICubeSpectrum> {
    return this.request<ICubeSpectrum>(
      'cubes/spectrum',
      {},
      Private.queryOf({ path, x, y, radius })
    );
  }

  /**
   * GET `endpoint` for a binary answer (a PNG), with the server's credentials
   * (an `<img src>` could not carry the token).
   *
   * @throws {JwstLabApiError} as `request` does.
   */
  private async blob(endpoint: string, query: URLSearchParams): Promise<Blob> {
    const settings = this.serverSettings;
    const url = `${URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint)}?${query}`;
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, {}, settings);
    } catch (error) {
      throw new JwstLabApiError(
        `Cannot reach the Jupyter server: ${errorMessage(error)}`,
        { status: 0, reason: 'network_error' }
      );
    }
    if (!response.ok) {
      throw Private.errorFromResponse(
        response,
        Private.parseJson(await response.text())
      );
    }
    return response.blob();
  }

  /** `GET /images/info?path=`: shape, unit, WCS source and catalog of a 2-D image. */
  getImageInfo(path: string): Promise<IImageInfo> {
    return this.request<IImageInfo>(
      'images/info',
      {},
      new URLSearchParams({ path })
    );
  }

  /** `GET /images/pixel`: value, DQ and RA/Dec at 0-based `(x, y)` of an image. */
  getImagePixel(path: string, x: number, y: number): Promise<IImagePixel> {
    return this.request<IImagePixel>(
      'images/pixel',
      {},
      new URLSearchParams({ path, x: String(x), y: String(y) })
    );
  }

  /** `GET /catalogs`: a page of an ECSV source catalog (columns, rows, total). */
  getCatalog(
    path: string,
    options: ICatalogOptions = {}
  ): Promise<ICatalogTable> {
    const query = new URLSearchParams({ path });
    if (options.offset !== undefined) {
      query.set('offset', String(options.offset));
    }
    if (options.limit !== undefined) {
      query.set('limit', String(options.limit));
    }
    return this.request<ICatalogTable>('catalogs', {}, query);
  }

  /**
   * `POST /runs` with `dry_run`: the plan of a run (stages, jobs, memory
   * estimates against the limit, warnings); nothing is created.
   *
   * @throws {JwstLabApiError} 400 naming the bad field, 409 `insufficient_memory`.
   */
  planRun(request: IRunCreate): Promise<IRunPlan> {
    return this.request<IRunPlan>('runs', {
      method: 'POST',
      body: JSON.stringify({ ...request, dry_run: true })
    });
  }

  /**
   * `POST /runs`: create a run → its record.
   *
   * @throws {JwstLabApiError} 400 naming the bad field; 409 `insufficient_memory`
   * when a job's estimate alone exceeds the limit (unless `force`).
   */
  createRun(request: IRunCreate): Promise<IRunRecord> {
    return this.request<IRunRecord>('runs', {
      method: 'POST',
      body: JSON.stringify({ ...request, dry_run: false })
    });
  }

  /** `GET /runs`: one page of runs, newest first. */
  listRuns(options: IListRunsOptions = {}): Promise<IRunList> {
    const query = new URLSearchParams();
    if (options.page !== undefined) {
      query.set('page', String(options.page));
    }
    if (options.pageSize !== undefined) {
      query.set('page_size', String(options.pageSize));
    }
    return this.request<IRunList>('runs', Private.NO_CACHE_BUSTER, query);
  }

  /** `GET /runs/{id}`: one run with its jobs and progress. */
  getRun(id: string): Promise<IRunRecord> {
    return this.request<IRunRecord>(
      `runs/${encodeURIComponent(id)}`,
      Private.NO_CACHE_BUSTER
    );
  }

  /** `POST /runs/{id}/cancel`: cancel a run's jobs that have not ended. */
  cancelRun(id: string): Promise<IRunRecord> {
    return this.request<IRunRecord>(`runs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST'
    });
  }

  /** `POST /runs/{id}/resume`: run again what is not complete. */
  resumeRun(id: string): Promise<IRunRecord> {
    return this.request<IRunRecord>(`runs/${encodeURIComponent(id)}/resume`, {
      method: 'POST'
    });
  }

  /** `DELETE /runs/{id}`: delete a finished run's record (409 while active). */
  async deleteRun(id: string): Promise<void> {
    await this.request<unknown>(`runs/${encodeURIComponent(id)}`, {
      method: 'DELETE'
    });
  }

  /**
   * Search MAST observations: `GET /mast/observations`. Needs the `mast` feature.
   *
   * @throws {JwstLabApiError} 400 naming a bad field, 404 naming `target` for a target the resolver does not know, 502 when MAST failed.
   */
  searchObservations(params: IMastSearchParams): Promise<IMastSearchResult> {
    return this.request<IMastSearchResult>(
      'mast/observations',
      Private.NO_CACHE_BUSTER,
      Private.queryOf(params as Record<string, unknown>)
    );
  }

  /**
   * The products of one observation: `GET /mast/observations/{obsid}/products`.
   *
   * @throws {JwstLabApiError} when the server answers an error or cannot be reached.
   */
  listProducts(
    obsid: string,
    params: IMastProductParams = {}
  ): Promise<IMastProductsResult> {
    return this.request<IMastProductsResult>(
      `mast/observations/${encodeURIComponent(obsid)}/products`,
      Private.NO_CACHE_BUSTER,
      Private.queryOf(params as Record<string, unknown>)
    );
  }

  /**
   * A product's headers and quick look from the cloud bucket: `GET /mast/peek`.
   *
   * @throws {JwstLabApiError} 400 (`field` `uri` or `cloud`), 404 `not_in_bucket`,
   * 502/503 when the bucket cannot be read.
   */
  peekProduct(params: IMastPeekParams): Promise<IMastPeek> {
    return this.request<IMastPeek>(
      'mast/peek',
      Private.NO_CACHE_BUSTER,
      Private.queryOf(params as Record<string, unknown>)
    );
  }

  /** Whether the server holds a MAST token: `GET /mast/token`. */
  getMastToken(): Promise<IMastTokenState> {
    return this.request<IMastTokenState>('mast/token', Private.NO_CACHE_BUSTER);
  }

  /**
   * Hand a MAST token to the server (`PUT /mast/token`); the server keeps it,
   * the front end never stores it.
   */
  setMastToken(token: string): Promise<IMastTokenState> {
    return this.request<IMastTokenState>('mast/token', {
      method: 'PUT',
      body: JSON.stringify({ token })
    });
  }

  /** Forget the server's MAST token: `DELETE /mast/token`. */
  async deleteMastToken(): Promise<void> {
    await this.request<unknown>('mast/token', { method: 'DELETE' });
  }

  /**
   * Start a download job: `POST /downloads` → the job record. Needs the `downloads` feature.
   *
   * @throws {JwstLabApiError} 400 when the folder is outside the root or nothing is asked for.
   */
  createDownload(request: IDownloadRequest): Promise<IDownloadCreated> {
    return this.request<IDownloadCreated>('downloads', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  getCrdsStatus(): Promise<ICrdsStatus> {
    return this.request<ICrdsStatus>('crds/status');
  }

  listCrdsContexts(): Promise<ICrdsContextList> {
    return this.request<ICrdsContextList>('crds/contexts');
  }

  getCrdsTree(context: string): Promise<ICrdsTree> {
    return this.request<ICrdsTree>(
      `crds/contexts/${encodeURIComponent(context)}`
    );
  }

  getCrdsMapping(mapping: string): Promise<ICrdsMapping> {
    return this.request<ICrdsMapping>(
      `crds/mappings/${encodeURIComponent(mapping)}`
    );
  }

  getCrdsBestrefs(request: ICrdsBestrefsRequest): Promise<ICrdsBestrefs> {
    return this.request<ICrdsBestrefs>('crds/bestrefs', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  fetchCrdsReferences(request: ICrdsFetchRequest): Promise<IJobRecord> {
    return this.request<IJobRecord>('crds/fetch', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  getCrdsDiff(oldContext: string, newContext: string): Promise<ICrdsDiff> {
    return this.request<ICrdsDiff>(
      'crds/diff',
      {},
      new URLSearchParams({ old: oldContext, new: newContext })
    );
  }

  /**
   * Send a request to `/jwst-lab/<path>` and parse the JSON answer.
   *
   * @throws {JwstLabApiError} on a non-2xx answer or when the server is unreachable.
   */
  private async request<T>(
    path: string,
    init: RequestInit = {},
    query?: URLSearchParams
  ): Promise<T> {
    const settings = this.serverSettings;
    let url = URLExt.join(settings.baseUrl, API_NAMESPACE, path);
    const search = query?.toString();
    if (search) {
      url += `?${search}`;
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, settings);
    } catch (error) {
      if (error instanceof ServerConnection.NetworkError) {
        throw new JwstLabApiError(
          `Cannot reach the Jupyter server: ${error.message}`,
          {
            status: 0,
            reason: 'network_error'
          }
        );
      }
      throw error;
    }
    const body = Private.parseJson(await response.text());
    if (!response.ok) {
      throw Private.errorFromResponse(response, body);
    }
    if (response.status === 204) {
      return undefined as T;
    }
    if (body === undefined) {
      throw new JwstLabApiError(
        `The server answered ${path} with something that is not JSON`,
        {
          status: response.status,
          reason: 'invalid_response'
        }
      );
    }
    return body as T;
  }

  private _info: IServerInfo | null = null;
  private _infoChanged = new Signal<IJwstLabClient, IServerInfo>(this);
  private _pendingInfo: Promise<IServerInfo> | null = null;
}

/** The namespace for `JwstLabClient` statics. */
export namespace JwstLabClient {
  /** Options to create a client. */
  export interface IOptions {
    /** Jupyter server connection settings; defaults to `ServerConnection.makeSettings()`. */
    serverSettings?: ServerConnection.ISettings;
    /** The front end version to compare with the server's; defaults to package.json's. */
    frontendVersion?: string;
  }
}

namespace Private {
  /**
   * For GETs whose routes reject unknown query parameters: `no-store` (the
   * default) makes `ServerConnection` append a bare timestamp parameter;
   * `no-cache` still revalidates every answer with the server.
   */
  export const NO_CACHE_BUSTER: RequestInit = { cache: 'no-cache' };

  /** Query parameters from `params`, leaving out undefined, null and empty values. */
  export function queryOf(params: Record<string, unknown>): URLSearchParams {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined || value === null || value === '') {
        continue;
      }
      query.set(key, String(value));
    }
    return query;
  }

  /** The parsed JSON of `text`, or undefined when it is not JSON. */
  export function parseJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  /** A typed error from a non-2xx response and its (possibly non-JSON) body. */
  export function errorFromResponse(
    response: Response,
    body: unknown
  ): JwstLabApiError {
    const fallback = response.statusText || `HTTP error ${response.status}`;
    if (isErrorBody(body)) {
      // `field` names the request field at fault (a 400, or a 404 about one
      // field such as an unknown `target`); the view places the message there.
      const field: unknown = body.field;
      return new JwstLabApiError(body.message || fallback, {
        status: response.status,
        reason: typeof body.reason === 'string' ? body.reason : null,
        field: typeof field === 'string' && field !== '' ? field : null,
        detail: typeof body.detail === 'string' ? body.detail : null
      });
    }
    return new JwstLabApiError(fallback, {
      status: response.status,
      reason: null
    });
  }

  function isErrorBody(body: unknown): body is IErrorBody {
    return (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as Partial<IErrorBody>).message === 'string'
    );
  }
}
