/**
 * The front end's names for the REST contract's shapes.
 *
 * Every shape the server sends or accepts is an alias of a type generated
 * from `api/openapi.yaml` into `./types` (run `jlpm gen:types`; never edit
 * that file): when the spec changes, these change with it and the compiler
 * shows what no longer fits. The rest of this module holds what the spec
 * does not describe: options objects of the client's methods, the events
 * websocket's messages (the spec gives them in prose only) and views derived
 * on the client. Field names keep the server's snake_case.
 */
import type { components, operations } from './types';

type Schemas = components['schemas'];

/** The query parameters of an operation. */
type QueryOf<K extends keyof operations> = NonNullable<
  operations[K]['parameters']['query']
>;

// ---------------------------------------------------------------------------
// Server information (`GET /info`)

/** `GET /info`: what the server is and how it is configured. */
export type IServerInfo = Schemas['InfoResponse'];

/** CRDS configuration as the server resolved it. */
export type ICrdsInfo = Schemas['CrdsInfo'];

/** How CRDS finds reference files: `serverless` means no CRDS server, cache only. */
export type CrdsMode = ICrdsInfo['mode'];

/** Where the CRDS context comes from. */
export type CrdsContextSource = ICrdsInfo['context_source'];

/** `GET /info` `job_store`: the state of the server's job database. */
export type IJobStoreInfo = Schemas['JobStoreInfo'];

/** The job database: usable, rebuilt at start-up, or unusable (job routes answer 503). */
export type JobStoreState = IJobStoreInfo['state'];

/** The body of every 4xx/5xx answer (`field`: the request field at fault). */
export type IErrorBody = Schemas['Error'];

/** The outcome of comparing the front end's version with the server's (client only). */
export interface IVersionCheck {
  /** True when both versions are equal. */
  compatible: boolean;
  frontend: string;
  server: string;
  info: IServerInfo;
}

// ---------------------------------------------------------------------------
// Events websocket (`/events`)

/** An event the server published: job state changes, progress, log lines. */
export type IServerEvent = Schemas['Event'];

/** First message on the events websocket. */
export interface IHelloMessage {
  type: 'hello';
  version: string;
}

/** Sent in place of events a slow client missed: reload state over REST. */
export interface IEventsDroppedMessage {
  type: 'events.dropped';
  count: number;
}

/** What the `events` signal of the events stream carries. */
export type EventsStreamMessage = IServerEvent | IEventsDroppedMessage;

// ---------------------------------------------------------------------------
// Jobs

/** One job as the server sends it. */
export type IJobRecord = Schemas['Job'];

/** Whether a job runs a pipeline, downloads data or fetches CRDS references. */
export type JobKind = IJobRecord['kind'];

/** The life cycle of a job; the last four are final. */
export type JobStatus = IJobRecord['status'];

/** How far a job got (pipeline steps; bytes and files for transfers). */
export type IJobProgress = Schemas['JobProgress'];

/** A job's equivalent command line and notebook code. */
export type IJobCommands = Schemas['JobCommands'];

/** What a `download` job fetches and where (its `download` member). */
export type IDownloadInfo = Schemas['DownloadInfo'];

/** What a `crds_fetch` job syncs into the CRDS cache (its `crds_fetch` member). */
export type ICrdsFetchInfo = Schemas['CrdsFetchInfo'];

/** `GET /jobs`: one page of jobs, newest first. */
export type IJobList = Schemas['JobList'];

/** `POST /jobs`: run a pipeline on one input. */
export type IJobCreate = Schemas['JobCreate'];

/** `GET /jobs/{id}/log?offset=`. */
export type IJobLog = Schemas['JobLog'];

/** What `listJobs` asks for (client options; the query is `status`, `page`, `page_size`). */
export interface IListJobsOptions {
  /** Only jobs in these states; all jobs when empty or absent. */
  status?: JobStatus | JobStatus[];
  /** 1-based page number (server default 1). */
  page?: number;
  /** Jobs per page (server default 100). */
  pageSize?: number;
}

/** How far a transfer job got, with the unknowns (null) resolved (client view). */
export interface IDownloadProgress {
  bytes_done: number;
  bytes_total: number | null;
  files_done: number;
  files_total: number | null;
}

// ---------------------------------------------------------------------------
// Pipelines and associations

/** One parameter of a pipeline or step, from stpipe's configobj spec. */
export type IParamSpec = Schemas['ParamSpec'];

/** `GET /pipelines`: one pipeline or step. */
export type IPipelineSummary = Schemas['PipelineSummary'];

