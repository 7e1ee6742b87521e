import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IDownloadProgress, MastRow, MastSource } from '../../api/models';
import {
  CapabilityNote,
  ICapabilityNotice
} from '../../components/CapabilityNote';
import { CopyPython } from '../../components/CopyButton';
import { formatBytes } from '../../components/format';
import type {
  DestOrigin,
  DownloadStatus,
  MastDownloadModel
} from '../../mast/downloadModel';
import type { MastProductsModel } from '../../mast/productsModel';
import { useModel } from '../../models/useModel';
import { runTitle } from '../../runs/runRecord';
import { plural } from '../../translation';

/** Props of {@link MastDownload}. */
export interface IMastDownloadProps {
  model: MastDownloadModel;
  /** The open observation and the ticked products to download. */
  products: MastProductsModel;
  /** The archive that answered the search (the download asks the same). */
  source: MastSource | undefined;
  trans: TranslationBundle;
  copy: (text: string) => void;
  /** Why downloads are unavailable, or null when the server provides them. */
  notice: ICapabilityNotice | null;
  /** Show a folder in the file browser, when the application can. */
  openFolder: ((path: string) => void) | null;
  /** Whether the server provides runs ("Download and reduce"). */
  canReduce?: boolean;
}

/** The download form and the progress of the download it started. */
export function MastDownload({
  model: downloadModel,
  products: productsModel,
  source,
  trans,
  copy,
  notice,
  openFolder,
  canReduce = false
}: IMastDownloadProps): JSX.Element | null {
  const download = useModel(downloadModel);
  const products = useModel(productsModel);
  const folderId = React.useId();
  const errorId = React.useId();
  const whereId = React.useId();
  if (!products.observation && download.status === 'idle') {
    return null;
  }
  const count = products.selection.size;
  const busy = download.isBusy;
  const progress = download.progress;
  const error = download.error;
  // A refusal naming the folder (`dest`) marks the folder field too.
  const folderInvalid = error?.field === 'dest';
  const fraction =
    progress && progress.bytes_total
      ? Math.min(1, progress.bytes_done / progress.bytes_total)
      : null;

  const submit = (event: React.FormEvent, reduce = false) => {
    event.preventDefault();
    if (notice === null) {
      void download.start(Array.from(products.selection), source, { reduce });
    }
  };

  return (
    <section
      className="jp-JwstLab-mastDownload"
      aria-label={trans.__('Download')}
    >
      {products.observation ? (
        <form className="jp-JwstLab-form" onSubmit={submit}>
          <label className="jp-JwstLab-field" htmlFor={folderId}>
            <span className="jp-JwstLab-fieldLabel">
              {trans.__('Download into (folder under the server root)')}
            </span>
          </label>
          <div className="jp-JwstLab-formRow">
            <input
              id={folderId}
              className="jp-JwstLab-downloadFolder jp-mod-styled jp-JwstLab-grow"
              type="text"
              placeholder={trans.__("(the server's download folder)")}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={folderInvalid || undefined}
              aria-describedby={
                folderInvalid ? `${errorId} ${whereId}` : whereId
              }
              value={download.dest}
              onChange={event => download.setDest(event.target.value)}
            />
            <button
              type="submit"
              className="jp-JwstLab-downloadButton jp-mod-styled jp-mod-accept"
              disabled={count === 0 || busy || notice !== null}
            >
              {count === 1
                ? trans.__('Download 1 file')
                : trans.__('Download %1 files', count)}
            </button>
            {canReduce ? (
              <button
                type="button"
                className="jp-JwstLab-downloadReduceButton jp-mod-styled"
                disabled={count === 0 || busy || notice !== null}
                title={trans.__(
                  'Download the ticked files, then reduce the folder they arrive in to Level 3 as one run'
                )}
                onClick={event => submit(event, true)}
              >
                {trans.__('Download and reduce')}
              </button>
            ) : null}
          </div>
          <DestinationNote
            id={whereId}
            dest={download.dest}
            origin={download.destOrigin}
            obsId={observationId(products.observation)}
            trans={trans}
          />
          <CapabilityNote notice={notice} />
        </form>
      ) : null}
      {download.status !== 'idle' ? (
        <div
          className="jp-JwstLab-downloadStatus"
          data-status={download.status}
          role="status"
        >
          <progress
            className="jp-JwstLab-downloadProgress"
            max={1}
            value={
              download.status === 'succeeded' ? 1 : (fraction ?? undefined)
            }
            aria-label={trans.__('Download progress')}
          />
          <p className="jp-JwstLab-downloadText">
            {describeDownload(download.status, progress, trans)}
            {download.job ? (
              <span className="jp-JwstLab-downloadJob">
                {' '}
                {trans.__('(job %1 in the Jobs panel)', download.job.id)}
              </span>
            ) : null}
          </p>
          {download.reduceStatus !== 'none' ? (
            <p className="jp-JwstLab-downloadReduce">
              {describeReduce(download, trans)}
            </p>
          ) : null}
          {error ? (
            <p id={errorId} className="jp-JwstLab-fieldError" role="alert">
              {error.message}
              {error.reason === 'token_required'
                ? ` ${trans.__('Set your MAST token under "MAST token" below, then download again.')}`
                : ''}
            </p>
          ) : null}
          <div className="jp-JwstLab-buttonGroup">
            {download.job &&
            (download.status === 'queued' || download.status === 'running') ? (
              <button
                type="button"
                className="jp-JwstLab-cancelDownload jp-mod-styled"
                onClick={() => void download.cancel()}
              >
                {trans.__('Cancel')}
              </button>
            ) : null}
            {download.status === 'succeeded' && openFolder ? (
              <button
                type="button"
                className="jp-JwstLab-openFolder jp-mod-styled"
                onClick={() => openFolder(download.folder)}
              >
                {trans.__('Open folder')}
              </button>
            ) : null}
            <CopyPython
              code={download.python}
              copy={copy}
              trans={trans}
              what={trans.__('download')}
            />
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** What became of the run that follows a "Download and reduce". */
function describeReduce(
  download: MastDownloadModel,
  trans: TranslationBundle
): string {
  switch (download.reduceStatus) {
    case 'waiting':
      return trans.__(
        'When the download succeeds, its folder is reduced to Level 3 as one run.'
      );
    case 'creating':
      return trans.__('Planning the run on %1…', download.folder || '.');
    case 'created':
      return download.run
        ? trans.__('Run %1 started: see its tab.', runTitle(download.run))
        : trans.__('The run started.');
    case 'failed':
      return trans.__(
        'The run was not created: %1',
        download.reduceError?.message ?? ''
      );
    default:
      return '';
  }
}

function describeDownload(
  status: DownloadStatus,
  p: IDownloadProgress | null,
  trans: TranslationBundle
): string {
  const amounts = p
    ? plural(
        trans,
        p.files_total ?? 2,
        '%2 of %3 file, %4 of %5',
        '%2 of %3 files, %4 of %5',
        p.files_done,
        p.files_total ?? '?',
        formatBytes(p.bytes_done),
        p.bytes_total === null ? '?' : formatBytes(p.bytes_total)
      )
    : '';
  switch (status) {
    case 'starting':
      return trans.__('Starting the download…');
    case 'queued':
      return trans.__('Queued. %1', amounts);
    case 'running':
      return trans.__('Downloading: %1', amounts);
    case 'succeeded':
      return trans.__('Downloaded: %1', amounts);
    case 'failed':
      return trans.__('The download failed. %1', amounts);
    case 'cancelled':
      return trans.__('The download was cancelled. %1', amounts);
    case 'interrupted':
      return trans.__(
        'The download was interrupted; it resumes when the server is back. %1',
        amounts
      );
    default:
      return status;
  }
}

/** The observation's `obs_id`, the folder its files go into, or null. */
function observationId(row: MastRow | null): string | null {
  const value = row?.obs_id;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Where the files will go, said in full before the download (the job lays
 * them out as `<folder>/<collection>/<obs_id>/<file>`), and where the folder
 * came from: the user's choice (kept for the next downloads), a suggestion
 * (the file browser's folder), or the server's download folder.
 */
function DestinationNote({
  id,
  dest,
  origin,
  obsId,
  trans
}: {
  id: string;
  dest: string;
  origin: DestOrigin;
  obsId: string | null;
  trans: TranslationBundle;
}): JSX.Element {
  const folder = dest.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  const below = `JWST/${obsId ?? '<obs_id>'}/`;
  const where =
    origin === 'server'
      ? trans.__('the server’s download folder, in %1', below)
      : `${folder}/${below}`;
  const why =
    origin === 'yours'
      ? trans.__('your folder, kept for the next downloads')
      : origin === 'suggested'
        ? trans.__(
            'suggested: the settings’ or the file browser’s folder; type another to keep it'
          )
        : trans.__('type a folder under the server root to choose one');
  return (
    <p className="jp-JwstLab-downloadWhere" id={id} data-origin={origin}>
      {trans.__('Files go to')} <code>{where}</code> ({why})
    </p>
  );
}
