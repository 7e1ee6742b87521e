import { ServerConnection } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

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
} from './api/models';
import type { IEventsConnection } from './api/events';

/** URL segment under the server's base URL where every jwst-lab route lives. */
export const API_NAMESPACE = 'jwst-lab';

/** Translation domain of the front end's strings. */
export const TRANSLATION_DOMAIN = 'jwst_lab';

/** Command palette category of every jwst-lab command. */
export const COMMAND_CATEGORY = 'JWST';

/** Plugin ids; each one with settings has `schema/<name after the colon>.json`. */
export const PluginIds = {
  client: 'jwst-lab:client',
  events: 'jwst-lab:events',
  mast: 'jwst-lab:mast',
  crds: 'jwst-lab:crds',
  jobs: 'jwst-lab:jobs',
  runs: 'jwst-lab:runs'
} as const;

/** Command ids. */
export const CommandIds = {
  openMast: 'jwst-lab:open-mast',
  openCrds: 'jwst-lab:open-crds',
  openJobs: 'jwst-lab:open-jobs',
  showInfo: 'jwst-lab:show-info'
} as const;

/** Widget ids of the sidebar panels (UI tests find the tabs by them). */
export const PanelIds = {
  mast: 'jwst-lab-mast-panel',
  crds: 'jwst-lab-crds-panel',
  jobs: 'jwst-lab-jobs-panel'
} as const;

/**
 * Route groups a server may list in `GET /info` `features`.
 *
 * A control that needs a route group is enabled only when the server lists it,
 * so a front end newer than its server degrades clearly instead of hitting 404s.
 */
export const Features = {
  info: 'info',
  events: 'events',
  mast: 'mast',
  downloads: 'downloads',
  crds: 'crds',
  crdsFetch: 'crds_fetch',
  pipelines: 'pipelines',
  previews: 'previews',
  jobs: 'jobs'
} as const satisfies Record<string, Feature>;

/** A route group name as listed in `GET /info` `features` (the spec's enum). */
export type Feature = IServerInfo['features'][number];

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

/** The spectral-product methods of the API client (the `previews` route group). */
export interface ISpectraApi {
  /** `GET /spectra`: the spectra of an x1d file and the arrays of one. */
  getSpectra(
    path: string,
    options?: ISpectraOptions
  ): Promise<ISpectraResponse>;
  /** `GET /spectra/image`: the slits of an s2d file and one slit as shown. */
  getSpectralImage(path: string, slit?: number): Promise<ISpectralImage>;
  /** `GET /spectra/image/preview`: a slit as a PNG blob. */
  getSpectralImagePreview(
    path: string,
    slit: number,
    stretch: string
  ): Promise<Blob>;
  /** `GET /cubes`: an s3d cube's shape, unit and plane wavelengths. */
  getCube(path: string): Promise<ICubeInfo>;
  /** `GET /cubes/slice`: a plane (or a mean of planes) as a PNG blob. */
  getCubeSlice(path: string, options: ICubeSliceOptions): Promise<Blob>;
  /** `GET /cubes/spectrum`: the spectrum of a spaxel (0-based) or a small aperture. */
  getCubeSpectrum(
    path: string,
    x: number,
    y: number,
    radius?: number
  ): Promise<ICubeSpectrum>;
}

/**
 * The client of the jwst-lab REST API shared by every jwst-lab plugin.
 */
export interface IJwstLabClient extends ICrdsApi, ISpectraApi {
  /** The Jupyter server connection settings used for every request. */
  readonly serverSettings: ServerConnection.ISettings;

  /** The version of this front end (from its package.json). */
  readonly frontendVersion: string;

  /** The last server information received, or null before the first answer. */
  readonly info: IServerInfo | null;

  /** Emitted whenever fresh server information arrives. */
  readonly infoChanged: ISignal<IJwstLabClient, IServerInfo>;

  /** Fetch `GET /info`; concurrent calls share one request. */
  getInfo(): Promise<IServerInfo>;

  /** Fetch `GET /info` and compare the server's version with the front end's. */
  checkVersion(): Promise<IVersionCheck>;

  /** Whether the server lists `feature`; false until server information arrived. */
  hasFeature(feature: Feature): boolean;

  /**
   * Fetch `GET /jobs`: one page of jobs, newest first, optionally only those
   * in the given states. Needs the `jobs` feature.
   */
  listJobs(options?: IListJobsOptions): Promise<IJobList>;

  /** `GET /pipelines`: installed pipelines and what each accepts. */
  listPipelines(): Promise<IPipelineList>;

  /** `GET /pipelines/{alias}/spec`: parameters of a pipeline and its steps. */
  getPipelineSpec(alias: string): Promise<IPipelineSpec>;

  /** `GET /associations?path=`: an association file read and validated. */
  readAssociation(path: string): Promise<IAssociation>;

  /**
   * `GET /pipelines/{alias}/parameters`: the values a job on `input` would
   * run with (code defaults merged with CRDS `pars-*` references) and their sources.
   */
  getPipelineParameters(
    alias: string,
    input: string,
    context?: string | null
  ): Promise<IPipelineParameters>;