/** `GET /pipelines`. */
export type IPipelineList = Schemas['PipelineList'];

/** `GET /pipelines/{alias}/spec`. */
export type IPipelineSpec = Schemas['PipelineSpec'];

/** One step of a pipeline spec with its parameters. */
export type IStepSpec = Schemas['StepSpec'];

/** `GET /pipelines/{alias}/parameters`: the values a job would run with, and their sources. */
export type IPipelineParameters = Schemas['PipelineParameters'];

/** One effective parameter value and where it comes from. */
export type IEffectiveValue = Schemas['EffectiveValue'];

/** `GET /pipelines/applicable`: the pipelines that apply to an exposure (EXP_TYPE). */
export type IApplicablePipelines = Schemas['ApplicablePipelines'];

/** `GET`/`POST /pipelines/parameter-files`: a parameter file's values. */
export type IParameterFile = Schemas['ParameterFile'];

/** `POST /pipelines/parameter-files`: what to write. */
export type IParameterFileWrite = Schemas['ParameterFileWrite'];

/** `POST /pipelines/{alias}/strun`: the dialog's values. */
export type IStrunRequest = Schemas['StrunRequest'];

/** `POST /pipelines/{alias}/strun`: a strun line that runs from any folder. */
export type IStrunCommand = Schemas['StrunCommand'];

/** `GET /associations?path=`: an association read and validated. */
export type IAssociation = Schemas['Association'];

/** One member of an association product. */
export type IAssociationMember =
  IAssociation['products'][number]['members'][number];

/** `GET /previews` options (besides the path). */
export type IPreviewOptions = Omit<QueryOf<'getPreview'>, 'path'>;

/** `GET /images/info`: what a viewer needs to know of a 2-D image. */
export type IImageInfo = Schemas['ImageInfo'];

/** `GET /images/pixel`: the pixel under a position, with its RA/Dec. */
export type IImagePixel = Schemas['ImagePixel'];

/** `GET /catalogs` options (besides the path). */
export type ICatalogOptions = Omit<QueryOf<'getCatalog'>, 'path'>;

/** `GET /catalogs`: a page of an ECSV source catalog. */
export type ICatalogTable = Schemas['CatalogTable'];

/** A column of a source catalog. */
export type ICatalogColumn = Schemas['CatalogColumn'];

/** One cell of a source catalog (NaN and masked cells are null). */
export type CatalogCell = ICatalogTable['rows'][number][number];

// ---------------------------------------------------------------------------
// Spectra (`/spectra`, `/spectra/image`, `/cubes`)

/** `GET /spectra`: the spectra of an x1d or x1dints file and the arrays of one. */
export type ISpectraResponse = Schemas['SpectraResponse'];

/** One spectrum of an x1d-like file: slit, source, order, integration. */
export type ISpectrumInfo = Schemas['SpectrumInfo'];

/** The arrays of one spectrum (nulls where the file holds NaN). */
export type ISpectrumData = Schemas['SpectrumData'];

/** `GET /spectra` options (besides the path). */
export type ISpectraOptions = Omit<QueryOf<'getSpectra'>, 'path'>;

/** `GET /spectra/image`: the slits of an s2d file and one slit as shown. */
export type ISpectralImage = Schemas['SpectralImage'];

/** A slit of an s2d file. */
export type ISlitInfo = Schemas['SlitInfo'];

/** A slit as shown: dispersion left to right, wavelength of each column. */
export type ISlitImage = ISpectralImage['slit'];

/** `GET /cubes`: an s3d cube's shape, unit and plane wavelengths. */
export type ICubeInfo = Schemas['CubeInfo'];

/** `GET /cubes/slice` options (besides the path). */
export type ICubeSliceOptions = Omit<QueryOf<'getCubeSlice'>, 'path'>;

/** `GET /cubes/spectrum`: the spectrum of a spaxel or a small aperture. */
export type ICubeSpectrum = Schemas['CubeSpectrum'];

// ---------------------------------------------------------------------------
// MAST

/** `GET /mast/observations` query: a target or coordinates, and criteria. */
export type IMastSearchParams = QueryOf<'searchObservations'>;

/** `GET /mast/observations`: one page of observations. */
export type IMastSearchResult = Schemas['MastSearchResponse'];

/** `GET /mast/observations/{obsid}/products` query. */
export type IMastProductParams = QueryOf<'listProducts'>;

/** `GET /mast/peek` query: the product's dataURI, and whether to read a quick look. */
export type IMastPeekParams = QueryOf<'peekProduct'>;

