/**
 * GENERATED FILE, DO NOT EDIT: `jlpm gen:types` (scripts/gen-types.mjs)
 * writes it from api/openapi.yaml; a test fails when it differs from what the
 * spec generates. Change the spec (and the server's models), then run
 * `jlpm gen:types`. Friendly names for these types: src/api/models.ts.
 */

export interface paths {
  '/info': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Versions and configuration of this server
     * @description Versions of jwst-lab and of the libraries it drives, read from installed
     *     package metadata (the server never imports jwst). The front end compares
     *     `version` with its own and warns when they differ.
     */
    get: operations['getInfo'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Websocket of live events
     * @description Upgrade to a websocket. The server sends `{"type": "hello", "version"}`
     *     first, then every event as `{"type", "seq", "time", ...payload}` in
     *     order. `{"type": "events.dropped", "count": N}` means this client was too
     *     slow and missed N events: it should reload state over REST. A client may
     *     send the text `ping`; the server answers `{"type": "pong"}`.
     *
     *     Job events: `job.created` and `job.updated` (`{job_id, job}` with the
     *     whole record), `job.progress` (`{job_id, progress}`), `job.log`
     *     (`{job_id, lines: [{text, level}]}`, level `INFO`/`WARNING`/`ERROR`/...
     *     or null), `job.deleted` (`{job_id}`).
     *
     *     Run events: `run.created` and `run.updated` (`{run_id, run}` with the whole
     *     run record, published when one of its jobs changes), `run.deleted` (`{run_id}`).
     */
    get: operations['subscribeEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/pipelines': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Installed pipelines and steps
     * @description Every stpipe pipeline and step jwst ships: alias, class, whether it is a
     *     pipeline, its level (1, 2, 3; null for single steps), the association
     *     types and file suffixes it accepts, and its steps. Computed once per
     *     jwst version in a subprocess and cached on disk (the first call after
     *     an upgrade takes ~10 s).
     */
    get: operations['listPipelines'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/pipelines/{alias}/spec': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Parameters of a pipeline and of each of its steps */
    get: operations['getPipelineSpec'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/pipelines/{alias}/parameters': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The parameter values a job on an input would run with, and where each comes from
     * @description Each step's parameters as the job would get them: the code default,
     *     then the `pars-*` reference CRDS selects for this input and context
     *     (the step's, then the pipeline's `steps` section), as stpipe merges
     *     them. Computed by stpipe and crds in the CRDS worker process, never
     *     in the server.
     */
    get: operations['getPipelineParameters'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/pipelines/{alias}/strun': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The run dialog's values as a strun command that runs from any folder
     * @description Absolute paths (input, output folder, file parameters) and the CRDS
     *     settings the server uses (`CRDS_PATH`, `CRDS_SERVER_URL`,
     *     `CRDS_MODE`, `CRDS_CONTEXT`) as environment assignments; a Level 2
     *     association is run from its own folder (`cd … &&`).
     */
    post: operations['getStrunCommand'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/pipelines/applicable': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The calwebb pipelines that apply to an exposure
     * @description By file name (`_uncal`, `_rate`, ...) and by the primary header's
     *     `EXP_TYPE`, through the `exptypes_to_pipelines` table of CRDS's
     *     `CRDSCFG` system reference shipped with the installed `crds`
     *     (`jwst_system_crdscfg_b*.yaml`). Read with astropy, without jwst.
     */
    get: operations['getApplicablePipelines'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/pipelines/parameter-files': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An ASDF parameter file read into the run dialog's values
     * @description A file from `strun --save-parameters` or a job's `*_params.asdf`,
     *     under the server root. Parameters the installed version does not
     *     know are listed in `ignored`; those jwst-lab sets itself are left out.
     */
    get: operations['readParameterFile'];
    put?: never;
    /**
     * Write the run dialog's values as an ASDF parameter file
     * @description stpipe's parameter file layout (`class`, `name`, `parameters`,
     *     `steps`), usable with `strun <file> <input>`; written inside the
     *     server root. 409 when the file exists and `overwrite` is false.
     */
    post: operations['writeParameterFile'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/associations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An association file read and validated */
    get: operations['readAssociation'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Jobs, newest first */
    get: operations['listJobs'];
    put?: never;
    /**
     * Run a pipeline on an input under the server root
     * @description Validates the pipeline, the input (inside the root; an association
     *     must be valid and all its members present), the `steps` parameters
     *     (known names, types, bounds) and the CRDS context, then queues the
     *     job. By default it writes into its own new folder
     *     `<input folder>/<stage>_<job id>/`; an explicit `output_dir` must be
     *     a new or empty folder.
     */
    post: operations['createJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{job_id}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    /** One job with progress, outputs and provenance */
    get: operations['getJob'];
    put?: never;
    post?: never;
    /** Delete a finished job's record and log (outputs stay) */
    delete: operations['deleteJob'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{job_id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel a queued or running job
     * @description A queued job is cancelled at once. A running job's process group gets
     *     SIGTERM, then SIGKILL after a grace period; the job becomes
     *     `cancelled` when its runner has ended (watch `job.updated`).
     */
    post: operations['cancelJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{job_id}/rerun': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The same job again (pipeline, input, steps, CRDS context used) */
    post: operations['rerunJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/jobs/{job_id}/log': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    /**
     * The job's log from a byte offset
     * @description While the job runs only complete lines are returned; continue from
     *     `next_offset`. `done` is true once the job has ended and the whole
     *     log has been read.
     */
    get: operations['getJobLog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Runs, newest first */
    get: operations['listRuns'];
    put?: never;
    /**
     * Reduce a program (inputs under the root) up to a level, as one run
     * @description Plans the run with jwst's own association rules (in a subprocess), checks
     *     every path (inputs, pool, output_dir, step file parameters stay in the root),
     *     every step parameter per pipeline and each job's memory estimate against
     *     `memory_limit` (409 `insufficient_memory` unless `force`), then makes the run
     *     folder (`stage1/`, `stage2/`, `stage3/`, the associations, `run.json`) and
     *     queues every job with its dependencies. With `dry_run` it answers the plan
     *     (200) and creates nothing.
     */
    post: operations['createRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{run_id}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    /** One run with its jobs, progress and memory */
    get: operations['getRun'];
    put?: never;
    post?: never;
    /** Delete a finished run's record and its jobs' records (outputs stay) */
    delete: operations['deleteRun'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{run_id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel every queued or running job of a run */
    post: operations['cancelRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/runs/{run_id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Run again what is not complete
     * @description Every job of the plan whose outputs exist and whose provenance (pipeline,
     *     parameters, CRDS context, jwst version, input and output files' sizes and
     *     modification times) matches what `run.json` recorded is reused (`reused: true`)
     *     and not run; the others get new jobs. A resumed run of a finished program
     *     does no pipeline work.
     */
    post: operations['resumeRun'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/previews': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * PNG quick look of a 2-D image under the root
     * @description 8-bit greyscale PNG of the first 2-D image (the `SCI` extension when
     *     there is one) of a FITS file such as an `i2d`, `cal` or `rate`,
     *     block-averaged so that its longest side is at most `max_size`.
     */
    get: operations['getPreview'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/info': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * What a viewer needs to know of a 2-D image
     * @description Shape and unit of the science image of a FITS file (`i2d`, `cal`, `rate`), whether it
     *     has a DQ extension, where its world coordinates come from (the datamodel's gwcs in
     *     the `ASDF` extension, else the science header's FITS WCS, else none), and the image3
     *     source catalog beside an `_i2d.fits` (`_cat.ecsv`). The file stays open on the
     *     server (a few images, per path, modification time and size) for the pixel and
     *     region requests that follow. The WCS is read in a child process (asdf's extensions
     *     import stdatamodels, which the server never does); 503 when it cannot answer.
     */
    get: operations['getImageInfo'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/images/pixel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The pixel under a position, with its RA/Dec
     * @description The science value (and DQ flags) of the pixel nearest to `(x, y)`, 0-based pixel
     *     coordinates (FITS pixel numbers minus 1), and the ICRS position of `(x, y)` computed
     *     on the server from the file's WCS (null without one).
     */
    get: operations['getImagePixel'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/catalogs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A page of an ECSV source catalog
     * @description An ECSV table (such as image3's `_cat.ecsv`) read with astropy: its columns (name,
     *     unit, description, dtype; sky coordinates split into `<name>.ra` and `<name>.dec` in
     *     degrees) and up to `limit` rows from `offset`, with the total count. NaN and masked
     *     cells are null. Names the columns holding pixel and sky positions, and the
     *     `_i2d.fits` beside a `_cat.ecsv`. A file that is not ECSV is a 400.
     */
    get: operations['getCatalog'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/spectra': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The spectra of an x1d or x1dints file
     * @description Every spectrum of a file of extracted spectra: one per `EXTRACT1D` table
     *     (`x1d`), or one per row when its columns are vectors (`x1dints`:
     *     integrations; WFSS: sources), with its slit, source, spectral order and
     *     integration; and the arrays of spectrum `index`: `WAVELENGTH`, `FLUX`
     *     (or `SURF_BRIGHT` when FLUX holds no value) and its error, with the
     *     units of the table (`TUNITn`). NaN are null. A spectrum longer than
     *     `max_points` is decimated (the lowest and highest flux of each bin of
     *     consecutive points, and the gaps; `downsampled`, `note`). A file with
     *     no such table is a 400 on `path`; an `index` beyond the spectra a 400
     *     on `index`.
     */
    get: operations['getSpectra'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/spectra/image': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The slits of an s2d file and the wavelength of each column of one
     * @description The 2-D `SCI` images of a resampled spectrum (`s2d`: one per slit or
     *     source) and, for `slit`, its shape as shown (the dispersion left to
     *     right: a `DISPAXIS = 2` image is transposed) and the wavelength of each
     *     shown column: from the slit's `WAVELENGTH` array (the median across the
     *     dispersion), else its gwcs (the `ASDF` extension), else the FITS WCS.
     *     `GET /spectra/image/preview` draws it. Cached per file version.
     */
    get: operations['getSpectralImage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/spectra/image/preview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * PNG of one slit of an s2d file, the dispersion left to right
     * @description 8-bit greyscale, row 0 at the bottom, stretched over the slit's own
     *     values; pixel `i` averages the shown columns `i*column_step` on (see
     *     `GET /spectra/image`), so wavelength ticks can be placed exactly.
     */
    get: operations['getSpectralImagePreview'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/cubes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An s3d cube's shape, unit and the wavelength of each plane
     * @description Wavelengths from linear `CTYPE3 = 'WAVE'` keywords, a `WAVE-TAB` lookup
     *     table, another spectral FITS axis, else the gwcs; in the unit of the
     *     file (`CUNIT3`). A file whose science image is not 3-D is a 400 on
     *     `path`. Cached per file version.
     */
    get: operations['getCube'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/cubes/slice': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * PNG of a plane of an s3d cube (or the mean of several)
     * @description Plane `index` (0-based), or the mean of `collapse` planes from it;
     *     8-bit greyscale, row 0 at the bottom, stretched over the plane's own
     *     values. Only those planes are read.
     */
    get: operations['getCubeSlice'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/cubes/spectrum': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The spectrum of a spaxel of an s3d cube, or of a small aperture
     * @description The mean over the spaxels within `radius` of (`x`, `y`) (0-based, row 0
     *     at the bottom) of each plane, and its error from the `ERR` array. A
     *     spaxel outside the cube is a 400 on `x` or `y`.
     */
    get: operations['getCubeSpectrum'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/mast/observations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search MAST (or the local archive) for observations
     * @description Criteria as MAST understands them: `collection` defaults to `JWST`
     *     (`all` widens it); `instrument=MIRI` matches `MIRI/IMAGE` etc.;
     *     `filters` matches any token of MAST's `F150W;CLEAR` values; `t_min` /
     *     `t_max` are ISO dates (observations overlapping the range); a `target`
     *     is resolved to coordinates by MAST's name resolver (cone of `radius`
     *     degrees, default 0.2), and the local archive also matches its recorded
     *     `target_name` ignoring case and spaces. Results are paged (`total` is
     *     the full count, never capped). Backend: `archive_backend` (`auto` =
     *     MAST, else the local archive when MAST does not answer), or
     *     `source=mast|local` per request. `python` is the equivalent astroquery
     *     code; `cone` the cone searched. A target the resolver does not know is
     *     a 404 `unknown_target` (field `target`, one sentence in `message`, what
     *     the resolver answered in `detail`); a resolver that cannot be reached
     *     is a 502 `resolver_unavailable` (field `target`), or in the local
     *     archive a 404 `unknown_target` when no recorded name matches.
     */
    get: operations['searchObservations'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/mast/observations/{obsid}/products': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The products of one observation
     * @description MAST's `Mast.Caom.Products` rows (a level 3 observation lists its
     *     members' products too). Guide-star products are hidden unless
     *     `include_guidestar=true`. Local-archive rows also carry `local_path`.
     */
    get: operations['listProducts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/mast/peek': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A product's FITS headers and quick look, read from the cloud bucket
     * @description Locates the product in MAST's public bucket (MAST's path lookup, as
     *     astroquery's `get_cloud_uris`) and reads its primary and science
     *     extension headers, and a small PNG of the science image (every n-th
     *     row), with range requests: a peek reads a small part of the object
     *     (`bytes_read` of `size`), never the whole file. Needs cloud access
     *     (`c.JwstLabApp.cloud = "aws"`, or `cloud=aws`). Every request to the
     *     bucket has a timeout and is tried twice at most. 404 (`not_in_bucket`):
     *     the product is not in the bucket (download it instead); 502: the
     *     bucket or MAST's path lookup could not be reached or failed; 503
     *     (`cloud_unavailable`): the bucket answered a server error.
     */
    get: operations['peekProduct'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/mast/token': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Whether a MAST token is set (never the token) */
    get: operations['getMastToken'];
    /**
     * Keep a MAST token server-side (memory, or the system keyring)
     * @description The token is never returned by any route, logged, or put in an error or a job record.
     */
    put: operations['setMastToken'];
    post?: never;
    /** Forget the MAST token */
    delete: operations['deleteMastToken'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/downloads': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Start a download job for MAST or local-archive products
     * @description Queues a job of kind `download` (it shows in `GET /jobs` and the Jobs
     *     panel like pipeline runs). Give `products` (dataURIs) or `obsids` (with
     *     optional `product_filters`, e.g. `{"productSubGroupDescription": ["CAL"]}`).
     *     Files go to `dest/<obs_collection>/<obs_id>/<productFilename>`; `dest`
     *     is relative to the server root (default `download_dir`) and must stay
     *     inside it, symbolic links included.
     *
     *     The job fetches `max_parallel_downloads` files at once, writes each to
     *     `<file>.part`, resumes partial files with HTTP range requests, retries
     *     transient errors with backoff, verifies sizes (and checksums when the
     *     source gives them) before renaming into place, skips files already
     *     complete and records what it fetched in `dest/jwst_lab_manifest.json`.
     *     Progress events carry `bytes_done`, `bytes_total`, `files_done`,
     *     `files_total`. A download whose process died with the server is queued
     *     again when the server restarts and resumes its partial files. A cancel
     *     deletes the partial files. Download jobs always run on the server's host
     *     (never on a remote Dask worker); the MAST token reaches the download
     *     process through its environment only.
     */
    post: operations['createDownload'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * CRDS mode, cache, server and effective context
     * @description Always 200: problems are reported in the body. `fix` says exactly
     *     what to set when the cache is unusable or the server does not answer.
     */
    get: operations['getCrdsStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/contexts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The context history, then cached contexts absent from it
     * @description From the CRDS server when it answers, else from the cache's
     *     `server_config`. Newest first. 503 when the cache is unusable,
     *     502 when the server does not answer in remote mode.
     */
    get: operations['listCrdsContexts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/contexts/{context}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A context's tree: instruments → reference types → rmaps */
    get: operations['getCrdsContextTree'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/mappings/{mapping}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One mapping parsed into a table (header, columns, one row per rule)
     * @description `mapping` must be a plain CRDS JWST mapping name (no path, no `..`,
     *     no other observatory): 400 otherwise, 404 when it is not cached.
     */
    get: operations['getCrdsMapping'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/bestrefs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Best references for a FITS/ASDF file under the root or a header
     * @description Every reference type the context defines for the file's instrument,
     *     with its file or why there is none (`n/a`, `no_match`,
     *     `missing_parkey`, `error`), whether it is cached, and the bytes still
     *     to fetch (`null`: unknown, e.g. offline). Computed by crds in a worker
     *     process, never in the server.
     */
    post: operations['getCrdsBestReferences'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/fetch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Sync the references a file or association needs into the CRDS cache (a job)
     * @description Creates a job of kind `crds_fetch`, listed in `/jobs` like any job.
     *     It runs in its own process with the real `crds` client: best
     *     references of the file (or of every member of an association) at the
     *     context, then those not yet cached are fetched in parallel
     *     (`crds_fetch_concurrency` connections) into crds's cache layout, under
     *     crds's per-file lock, each renamed into place only once its size and
     *     sha1 match the server's file info (a mismatch fails that reference and
     *     keeps nothing); cached ones are skipped. Progress is files and bytes
     *     done/total; cancel with `POST /jobs/{id}/cancel`. Needs a CRDS server
     *     and a writable cache.
     */
    post: operations['fetchCrdsReferences'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/crds/diff': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What changed between two contexts */
    get: operations['getCrdsDiff'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description One URL path segment; an encoded `/` or `\`, `.`, `..`, or more than 255 characters is a 400 */
    PathSegment: string;
    /** @description A path relative to the server root (`/`-separated, no `..`, not absolute, each name at most 255 bytes); a path that leaves the root, symbolic links included, is a 400 */
    RelativePath: string;
    /**
     * @description A CRDS JWST pipeline context (a `.pmap`), e.g. `jwst_1234.pmap`: the pattern and
     *     length the server checks (`core/crds.py` `CONTEXT_NAME`); take them from here.
     * @example jwst_0541.pmap
     */
    CrdsContextName: string;
    CrdsStatus: {
      /** @enum {string} */
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
        /** @description null: not asked (no server configured) */
        reachable: boolean | null;
        error: string | null;
      };
      context: string | null;
      /** @enum {string} */
      context_reason: 'pinned' | 'operational' | 'latest cached' | 'none';
      /**
       * @description Where a pinned context comes from (`configured`, `environment`); otherwise the same as `context_reason`
       * @enum {string}
       */
      context_source:
        'configured' | 'environment' | 'operational' | 'latest cached' | 'none';
      operational_context: string | null;
      ok: boolean;
      usable: boolean;
      problems: string[];
      fix: string | null;
    };
    CrdsContext: {
      context: string;
      date: string | null;
      description: string | null;
      /** @enum {string} */
      status: 'operational' | 'archived' | 'not cached' | 'cached only';
      cached: boolean;
      in_history: boolean;
      effective: boolean;
    };
    CrdsContextList: {
      /** @enum {string} */
      source: 'server' | 'cache';
      operational_context: string | null;
      effective_context: string | null;
      history_count: number;
      contexts: components['schemas']['CrdsContext'][];
    };
    CrdsTree: {
      context: string;
      /** @description name, mapping, instrument, filekind, parkeys, classes, derived_from, description, comment, sha1sum, extra */
      header: Record<string, unknown>;
      counts: {
        imaps: number;
        rmaps: number;
        references: number;
      };
      instruments: {
        instrument: string;
        imap: string;
        types: {
          reftype: string;
          description: string;
          rmap: string | null;
          /** @description `rmap`, or `N/A` / `OMIT` when the type does not apply */
          status: string;
          rules: number;
          references: number;
        }[];
      }[];
    };
    CrdsMapping: {
      name: string;
      /** @enum {string} */
      kind: 'pipeline' | 'instrument' | 'reference';
      /** @description name, mapping, instrument, filekind, parkeys, classes, derived_from, description, comment, sha1sum, extra */
      header: Record<string, unknown>;
      columns: string[];
      /** @description One row per selector rule (Match/UseAfter flattened), values in column order */
      rows: string[][];
      text_descr: string | null;
    };
    /** @description Exactly one of `path` and `header` */
    CrdsBestrefsRequest: {
      /** @description A FITS or ASDF file, relative to the server root */
      path?: string | null;
      /** @description Keyword → value (FITS keywords or datamodel paths such as META.INSTRUMENT.NAME) */
      header?: Record<string, unknown> | null;
      /** @description A .pmap; null (or empty) for the effective context */
      context?: components['schemas']['CrdsContextName'] | null;
    };
    CrdsFetchRequest: {
      /** @description A FITS/ASDF file or an association (.json), relative to the server root */
      path: string;
      /** @description A .pmap; null (or empty) for the effective context */
      context?: components['schemas']['CrdsContextName'] | null;
    };
    CrdsBestrefs: {
      context: string;
      instrument: string;
      /** @description crds's processing mode: `local` (rules from the cache) or `remote` */
      mode: string;
      types: {
        reftype: string;
        description: string;
        reference: string | null;
        /** @enum {string} */
        status: 'found' | 'n/a' | 'no_match' | 'missing_parkey' | 'error';
        reason: string | null;
        cached: boolean | null;
        size: number | null;
      }[];
      found: number;
      cached: number;
      missing: number;
      /** @description null: unknown (offline) */
      bytes_to_fetch: number | null;
      /** @description `requested`, `pinned`, `operational` or `latest cached` */
      context_reason: string;
      /** @description What the references are for; `path` (a file) or `header_keys` (the number of keys of a header) */
      source: {
        path?: string;
        header_keys?: number;
      };
      cache_path: string | null;
      readonly: boolean;
    };
    CrdsDiff: {
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
      replaced_mappings: {
        old: string;
        new: string;
      }[];
      affected: {
        instrument: string;
        types: string[];
      }[];
      changes: {
        mappings: string[];
        rmap: string | null;
        selector: string[];
        change: string;
      }[];
    };
    Error: {
      /** @description What went wrong, for a person (which field and why, for a 400) */
      message: string;
      /** @description A short machine-readable code, e.g. `bad_request`, `not_found` */
      reason: string | null;
      /**
       * @description The request field at fault, when one is, so the front end can place the message:
       *     a dotted path into the body (`steps.resample.pixfrac`, `products.3`, `body` for
       *     the body as a whole), or a query or path parameter's name. Always present on a
       *     400; on a 404 it names the path parameter (`job_id`, `obsid`, `context`,
       *     `mapping`, `alias`) or the field (`path`, `input`, `target`, ...) that names
       *     nothing; on a 403 or 413 the field, when one is at fault. Absent otherwise.
       */
      field?: string;
      /**
       * @description What happened in full, for a disclosure under the short `message`: e.g. what
       *     MAST's name resolver answered for a target it does not know (404
       *     `unknown_target`) or why it could not be reached (502 `resolver_unavailable`).
       *     Absent otherwise.
       */
      detail?: string;
    };
    CrdsInfo: {
      /**
       * @description `serverless`: no CRDS server configured, cache only
       * @enum {string}
       */
      mode: 'serverless' | 'auto' | 'local' | 'remote';
      /** @description The CRDS cache folder (crds_path, else CRDS_PATH) */
      path: string | null;
      server_url: string | null;
      /** @description The pinned context, or null for the operational one */
      context: string | null;
      /** @enum {string} */
      context_source: 'configured' | 'environment' | 'operational';
    };
    InfoResponse: {
      /**
       * @description `aws`: downloads fetch MAST products from MAST's public bucket first and `GET /mast/peek` reads it; empty: HTTPS only (the `cloud` setting)
       * @enum {string}
       */
      cloud: '' | 'aws';
      /** @description The jwst-lab server version */
      version: string;
      /** @description Versions by distribution name; null when not installed */
      versions: {
        [key: string]: string | null;
      };
      /** @enum {string} */
      archive_backend: 'auto' | 'mast' | 'local';
      /** @enum {string} */
      executor: 'local' | 'dask';
      max_concurrent_jobs: number;
      crds: components['schemas']['CrdsInfo'];
      /**
       * @description The route groups this server provides; enable a control only when its group is
       *     listed (a front end newer than its server then degrades instead of meeting 404s):
       *     `info` (`GET /info`), `events` (the `/events` websocket), `pipelines`
       *     (`/pipelines` and below, `/associations`), `jobs` (`/jobs` and
       *     below), `previews` (`GET /previews`, PNG quick looks of 2-D images), `mast`
       *     (`/mast/observations`, their products, `/mast/token`), `downloads`
       *     (`POST /downloads`), `crds` (`/crds/status`, contexts, mappings, bestrefs, diff),
       *     `crds_fetch` (`POST /crds/fetch`).
       */
      features: (
        | 'info'
        | 'events'
        | 'pipelines'
        | 'jobs'
        | 'previews'
        | 'crds'
        | 'crds_fetch'
        | 'downloads'
        | 'mast'
      )[];
      job_store: components['schemas']['JobStoreInfo'];
    };
    JobStoreInfo: {
      /** @description The database file (or the `db_url` that names none) */
      path: string;
      /**
       * @description `ok`, rebuilt at start-up (`repaired`), or `unusable`
       * @enum {string}
       */
      state: 'ok' | 'repaired' | 'unusable';
      /** @description What happened and what to do, for people; null when the state is `ok` */
      message: string | null;
      /** @description Where a damaged file was moved (it is never deleted nor overwritten) */
      moved_to: string | null;
      /** @description Jobs put back into a new database, from the damaged file and the jobs' journals */
      restored: number;
      /** @description Job records that could not be read (set aside, not listed) */
      skipped: number;
    };
    /** @description One parameter from stpipe's configobj spec */
    ParamSpec: {
      /** @description configobj type, e.g. `float`, `integer`, `boolean`, `string`, `option`, `float_list` */
      type: string;
      default: unknown;
      /** @description The default as written in the spec */
      default_repr: unknown;
      min: number | null;
      max: number | null;
      choices: unknown[] | null;
      help: string;
      /** @description The raw spec line, e.g. `float(min=0.0, max=1.0, default=1.0)` */
      check: string;
      /** @description A parameter every stpipe step has (skip, save_results, ...) */
      common: boolean;
      /** @description Set by jwst-lab itself (output_dir, ...) or never settable (step hooks); a job may not set it */
      managed: boolean;
      /**
       * @description A file the step reads or writes (found from the spec's type, name and help):
       *     its value is a path relative to the server root and must stay inside it
       * @enum {string|null}
       */
      path: 'read' | 'write' | null;
    };
    PipelineSummary: {
      alias: string;
      class_name: string;
      is_pipeline: boolean;
      level: number | null;
      asn_types: string[];
      suffixes: string[];
      steps: string[];
      doc: string;
    };
    PipelineList: {
      pipelines: components['schemas']['PipelineSummary'][];
      versions: {
        [key: string]: string;
      };
    };
    StepSpec: {
      alias: string;
      class_name: string;
      doc: string;
      params: {
        [key: string]: components['schemas']['ParamSpec'];
      };
    };
    PipelineSpec: components['schemas']['PipelineSummary'] & {
      params: {
        [key: string]: components['schemas']['ParamSpec'];
      };
      step_specs: components['schemas']['StepSpec'][];
    };
    /** @description A parameter's value as a job would get it, and where it comes from */
    EffectiveValue: {
      /** @description The value (any JSON) */
      value: unknown;
      /**
       * @description `default`: the code's default; `crds`: a `pars-*` reference
       * @enum {string}
       */
      source: 'default' | 'crds';
      /** @description The `pars-*` reference file that sets it, for `crds` */
      reference: string | null;
    };
    StepParameters: {
      /** @description `pars-<stepclass>` */
      reftype: string | null;
      /** @description The reference file CRDS selects, or null when none applies */
      reference: string | null;
      values: {
        [key: string]: components['schemas']['EffectiveValue'];
      };
    };
    PipelineParameters: {
      alias: string;
      /** @description The input, relative to the root */
      input: string;
      /** @description The CRDS context used to select the references */
      context: string | null;
      /** @description `requested`, `pinned`, `operational` or `latest cached` */
      context_reason: string;
      /** @description True when `STPIPE_DISABLE_CRDS_STEPPARS` turns parameter references off */
      disabled: boolean;
      exp_type: string | null;
      /** @description The pipeline's own `pars-*` reference, or null */
      pipeline_reference: string | null;
      steps: {
        [key: string]: components['schemas']['StepParameters'];
      };
    };
    ApplicablePipelines: {
      input: string;
      /** @description EXP_TYPE of the primary header */
      exp_type: string | null;
      /** @description The pipelines that take this file */
      pipelines: string[];
      /** @description The table's answer in words, or why nothing was filtered */
      reason: string;
      /** @description The CRDSCFG file the answer comes from */
      table: string | null;
    };
    ParameterFile: {
      /** @description The file, relative to the root */
      path: string;
      class_name: string;
      /** @description The alias of its class, or null when not installed */
      alias: string | null;
      /** @description `{step: {parameter: value}}` */
      steps: {
        [key: string]: Record<string, unknown>;
      };
      /** @description `step.parameter` names the installed version does not know */
      ignored: string[];
    };
    ParameterFileWrite: {
      /** @description An `.asdf` file to write, relative to the root */
      path: string;
      pipeline: string;
      steps?: {
        [key: string]: Record<string, unknown>;
      };
      /** @default false */
      overwrite?: boolean;
    };
    StrunRequest: {
      /** @description Association or exposure file, relative to the server root */
      input: string;
      steps?: {
        [key: string]: Record<string, unknown>;
      };
      /** @description A .pmap; null (or empty) for the one a job would use */
      crds_context?: components['schemas']['CrdsContextName'] | null;
      output_dir?: string | null;
    };
    StrunCommand: {
      /** @description One shell line with environment assignments */
      command: string;
      argv: string[];
      env: {
        [key: string]: string;
      };
      /** @description The folder the command runs in (Level 2 associations), or null */
      cwd: string | null;
    };
    ImageInfo: {
      /** @description The image, relative to the server root */
      path: string;
      /** @description Columns (x) of the science image */
      width: number;
      /** @description Rows (y) of the science image */
      height: number;
      /** @description `BUNIT` of the science data */
      unit: string | null;
      /** @description Whether a DQ extension is there */
      has_dq: boolean;
      /**
       * @description Where RA/Dec come from; null when the file has no WCS
       * @enum {string|null}
       */
      wcs: 'gwcs' | 'fits' | null;
      /** @description The `_cat.ecsv` beside an `_i2d.fits`, relative to the root */
      catalog: string | null;
    };
    ImagePixel: {
      /** @description The position asked (0-based) */
      x: number;
      y: number;
      /** @description The nearest pixel's column, 0-based (FITS x is column + 1) */
      column: number;
      /** @description The nearest pixel's row, 0-based (FITS y is row + 1) */
      row: number;
      /** @description The science value; null when NaN */
      value: number | null;
      unit: string | null;
      /** @description DQ flags; null without a DQ extension */
      dq: number | null;
      /** @description ICRS right ascension (degrees) at (x, y); null without a WCS */
      ra: number | null;
      /** @description ICRS declination (degrees) at (x, y); null without a WCS */
      dec: number | null;
      /** @enum {string|null} */
      wcs: 'gwcs' | 'fits' | null;
    };
    CatalogColumn: {
      name: string;
      unit: string | null;
      description: string | null;
      /** @description numpy dtype (`float64`, `int32`), `bool` or `str` */
      dtype: string;
    };
    CatalogTable: {
      path: string;
      columns: components['schemas']['CatalogColumn'][];
      /** @description Cells in column order; NaN and masked cells are null */
      rows: (number | boolean | string | null)[][];
      /** @description Rows in the whole table */
      total: number;
      offset: number;
      /** @description The `_i2d.fits` beside a `_cat.ecsv`, relative to the root */
      image: string | null;
      /** @description The column of 0-based x pixel positions (`xcentroid`) */
      x_column: string | null;
      y_column: string | null;
      /** @description The column of RA in degrees (`sky_centroid.ra`) */
      ra_column: string | null;
      dec_column: string | null;
    };
    Association: {
      path: string;
      asn_type: string | null;
      asn_rule: string | null;
      asn_id: string | null;
      asn_pool: string | null;
      program: string | null;
      target: string | null;
      /** @enum {integer} */
      level: 2 | 3;
      /** @description The calwebb pipelines that run this association type */
      pipelines: string[];
      products: {
        name: string | null;
        members: {
          expname: string;
          exptype: string;
          exists: boolean;
        }[];
      }[];
      members_total: number;
      members_missing: string[];
      /** @description Members that cannot be used, and why (missing, outside the root, `$`/`~` in the name, ...) */
      members_refused: {
        expname: string;
        problem: string;
      }[];
    };
    JobCreate: {
      /**
       * @default pipeline
       * @enum {string}
       */
      kind?: 'pipeline';
      /** @description A pipeline alias (`calwebb_image3`) or a step alias */
      pipeline: string;
      /** @description Association or exposure file, relative to the server root */
      input: string;
      /** @description `{step: {parameter: value}}`, e.g. `{"resample": {"pixfrac": 0.8}, "source_catalog": {"skip": true}}` */
      steps?: {
        [key: string]: Record<string, unknown>;
      };
      /** @description Pin a CRDS context, e.g. `jwst_1234.pmap`; null (or empty) for the server's */
      crds_context?: components['schemas']['CrdsContextName'] | null;
      /** @description A new or empty folder relative to the root; default `<input folder>/<stage>_<job id>` */
      output_dir?: string | null;
      /**
       * @description Accept a job whose memory estimate alone exceeds `memory_limit` (409 `insufficient_memory` otherwise); it then runs alone
       * @default false
       */
      force?: boolean;
    };
    /** @description Steps done out of the total and the step running now; jobs that move bytes (downloads, CRDS fetches) also count bytes and files (`steps_*` then count files) */
    JobProgress: {
      steps_total: number;
      steps_done: number;
      current_step: string | null;
      skipped_steps: string[];
      /** @description Pipeline jobs, from the timestamps of stpipe's log lines; each step that started, in order (left out while none has) */
      step_times?: components['schemas']['StepTiming'][];
      bytes_done?: number | null;
      bytes_total?: number | null;
      files_done?: number | null;
      files_total?: number | null;
      files_failed?: number | null;
      current_file?: string | null;
    };
    /** @description When one pipeline step ran */
    StepTiming: {
      name: string;
      /** @description Seconds after the pipeline started */
      start: number;
      /** @description How long the step took; null while it runs */
      seconds: number | null;
      skipped: boolean;
    };
    JobCommands: {
      /** @description Copy as strun (a shell command for the server root) */
      strun: string;
      /** @description Copy as Python (notebook code) */
      python: string;
    };
    DownloadInfo: {
      source: string;
      /** @description The destination folder, relative to the root */
      dest: string;
      files_total: number;
      bytes_total: number;
      /** @description The dataURIs asked for (the first 1000) */
      products: string[];
      obsids: string[];
      product_filters: Record<string, unknown>;
      /** @description The manifest the runner writes, relative to the root */
      manifest: string;
      /** @description Server restarts the job survived (each resumed its partial files) */
      resumes: number;
      /** @description The cloud the MAST products were looked for in first (`aws`), or empty (HTTPS only) */
      cloud: string;
      /** @description Files put in place by origin (`s3`, `https`, `local`) once the job ended; the manifest says it per file */
      origins: {
        [key: string]: number;
      };
    };
    CrdsFetchInfo: {
      context: string;
      /** @description Why this context (`requested`, `operational`, ...) */
      context_reason: string | null;
      /** @description The data files whose references are fetched */
      files: number;
      /** @description Cache paths of the references fetched */
      fetched: string[];
      /** @description References already in the cache */
      skipped: string[];
      failed: {
        reference: string;
        error: string;
      }[];
      /** @description Server restarts the job survived (a fetch whose process ended with the server is queued again) */
      resumes: number;
    };
    Job: {
      id: string;
      /** @enum {string} */
      kind: 'pipeline' | 'download' | 'crds_fetch';
      /** @enum {string} */
      status:
        | 'queued'
        | 'running'
        | 'succeeded'
        | 'failed'
        | 'cancelled'
        | 'interrupted';
      /** Format: date-time */
      created: string;
      /** Format: date-time */
      started: string | null;
      /** Format: date-time */
      finished: string | null;
      /** Format: date-time */
      updated: string | null;
      /** @description The input file; for downloads, what is fetched (obsids or file names) */
      input: string;
      /** @description The pipeline alias; null for downloads */
      pipeline: string | null;
      /** @description As requested */
      steps: {
        [key: string]: Record<string, unknown>;
      };
      /** @description Fully merged parameters once the run has started: `{class, pipeline, steps}` (also the ASDF parameter file in output_dir) */
      params: Record<string, unknown> | null;
      crds_context_requested: string | null;
      crds_context_used: string | null;
      /** @description Short alias of crds_context_used */
      crds_context: string | null;
      output_dir: string;
      /** @description The equivalent `strun` argument list (paths relative to the root) */
      argv: string[];
      commands: components['schemas']['JobCommands'];
      rerun_of: string | null;
      versions: {
        [key: string]: string | null;
      };
      progress: components['schemas']['JobProgress'];
      /** @description Files the job produced, relative to the root */
      outputs: string[];
      /** @description Files a failed (or cancelled) job left in its output folder; they may be incomplete */
      partial_outputs: string[];
      /** @description What the output listing left out and why (symbolic links, unreadable folders, ...) */
      warnings: string[];
      exit_code: number | null;
      /** @description For a failed job, the error and the last error lines of the log */
      error: string | null;
      executor: string;
      /** @description Download jobs only (absent for the others) */
      download?: components['schemas']['DownloadInfo'];
      /** @description CRDS fetch jobs only (absent for the others) */
      crds_fetch?: components['schemas']['CrdsFetchInfo'];
      /** @description The run this job belongs to (`/runs/{run_id}`), if any */
      run_id: string | null;
      /** @description Jobs of the same run whose outputs this one reads; it starts when all have succeeded */
      depends_on: string[];
      /** @description Memory the job is expected to need at its peak (pipeline jobs); a queued job starts when the running jobs' estimates plus its own fit in `memory_limit` */
      memory_estimate_bytes: number | null;
      /** @description What the job used, measured from its process tree (filled when it ends) */
      resources: components['schemas']['JobResources'] | null;
      /**
       * @description A machine-readable cause of failure: `out_of_memory` (the kernel killed it for
       *     memory), `dependency_failed` (a job it depends on did not succeed; it did not run)
       */
      reason: string | null;
    };
    /** @description What a finished job used, measured from its process tree (the warm runner's fork included) */
    JobResources: {
      peak_rss_bytes: number;
      cpu_seconds: number;
      wall_seconds: number;
      bytes_written: number;
    };
    RunCreate: {
      /** @description Paths relative to the root: folders (their exposures, associations and pools, not recursively), exposures (uncal, rate, rateints, cal, calints), associations (`*_asn.json`) or pool CSVs */
      inputs: string[];
      /**
       * @default 3
       * @enum {integer}
       */
      target_level?: 1 | 2 | 3;
      /** @description A pool CSV under the root to plan from instead of the inputs' headers */
      pool?: string | null;
      /** @description Step parameters per pipeline alias: `{"calwebb_image3": {"resample": {"pixfrac": 0.8}}}` */
      steps?: {
        [key: string]: {
          [key: string]: Record<string, unknown>;
        };
      };
      /** @description Pin a CRDS context for every job; null (or empty) for the server's */
      crds_context?: components['schemas']['CrdsContextName'] | null;
      /** @description The run's folder (new or empty), relative to the root; default `run_<id>` in the folder of the inputs */
      output_dir?: string | null;
      /**
       * @description Answer the plan (200) and create nothing
       * @default false
       */
      dry_run?: boolean;
      /**
       * @description Accept jobs whose memory estimate alone exceeds `memory_limit` (they run alone)
       * @default false
       */
      force?: boolean;
    };
    RunAssociation: {
      /** @description Relative to the root */
      path: string;
      asn_type: string;
      asn_rule: string;
      product: string;
      /** @description Member paths relative to the root (the files this run produces, where it does) */
      members: string[];
      /** @description True when it came with the inputs, not from the planner */
      given: boolean;
    };
    RunJob: {
      /** @description The plan's key for the job, stable across attempts (`<level>:<pipeline>:<product>`) */
      key: string;
      /** @description The child job's id (a reused job: the earlier job whose outputs it kept); in a dry run, the key */
      id: string;
      pipeline: string;
      /** @description The level the job produces */
      level: number;
      /** @description An exposure or an association */
      input: string;
      /** @description The jobs (ids; keys in a dry run) whose outputs it reads */
      depends_on: string[];
      /** @enum {string} */
      status:
        | 'planned'
        | 'queued'
        | 'running'
        | 'succeeded'
        | 'failed'
        | 'cancelled'
        | 'interrupted';
      /** @description Outputs of an identical earlier job were kept instead of running it */
      reused: boolean;
      memory_estimate_bytes: number | null;
    };
    RunStage: {
      level: number;
      pipeline: string;
      /** @description Where its outputs go */
      folder: string;
      jobs: number;
    };
    RunProgress: {
      /** @description Jobs succeeded or reused */
      jobs_done: number;
      jobs_total: number;
      /** @description Seconds still expected, from the measured wall times of the run's finished jobs per pipeline and the job slots; null until one job of each remaining pipeline has finished */
      eta_seconds: number | null;
    };
    RunMemory: {
      /** @description `memory_limit` in bytes */
      limit_bytes: number;
      /** @description The largest estimate of any one job of the run */
      peak_estimate_bytes: number;
      /** @description Estimates of the run's jobs running now */
      in_use_bytes: number;
    };
    Run: {
      id: string;
      /** @enum {string} */
      status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
      /** Format: date-time */
      created: string;
      /** Format: date-time */
      started: string | null;
      /** Format: date-time */
      finished: string | null;
      /** Format: date-time */
      updated: string | null;
      inputs: string[];
      target_level: number;
      /** @description The run's folder: `stage1/`, `stage2/`, `stage3/` and `run.json` */
      output_dir: string;
      /** @description Step parameters per pipeline alias, as requested */
      steps: {
        [key: string]: {
          [key: string]: Record<string, unknown>;
        };
      };
      crds_context_requested: string | null;
      crds_context_used: string | null;
      associations: components['schemas']['RunAssociation'][];
      stages: components['schemas']['RunStage'][];
      jobs: components['schemas']['RunJob'][];
      progress: components['schemas']['RunProgress'];
      memory: components['schemas']['RunMemory'];
      /** @description The provenance manifest `run.json`, relative to the root */
      manifest: string;
      error: string | null;
      /** @description Inputs skipped and why, associations not used, parameters for pipelines the plan does not run */
      warnings: string[];
    };
    RunPlan: {
      inputs: string[];
      target_level: number;
      output_dir: string;
      crds_context_requested: string | null;
      associations: components['schemas']['RunAssociation'][];
      stages: components['schemas']['RunStage'][];
      jobs: components['schemas']['RunJob'][];
      memory: components['schemas']['RunMemory'];
      warnings: string[];
    };
    RunList: {
      runs: components['schemas']['Run'][];
      total: number;
      page: number;
      page_size: number;
    };
    MastColumn: {
      name: string;
      /** @enum {string} */
      type: 'string' | 'int' | 'float' | 'boolean';
    };
    MastSearchResponse: {
      /** @description Rows keyed by MAST's CAOM column names (obs_id, obsid, target_name, s_ra, s_dec, instrument_name, filters, proposal_id, calib_level, dataRights, t_min, t_max, ...); masked values and NaN are null */
      rows: {
        [key: string]: unknown;
      }[];
      /** @description All matching observations (not only this page) */
      total: number;
      page: number;
      page_size: number;
      columns: components['schemas']['MastColumn'][];
      /** @enum {string} */
      source: 'mast' | 'local';
      /** @description The equivalent astroquery code */
      python: string;
      /** @description The cone searched (the resolved target's position, or the coordinates given); null for searches without a position and for a target matched by name only */
      cone: components['schemas']['MastCone'] | null;
      /** @description Set when auto fell back to the local archive */
      notice: string | null;
    };
    MastCone: {
      /** @description ICRS right ascension of the centre, degrees */
      ra: number;
      /** @description ICRS declination of the centre, degrees */
      dec: number;
      /** @description Degrees */
      radius: number;
    };
    MastProductsResponse: {
      obsid: string;
      /** @description Mast.Caom.Products rows (obsID, obs_id, dataURI, productFilename, productType, productSubGroupDescription, productGroupDescription, calib_level, size, dataRights, ...; local rows add local_path) */
      rows: {
        [key: string]: unknown;
      }[];
      total: number;
      columns: components['schemas']['MastColumn'][];
      /** @enum {string} */
      source: 'mast' | 'local';
      python: string;
      /** @description MAST's URL that serves a product once its dataURI is appended (`https://mast.stsci.edu/api/v0.1/Download/file?uri=`), for "Copy as curl script" */
      download_url: string;
      /** @description Set when auto fell back to the local archive */
      notice: string | null;
    };
    MastTokenSet: {
      /** @description 8-1024 printable characters, no spaces (surrounding spaces are stripped) */
      token: string;
    };
    MastPeekHeader: {
      index: number;
      /** @description EXTNAME (PRIMARY for the primary HDU) */
      name: string;
      /** @description [keyword, value, comment] of each card */
      cards: string[][];
    };
    MastPeekResponse: {
      uri: string;
      /** @description s3://bucket/key of the object read */
      cloud_uri: string;
      /** @description The object's size in bytes */
      size: number;
      /** @description Bytes the peek read of the object */
      bytes_read: number;
      /** @description Range requests the peek made */
      requests: number;
      headers: components['schemas']['MastPeekHeader'][];
      /** @description EXTNAME of the science extension */
      science: string | null;
      shape: number[] | null;
      /** @description A greyscale PNG quick look */
      image_png: string | null;
    };
    MastTokenState: {
      set: boolean;
      /** @enum {string} */
      storage: 'memory' | 'keyring';
      expires: string | null;
    };
    DownloadCreate: {
      /**
       * @description Where the products come from; default the server's archive_backend
       * @enum {string|null}
       */
      source?: 'mast' | 'local' | null;
      /** @description dataURIs, e.g. `mast:JWST/product/jw01234001001_02101_00001_mirimage_cal.fits` */
      products?: string[] | null;
      /** @description Observations (MAST `obsid` or `obs_id`) whose products to fetch */
      obsids?: string[] | null;
      /** @description With `obsids`; column → value or list of values, as astroquery's `filter_products` */
      product_filters?: Record<string, unknown>;
      /** @description Folder relative to the server root; default `download_dir` */
      dest?: string | null;
      /**
       * @description `aws`: fetch MAST products from MAST's public bucket first (HTTPS for those not in it); empty: HTTPS only; null: the server's `cloud` setting
       * @enum {string|null}
       */
      cloud?: '' | 'aws' | null;
    };
    DownloadCreated: components['schemas']['Job'] & {
      /** @description The equivalent astroquery code (Copy as Python) */
      python: string;
    };
    JobList: {
      jobs: components['schemas']['Job'][];
      total: number;
      page: number;
      page_size: number;
    };
    JobLog: {
      text: string;
      next_offset: number;
      done: boolean;
    };
    /** @description Values index by index; null where the file holds NaN (a gap) */
    SpectrumValues: (number | null)[];
    SpectrumInfo: {
      index: number;
      /** @description The FITS extension (HDU number) of its EXTRACT1D table */
      extension: number;
      /** @description Its row when each row of the table is a spectrum (x1dints, WFSS) */
      row: number | null;
      /** @description The slit (`SLTNAME`) */
      name: string | null;
      source_id: number | null;
      source_name: string | null;
      spectral_order: number | null;
      /** @description The integration (`INT_NUM`) */
      integration: number | null;
      segment: number | null;
    };
    SpectrumData: {
      index: number;
      /**
       * @description `SURF_BRIGHT` when FLUX holds no value (extended sources)
       * @enum {string}
       */
      flux_column: 'FLUX' | 'SURF_BRIGHT';
      wavelength_unit: string | null;
      flux_unit: string | null;
      /** @description Points in the file */
      points: number;
      /** @description Points sent */
      shown: number;
      downsampled: boolean;
      /** @description What the reader did that a user should know (decimation, SURF_BRIGHT) */
      note: string | null;
      wavelength: components['schemas']['SpectrumValues'];
      flux: components['schemas']['SpectrumValues'];
      /** @description The 1-sigma error of each point; null when the file has none */
      error: components['schemas']['SpectrumValues'] | null;
    };
    SpectraResponse: {
      path: string;
      /** @enum {string} */
      kind: 'x1d' | 'x1dints';
      /** @description Spectra in the file (`spectra` lists at most 5000) */
      total_spectra: number;
      spectra: components['schemas']['SpectrumInfo'][];
      spectrum: components['schemas']['SpectrumData'];
    };
    SlitInfo: {
      index: number;
      name: string | null;
      source_id: number | null;
      source_name: string | null;
      spectral_order: number | null;
      /**
       * @description 1: the dispersion runs along FITS rows (x); 2: along columns (y), shown transposed
       * @enum {integer}
       */
      dispersion_axis: 1 | 2;
      /** @description The SCI image's (rows, columns) as stored */
      shape: number[];
      unit: string | null;
    };
    SlitImage: components['schemas']['SlitInfo'] & {
      /** @description Pixels along the dispersion (shown columns) */
      columns: number;
      rows: number;
      /** @description The PNG's pixel `i` averages shown columns `i*column_step` to `(i+1)*column_step-1` */
      column_step: number;
      row_step: number;
      image_width: number;
      /** @description Wavelength of each shown column; null when none is known */
      wavelength: components['schemas']['SpectrumValues'] | null;
      wavelength_unit: string | null;
      /** @enum {string|null} */
      wavelength_source:
        'WAVELENGTH' | 'gwcs' | 'fits' | 'WAVE' | 'WAVE-TAB' | null;
    };
    SpectralImage: {
      path: string;
      slits: components['schemas']['SlitInfo'][];
      slit: components['schemas']['SlitImage'];
    };
    CubeInfo: {
      path: string;
      /** @description (planes, rows, columns) */
      shape: number[];
      unit: string | null;
      /** @description Wavelength of each plane; null when none is known */
      wavelength: components['schemas']['SpectrumValues'] | null;
      wavelength_unit: string | null;
      /** @enum {string|null} */
      wavelength_source:
        'WAVELENGTH' | 'gwcs' | 'fits' | 'WAVE' | 'WAVE-TAB' | null;
      has_error: boolean;
      instrument: string | null;
      channel: string | null;
      band: string | null;
      grating: string | null;
      filter: string | null;
    };
    CubeSpectrum: {
      path: string;
      x: number;
      y: number;
      radius: number;
      /** @description Spaxels averaged */
      spaxels: number;
      unit: string | null;
      /** @description Null when the cube has no wavelengths (`wavelength` then holds plane numbers) */
      wavelength_unit: string | null;
      wavelength: components['schemas']['SpectrumValues'];
      flux: components['schemas']['SpectrumValues'];
      error: components['schemas']['SpectrumValues'] | null;
    };
    Event: {
      type: string;
      seq?: number;
      /** @description Unix time in seconds */
      time?: number;
    } & {
      [key: string]: unknown;
    };
  };
  responses: {
    /** @description Bad input (400, naming the `field`), not found (404), state conflict (409), request too large (413), upstream failed (502), dependency missing (503) */
    Error: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /**
     * @description The job database cannot be used: reason `job_store_unusable` (a folder or an
     *     unreadable file at its path, a newer schema, another program's database, `db_url`
     *     not SQLite; the message says where and what to do, as `GET /info` `job_store` does)
     *     or `job_store_error` (it failed just now: locked, I/O error; retry); or a dependency
     *     the request needs is missing (`dependency_missing`, e.g. jwst for pipeline jobs).
     */
    Unavailable: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
    /** @description Not authenticated, or not authorized on the `jwst_lab` resource */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Error'];
      };
    };
  };
  parameters: {
    JobId: components['schemas']['PathSegment'];
    RunId: components['schemas']['PathSegment'];
  };
  requestBodies: never;
  headers: {
    /**
     * @description The URL of the new job (`GET` it, or follow `job.updated` events)
     * @example /jwst-lab/jobs/0123456789ab
     */
    JobLocation: string;
    /**
     * @description The URL of the new run (`GET` it, or follow `run.updated` events)
     * @example /jwst-lab/runs/0123456789ab
     */
    RunLocation: string;
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getInfo: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Server information */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['InfoResponse'];
        };
      };
      403: components['responses']['Forbidden'];
    };
  };
  subscribeEvents: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Switching protocols; events follow as JSON text messages */
      101: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Event'];
        };
      };
      /** @description Not a websocket upgrade (no `Upgrade: websocket` / `Connection: Upgrade`); `field` is `Upgrade` */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      403: components['responses']['Forbidden'];
    };
  };
  listPipelines: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The catalog */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PipelineList'];
        };
      };
      403: components['responses']['Forbidden'];
      503: components['responses']['Error'];
    };
  };
  getPipelineSpec: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description e.g. `calwebb_image3`, or a step alias such as `resample` */
        alias: components['schemas']['PathSegment'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The parameter specs (type, default, bounds, choices, help) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PipelineSpec'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getPipelineParameters: {
    parameters: {
      query: {
        /**
         * @description The job's input (association or exposure) relative to the server root
         * @example obs/jw01234-o001_image3_00001_asn.json
         */
        input: components['schemas']['RelativePath'];
        /** @description The context the job pins; absent (or empty) for the one a job would use */
        context?: components['schemas']['CrdsContextName'];
      };
      header?: never;
      path: {
        /** @description e.g. `calwebb_image3`, or a step alias such as `tweakreg` */
        alias: components['schemas']['PathSegment'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The effective values by step, with their sources */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PipelineParameters'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      502: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getStrunCommand: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        alias: components['schemas']['PathSegment'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "input": "obs/jw01234-o001_image3_00001_asn.json",
         *       "steps": {
         *         "tweakreg": {
         *           "enforce_user_order": false
         *         }
         *       }
         *     }
         */
        'application/json': components['schemas']['StrunRequest'];
      };
    };
    responses: {
      /** @description The command */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['StrunCommand'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      413: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getApplicablePipelines: {
    parameters: {
      query: {
        /** @example obs/jw01234001001_02101_00001_mirimage_uncal.fits */
        input: components['schemas']['RelativePath'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The pipelines that apply, and why */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApplicablePipelines'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  readParameterFile: {
    parameters: {
      query: {
        /** @example obs/image3_params.asdf */
        path: components['schemas']['RelativePath'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The file's values by step */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ParameterFile'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  writeParameterFile: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "path": "obs/my_image3.asdf",
         *       "pipeline": "calwebb_image3",
         *       "steps": {
         *         "tweakreg": {
         *           "enforce_user_order": false
         *         }
         *       }
         *     }
         */
        'application/json': components['schemas']['ParameterFileWrite'];
      };
    };
    responses: {
      /** @description The file written, read back */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ParameterFile'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      413: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  readAssociation: {
    parameters: {
      query: {
        /**
         * @description Path of the `*_asn.json` file relative to the server root
         * @example obs/jw01234-o001_image3_00001_asn.json
         */
        path: components['schemas']['RelativePath'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Type, products, members and whether each member exists */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Association'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  listJobs: {
    parameters: {
      query?: {
        /** @description One status or several, comma-separated (an unknown status is a 400) */
        status?: string;
        /** @description One job kind (an unknown kind is a 400) */
        kind?: 'pipeline' | 'download' | 'crds_fetch';
        page?: number;
        page_size?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of jobs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobList'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      503: components['responses']['Unavailable'];
    };
  };
  createJob: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "pipeline": "calwebb_image3",
         *       "input": "obs/jw01234-o001_image3_00001_asn.json",
         *       "steps": {
         *         "resample": {
         *           "pixfrac": 0.8
         *         }
         *       }
         *     }
         */
        'application/json': components['schemas']['JobCreate'];
      };
    };
    responses: {
      /** @description The new job (status `queued`) */
      201: {
        headers: {
          Location: components['headers']['JobLocation'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      413: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  deleteJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  cancelJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Cancellation accepted; the current record */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  rerunJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new job; `rerun_of` names the original */
      201: {
        headers: {
          Location: components['headers']['JobLocation'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      413: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getJobLog: {
    parameters: {
      query?: {
        offset?: number;
      };
      header?: never;
      path: {
        job_id: components['parameters']['JobId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A chunk of the log */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobLog'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  listRuns: {
    parameters: {
      query?: {
        page?: number;
        page_size?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of runs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RunList'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      503: components['responses']['Unavailable'];
    };
  };
  createRun: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "inputs": [
         *         "obs/uncal"
         *       ],
         *       "target_level": 3,
         *       "steps": {
         *         "calwebb_image3": {
         *           "resample": {
         *             "pixfrac": 0.8
         *           }
         *         }
         *       }
         *     }
         */
        'application/json': components['schemas']['RunCreate'];
      };
    };
    responses: {
      /** @description `dry_run`: the plan; nothing was created */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RunPlan'];
        };
      };
      /** @description The new run (status `queued`) */
      201: {
        headers: {
          Location: components['headers']['RunLocation'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      413: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The run */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  deleteRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  cancelRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Cancellation accepted; the current record (watch `run.updated`) */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  resumeRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: components['parameters']['RunId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The resumed run */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      413: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getPreview: {
    parameters: {
      query: {
        /** @example obs/jw01234001001_02101_00001_nrcb1_cal.fits */
        path: components['schemas']['RelativePath'];
        stretch?: 'asinh' | 'zscale' | 'linear';
        max_size?: number;
        /**
         * @description `x0,y0,x1,y1`: only this part of the image, in 0-based full-resolution pixels
         *     (ends excluded), clipped to the image (a region outside it is a 400). It is
         *     block-averaged at `f = ceil(max(x1-x0, y1-y0) / max_size)`: the PNG is
         *     `ceil((x1-x0)/f)` x `ceil((y1-y0)/f)` and its pixel (i, j) starts at image pixel
         *     (x0 + i*f, y0 + j*f), edge blocks averaging what exists. The stretch limits are the
         *     whole image's, so regions match the overview.
         * @example 1024,2048,1536,2560
         */
        region?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The quick look */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/png': string;
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getImageInfo: {
    parameters: {
      query: {
        /** @example cal/jw01234-o001_t001_miri_f770w_i2d.fits */
        path: components['schemas']['RelativePath'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The image's facts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ImageInfo'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getImagePixel: {
    parameters: {
      query: {
        path: components['schemas']['RelativePath'];
        /** @description 0-based column coordinate (a pixel's centre is an integer) */
        x: number;
        /** @description 0-based row coordinate */
        y: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The pixel */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ImagePixel'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getCatalog: {
    parameters: {
      query: {
        /** @example cal/jw01234-o001_t001_miri_f770w_cat.ecsv */
        path: components['schemas']['RelativePath'];
        offset?: number;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The catalog's columns and rows */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CatalogTable'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getSpectra: {
    parameters: {
      query: {
        /** @example obs/jw01234-o001_t001_nirspec_f290lp-g395h_x1d.fits */
        path: components['schemas']['RelativePath'];
        index?: number;
        max_points?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The spectra and the arrays of one */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SpectraResponse'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getSpectralImage: {
    parameters: {
      query: {
        /** @example obs/jw01234-o001_t001_nirspec_f290lp-g395h_s2d.fits */
        path: components['schemas']['RelativePath'];
        slit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The slits and one slit as shown */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SpectralImage'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getSpectralImagePreview: {
    parameters: {
      query: {
        /** @example obs/jw01234-o001_t001_nirspec_f290lp-g395h_s2d.fits */
        path: components['schemas']['RelativePath'];
        slit?: number;
        stretch?: 'asinh' | 'zscale' | 'linear';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The slit */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/png': string;
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getCube: {
    parameters: {
      query: {
        /** @example obs/jw01234-o001_t001_miri_ch1-short_s3d.fits */
        path: components['schemas']['RelativePath'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The cube */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CubeInfo'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getCubeSlice: {
    parameters: {
      query: {
        /** @example obs/jw01234-o001_t001_miri_ch1-short_s3d.fits */
        path: components['schemas']['RelativePath'];
        index?: number;
        collapse?: number;
        stretch?: 'asinh' | 'zscale' | 'linear';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The plane */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/png': string;
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  getCubeSpectrum: {
    parameters: {
      query: {
        /** @example obs/jw01234-o001_t001_miri_ch1-short_s3d.fits */
        path: components['schemas']['RelativePath'];
        /** @example 14 */
        x: number;
        /** @example 8 */
        y: number;
        radius?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The spectrum */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CubeSpectrum'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
    };
  };
  searchObservations: {
    parameters: {
      query?: {
        /** @description A target name (resolved to coordinates) */
        target?: string;
        /** @description ICRS degrees, with dec */
        ra?: number;
        dec?: number;
        /** @description Cone radius in degrees */
        radius?: number;
        /** @description JWST, all, or another MAST collection */
        collection?: string;
        /**
         * @description Instrument (prefix of instrument_name, e.g. MIRI or MIRI/IMAGE)
         * @example NIRCAM
         */
        instrument?: string;
        /**
         * @description Filter names, comma-separated; any token matches
         * @example F150W
         */
        filters?: string;
        /**
         * @description Program number, e.g. 1075
         * @example 1234
         */
        proposal_id?: string;
        /** @description Levels 0-4, comma-separated */
        calib_level?: string;
        data_rights?: 'PUBLIC' | 'EXCLUSIVE_ACCESS' | 'RESTRICTED';
        /** @description ISO date (2023-01-31) or date-time (2023-01-31T12:00:00, optional Z or +hh:mm) */
        t_min?: string;
        /** @description ISO date (2023-01-31) or date-time (2023-01-31T12:00:00, optional Z or +hh:mm) */
        t_max?: string;
        include_guidestar?: boolean;
        source?: 'mast' | 'local';
        page?: number;
        page_size?: number;
        /** @description A column, '-' in front for descending (local archive: the whole result; MAST: within the page, as MAST pages unsorted) */
        sort?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of observations */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MastSearchResponse'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      502: components['responses']['Error'];
    };
  };
  listProducts: {
    parameters: {
      query?: {
        /** @description SCIENCE, AUXILIARY, INFO, ... comma-separated */
        product_type?: string;
        /** @description Levels, comma-separated */
        calib_level?: string;
        /** @description productSubGroupDescription values (CAL, I2D, RATE, UNCAL, ASN, ...) */
        subgroup?: string;
        /** @description Only Minimum Recommended Products */
        mrp_only?: boolean;
        include_guidestar?: boolean;
        source?: 'mast' | 'local';
      };
      header?: never;
      path: {
        /**
         * @description MAST obsid (or, locally, obs_id)
         * @example jw01234001001_02101_00001_nrcb1
         */
        obsid: components['schemas']['PathSegment'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The products */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MastProductsResponse'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      502: components['responses']['Error'];
    };
  };
  peekProduct: {
    parameters: {
      query: {
        /**
         * @description The product's dataURI (`mast:JWST/product/<file>`, as `POST /downloads` takes them); another value is a 400 naming `uri`
         * @example mast:JWST/product/jw01234001001_02101_00001_mirimage_cal.fits
         */
        uri: string;
        /** @description Also a quick look of the science image */
        image?: boolean;
        /** @description Read from this cloud even if the setting is off */
        cloud?: 'aws';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The headers and quick look */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MastPeekResponse'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      502: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getMastToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Token state */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MastTokenState'];
        };
      };
      403: components['responses']['Forbidden'];
    };
  };
  setMastToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "token": "0123456789abcdef0123456789abcdef"
         *     }
         */
        'application/json': components['schemas']['MastTokenSet'];
      };
    };
    responses: {
      /** @description Token state */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MastTokenState'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      413: components['responses']['Error'];
    };
  };
  deleteMastToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Forgotten (or none was set) */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      403: components['responses']['Forbidden'];
    };
  };
  createDownload: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "products": [
         *         "mast:JWST/product/jw01234001001_02101_00001_nrcb1_cal.fits"
         *       ],
         *       "dest": "mast_downloads"
         *     }
         */
        'application/json': components['schemas']['DownloadCreate'];
      };
    };
    responses: {
      /** @description The queued job, with `python`, the equivalent astroquery code */
      201: {
        headers: {
          Location: components['headers']['JobLocation'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DownloadCreated'];
        };
      };
      400: components['responses']['Error'];
      /**
       * @description Not authorized; or (reason `token_required`) exclusive-access MAST
       *     products were asked for and no MAST token is set (`PUT /mast/token`);
       *     or (reason `token_refused`) MAST refused them with the token set.
       *     MAST products named by dataURI are checked with `HEAD` requests
       *     before the job is created (sizes for the disk check, 404, 401/403).
       */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      404: components['responses']['Error'];
      409: components['responses']['Error'];
      /** @description Reason `insufficient_storage`: the disk has less free space than the download needs; or (reason `payload_too_large`) the request body is over 16 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      502: components['responses']['Error'];
      503: components['responses']['Unavailable'];
    };
  };
  getCrdsStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The CRDS status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CrdsStatus'];
        };
      };
      403: components['responses']['Forbidden'];
    };
  };
  listCrdsContexts: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The contexts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CrdsContextList'];
        };
      };
      403: components['responses']['Forbidden'];
      502: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getCrdsContextTree: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        context: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The tree */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CrdsTree'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getCrdsMapping: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        mapping: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The mapping table */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CrdsMapping'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getCrdsBestReferences: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "path": "obs/jw01234001001_02101_00001_nrcb1_cal.fits",
         *       "context": "jwst_0541.pmap"
         *     }
         */
        'application/json': components['schemas']['CrdsBestrefsRequest'];
      };
    };
    responses: {
      /** @description The best references */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CrdsBestrefs'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      413: components['responses']['Error'];
      502: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  fetchCrdsReferences: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "path": "obs/jw01234-o001_image3_00001_asn.json"
         *     }
         */
        'application/json': components['schemas']['CrdsFetchRequest'];
      };
    };
    responses: {
      /** @description The job, queued */
      201: {
        headers: {
          Location: components['headers']['JobLocation'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      /** @description No CRDS server is configured (reason `crds_serverless`; set crds_server_url) or the cache is read-only (reason `crds_readonly`; CRDS_READONLY_CACHE or not writable) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      413: components['responses']['Error'];
      502: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
  getCrdsDiff: {
    parameters: {
      query: {
        /** @example jwst_0540.pmap */
        old: components['schemas']['CrdsContextName'];
        /** @example jwst_0541.pmap */
        new: components['schemas']['CrdsContextName'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The differences, from crds's own diff machinery */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CrdsDiff'];
        };
      };
      400: components['responses']['Error'];
      403: components['responses']['Forbidden'];
      404: components['responses']['Error'];
      503: components['responses']['Error'];
    };
  };
}
