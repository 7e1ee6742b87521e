import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ICapabilityNotice } from '../../components/CapabilityNote';
import { CapabilityNote } from '../../components/CapabilityNote';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes } from '../../components/format';
import {
  curlScript,
  IBasketItem,
  MastBasketModel,
  pythonScript
} from '../../mast/basketModel';
import type { MastDownloadModel } from '../../mast/downloadModel';
import { useModel } from '../../models/useModel';

/** Props of {@link MastBasket}. */
export interface IMastBasketProps {
  basket: MastBasketModel;
  download: MastDownloadModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
  /** Why downloads are unavailable, or null when the server provides them. */
  notice: ICapabilityNotice | null;
}

/**
 * The basket: products picked from several observations, their total size,
 * one download of all of them (one job), and the same as a curl script or
 * astroquery code. Files go to `<folder>/<collection>/<obs_id>/<file>`.
 */
export function MastBasket({
  basket: basketModel,
  download: downloadModel,
  trans,
  copy,
  notice
}: IMastBasketProps): JSX.Element {
  const basket = useModel(basketModel);
  const download = useModel(downloadModel);
  const items = basket.items;
  const totals = basket.totals;
  const source = basket.source;
  const folderId = React.useId();
  const groups = new Map<string, IBasketItem[]>();
  for (const item of items) {
    const group = groups.get(item.obs_id) ?? [];
    group.push(item);
    groups.set(item.obs_id, group);
  }
  const dest = download.dest.trim();
  const size =
    formatBytes(totals.bytes) +
    (totals.unknownSizes > 0
      ? ` ${trans.__('(+%1 of unknown size)', totals.unknownSizes)}`
      : '');
  return (
    <section
      className="jp-JwstLab-mastBasket"
      aria-label={trans.__('Basket')}
      data-files={totals.files}
    >
      <div className="jp-JwstLab-toolbarRow">
        <h3 className="jp-JwstLab-sectionTitle">{trans.__('Basket')}</h3>
        <span className="jp-JwstLab-basketTotals" role="status">
          {items.length === 0
            ? trans.__('empty')
            : `${trans._n('%1 file', '%1 files', totals.files)} ${trans._n(
                'from %1 observation',
                'from %1 observations',
                totals.observations
              )} · ${size}`}
        </span>
      </div>
      {items.length === 0 ? (
        <p className="jp-JwstLab-mastStatus">
          {trans.__(
            'Tick products of an observation and "Add to basket"; add from as many observations as you like, then download them at once.'
          )}
        </p>
      ) : (
        <>
          <ul className="jp-JwstLab-basketList">
            {Array.from(groups.entries()).map(([obsId, group]) => (
              <li key={obsId} className="jp-JwstLab-basketGroup">
                <span className="jp-JwstLab-basketObservation" title={obsId}>
                  {obsId}
                </span>
                <ul>
                  {group.map(item => (
                    <li
                      key={item.uri}
                      className="jp-JwstLab-basketItem"
                      data-uri={item.uri}
                    >
                      <span className="jp-JwstLab-basketFile" title={item.uri}>
                        {item.exclusive ? '🔒 ' : ''}
                        {item.filename}
                      </span>
                      <span className="jp-JwstLab-basketSize">
                        {item.size === null ? '?' : formatBytes(item.size)}
                      </span>
                      <button
                        type="button"
                        className="jp-JwstLab-basketRemove jp-mod-styled jp-mod-minimal"
                        aria-label={trans.__(
                          'Remove %1 from the basket',
                          item.filename
                        )}
                        title={trans.__('Remove from the basket')}
                        onClick={() => basket.remove(item.uri)}
                      >
                        ×
                      </button>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          <form
            className="jp-JwstLab-form jp-JwstLab-basketForm"
            onSubmit={event => {
              event.preventDefault();
              if (notice === null && source !== null && !download.isBusy) {
                void download.start(
                  items.map(item => item.uri),
                  source
                );
              }
            }}
          >
            <label className="jp-JwstLab-field" htmlFor={folderId}>
              <span className="jp-JwstLab-fieldLabel">
                {trans.__('Download into (folder under the server root)')}
              </span>
            </label>
            <input
              id={folderId}
              className="jp-JwstLab-basketFolder jp-mod-styled"
              type="text"
              placeholder={trans.__("(the server's download folder)")}
              autoComplete="off"
              spellCheck={false}
              value={download.dest}
              onChange={event => download.setDest(event.target.value)}
            />
            <p className="jp-JwstLab-mastStatus">
              {trans.__(
                'Each file goes to %1/<collection>/<obs_id>/.',
                dest || trans.__("the server's download folder")
              )}
            </p>
            {source === null ? (
              <p className="jp-JwstLab-fieldError" role="alert">
                {trans.__(
                  'The basket holds products of MAST and of the local archive: download them separately.'
                )}
              </p>
            ) : null}
            <div className="jp-JwstLab-buttonGroup">
              <button
                type="submit"
                className="jp-JwstLab-basketDownload jp-mod-styled jp-mod-accept"
                disabled={notice !== null || source === null || download.isBusy}
              >
                {trans._n(
                  'Download %1 file',
                  'Download all %1 files',
                  totals.files
                )}
              </button>
              {[
                {
                  className: 'jp-JwstLab-basketCurl',
                  label: trans.__('Copy as curl script'),
                  title: trans.__(
                    'One curl per file with its MAST URL and path; exclusive-access files send $MAST_API_TOKEN (the token is not written)'
                  ),
                  text: () => curlScript(items, dest)
                },
                {
                  className: 'jp-JwstLab-basketPython',
                  label: trans.__('Copy as Python'),
                  title: trans.__(
                    "astroquery's Observations.download_products into the same folders"
                  ),
                  text: () => pythonScript(items, dest)
                }
              ].map(script => (
                <CopyButton
                  key={script.className}
                  {...script}
                  copy={copy}
                  trans={trans}
                />
              ))}
              <button
                type="button"
                className="jp-JwstLab-basketClear jp-mod-styled"
                onClick={() => basket.clear()}
              >
                {trans.__('Empty')}
              </button>
            </div>
            <CapabilityNote notice={notice} />
          </form>
        </>
      )}
    </section>
  );
}