/** `GET /mast/peek`: a product's headers and quick look, read from the cloud bucket. */
export type IMastPeek = Schemas['MastPeekResponse'];

/** `GET /mast/observations/{obsid}/products`: the products of an observation. */
export type IMastProductsResult = Schemas['MastProductsResponse'];

/** Which archive answers a MAST request: MAST itself or the server's local archive. */
export type MastSource = IMastSearchResult['source'];

/** A column of a MAST table: its name and type. */
export type IMastColumn = Schemas['MastColumn'];

/** One row of a MAST table, keyed by MAST's column names (`obs_id`, `s_ra`, ...). */
export type MastRow = IMastSearchResult['rows'][number];

/** One cell of a MAST row (masked values and NaN arrive as null). */
export type MastValue = MastRow[string];

/** `GET /mast/token`: whether a MAST token is set; the token itself is never sent back. */
export type IMastTokenState = Schemas['MastTokenState'];

/** `POST /downloads`: products to fetch into a folder under the server root. */
export type IDownloadRequest = Schemas['DownloadCreate'];

/** `POST /downloads` answer: the queued job and the equivalent astroquery code. */
export type IDownloadCreated = Schemas['DownloadCreated'];

// ---------------------------------------------------------------------------
// CRDS

/** A CRDS JWST pipeline context name (`jwst_1234.pmap`); its pattern is `CRDS_CONTEXT_PATTERN`. */
export type CrdsContextName = Schemas['CrdsContextName'];

/** `GET /crds/status`. */
export type ICrdsStatus = Schemas['CrdsStatus'];

/** `GET /crds/contexts`. */
export type ICrdsContextList = Schemas['CrdsContextList'];

/** One context of `GET /crds/contexts`. */
export type ICrdsContext = Schemas['CrdsContext'];

/** `GET /crds/contexts/{context}`. */
export type ICrdsTree = Schemas['CrdsTree'];

/** One instrument of a context tree, with its reference types. */
export type ICrdsTreeInstrument = ICrdsTree['instruments'][number];

/** One reference type of an instrument in a context tree. */
export type ICrdsTreeType = ICrdsTreeInstrument['types'][number];

/** `GET /crds/mappings/{mapping}`. */
export type ICrdsMapping = Schemas['CrdsMapping'];

/** `POST /crds/bestrefs` body. */
export type ICrdsBestrefsRequest = Schemas['CrdsBestrefsRequest'];

/** `POST /crds/bestrefs` answer. */
export type ICrdsBestrefs = Schemas['CrdsBestrefs'];

/** One reference type of a best-references answer. */
export type ICrdsBestref = ICrdsBestrefs['types'][number];

/** `POST /crds/fetch` body: a FITS/ASDF file or an association under the root. */
export type ICrdsFetchRequest = Schemas['CrdsFetchRequest'];

/** `GET /crds/diff?old=&new=`. */
export type ICrdsDiff = Schemas['CrdsDiff'];

// ---------------------------------------------------------------------------
// Runs (`/runs`)

/** `POST /runs`: reduce these inputs up to `target_level` (or only plan, with `dry_run`). */
export type IRunCreate = Schemas['RunCreate'];

/** A run: what was asked, the plan, its jobs and how far it is. */
export type IRunRecord = Schemas['Run'];

/** A run's life cycle; the last three are final. */
export type RunStatus = IRunRecord['status'];

/** `POST /runs` with `dry_run`: what would run; nothing created. */
export type IRunPlan = Schemas['RunPlan'];

/** An association a run writes (or a given one it uses). */
export type IRunAssociation = Schemas['RunAssociation'];

/** One job of a run's graph. */
export type IRunJob = Schemas['RunJob'];

/** A job of a run's graph: `planned` in a dry run, else its job's status. */
export type RunJobStatus = IRunJob['status'];

/** A column of the graph: the jobs of one pipeline. */
export type IRunStage = Schemas['RunStage'];

/** Jobs done (succeeded or reused) out of all, and the time still expected. */
export type IRunProgress = Schemas['RunProgress'];

/** The memory budget a run's jobs are admitted against. */
export type IRunMemory = Schemas['RunMemory'];

/** `GET /runs`: a page of runs, newest first. */
export type IRunList = Schemas['RunList'];

/** What a finished job used, measured from its process tree. */
export type IJobResources = Schemas['JobResources'];

/** What `listRuns` asks for (client options; the query is `page`, `page_size`). */
export interface IListRunsOptions {
  page?: number;
  pageSize?: number;
}