  /** `GET /pipelines/applicable`: the pipelines that apply to an exposure, by EXP_TYPE. */
  getApplicablePipelines(input: string): Promise<IApplicablePipelines>;

  /** `GET /pipelines/parameter-files?path=`: an ASDF parameter file's values. */
  readParameterFile(path: string): Promise<IParameterFile>;

  /** `POST /pipelines/parameter-files`: write values as an ASDF parameter file. */
  writeParameterFile(request: IParameterFileWrite): Promise<IParameterFile>;

  /** `POST /pipelines/{alias}/strun`: the values as a strun line that runs anywhere. */
  getStrunCommand(
    alias: string,
    request: IStrunRequest
  ): Promise<IStrunCommand>;

  /** `POST /jobs`: queue a pipeline job; answers the new job. */
  createJob(request: IJobCreate): Promise<IJobRecord>;

  /** `GET /jobs/{id}`: one job. */
  getJob(id: string): Promise<IJobRecord>;

  /** `DELETE /jobs/{id}`: delete a finished job's record and log. */
  deleteJob(id: string): Promise<void>;

  /** `POST /jobs/{id}/cancel`: cancel a queued or running job. */
  cancelJob(id: string): Promise<IJobRecord>;

  /** `POST /jobs/{id}/rerun`: the same job again; answers the new job. */
  rerunJob(id: string): Promise<IJobRecord>;

  /** `GET /jobs/{id}/log?offset=`: the job's log from a byte offset. */
  getJobLog(id: string, offset?: number): Promise<IJobLog>;

  /** `GET /previews?path=`: a PNG quick look of a 2-D image, as a blob. */
  getPreview(path: string, options?: IPreviewOptions): Promise<Blob>;

  /** `GET /images/info?path=`: shape, unit, WCS source and catalog of a 2-D image. */
  getImageInfo(path: string): Promise<IImageInfo>;

  /** `GET /images/pixel`: value, DQ and RA/Dec at 0-based `(x, y)` of an image. */
  getImagePixel(path: string, x: number, y: number): Promise<IImagePixel>;

  /** `GET /catalogs?path=`: a page of an ECSV source catalog. */
  getCatalog(path: string, options?: ICatalogOptions): Promise<ICatalogTable>;

  /** `POST /runs` with `dry_run`: what a run would do; nothing is created. */
  planRun(request: IRunCreate): Promise<IRunPlan>;

  /** `POST /runs`: create a run; answers its record. */
  createRun(request: IRunCreate): Promise<IRunRecord>;

  /** `GET /runs`: one page of runs, newest first. */
  listRuns(options?: IListRunsOptions): Promise<IRunList>;

  /** `GET /runs/{id}`: one run. */
  getRun(id: string): Promise<IRunRecord>;

  /** `POST /runs/{id}/cancel`: cancel what has not ended. */
  cancelRun(id: string): Promise<IRunRecord>;

  /** `POST /runs/{id}/resume`: run again what is not complete. */
  resumeRun(id: string): Promise<IRunRecord>;

  /** `DELETE /runs/{id}`: delete a finished run's record. */
  deleteRun(id: string): Promise<void>;

  /** Search MAST observations (`GET /mast/observations`). Needs the `mast` feature. */
  searchObservations(params: IMastSearchParams): Promise<IMastSearchResult>;

  /**
   * A product's FITS headers and quick look read from MAST's cloud bucket with
   * range requests (`GET /mast/peek`), without downloading it.
   */
  peekProduct(params: IMastPeekParams): Promise<IMastPeek>;

  /** The products of one observation (`GET /mast/observations/{obsid}/products`). */
  listProducts(
    obsid: string,
    params?: IMastProductParams
  ): Promise<IMastProductsResult>;

  /** Whether the server holds a MAST token (never the token itself). */
  getMastToken(): Promise<IMastTokenState>;

  /** Hand a MAST token to the server (`PUT /mast/token`); nothing keeps it in the browser. */
  setMastToken(token: string): Promise<IMastTokenState>;

  /** Forget the server's MAST token (`DELETE /mast/token`). */
  deleteMastToken(): Promise<void>;

  /** Start a download job (`POST /downloads`). Needs the `downloads` feature. */
  createDownload(request: IDownloadRequest): Promise<IDownloadCreated>;
}

/** The jwst-lab REST API client, provided by the `jwst-lab:client` plugin. */
export const IJwstLabClient = new Token<IJwstLabClient>(
  'jwst-lab:IJwstLabClient',
  'The jwst-lab REST API client: server information, version handshake and feature detection.'
);

/**
 * The one `/jwst-lab/events` websocket of the page, shared by every panel
 * (job states, progress and log lines, download progress).
 */
export const IJwstLabEvents = new Token<IEventsConnection>(
  'jwst-lab:IJwstLabEvents',
  'The jwst-lab server events stream (one websocket per page, reconnecting).'
);
