import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IProblem } from '../../api/errors';
import type { IMastPeek, IServerInfo } from '../../api/models';
import type { ICapabilityNotice } from '../../components/CapabilityNote';
import { capabilityNotice } from '../../components/CapabilityNote';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes } from '../../components/format';
import { RetryButton } from '../../components/RetryButton';
import { mastIcon } from '../../icons';
import type { ILoadable } from '../../models/loadable';
import { headerText, PeekModel } from '../../models/peekModel';
import { useModel } from '../../models/useModel';
import { Features, IJwstLabClient } from '../../tokens';
import { ModelTab } from '../modelTab';

/** Props of {@link MastPeek}. */
export interface IMastPeekProps {
  model: PeekModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
}

/**
 * What was read to peek: "Read 48.1 kB of 118 MB in 9 range requests (0.04 %)
 * — nothing was downloaded."
 */
export function readSummary(peek: IMastPeek, trans: TranslationBundle): string {
  const share = peek.size > 0 ? (100 * peek.bytes_read) / peek.size : 0;
  const percent =
    share >= 10 ? share.toFixed(0) : share >= 0.1 ? share.toFixed(1) : '< 0.1';
  return trans._n(
    'Read %2 of %3 in %1 range request (%4 %) — nothing was downloaded.',
    'Read %2 of %3 in %1 range requests (%4 %) — nothing was downloaded.',
    peek.requests,
    formatBytes(peek.bytes_read),
    formatBytes(peek.size),
    percent
  );
}

/** What a failed peek says, by the server's reason. */
export function peekProblem(
  problem: IProblem,
  trans: TranslationBundle
): string {
  if (problem.status === 404) {
    return trans.__(
      "This product is not in MAST's cloud bucket, so it cannot be peeked at: download it to read it. (%1)",
      problem.message
    );
  }
  if (problem.field === 'cloud') {
    return trans.__(
      "This server does not read MAST's cloud bucket: %1",
      problem.message
    );
  }
  if (problem.status === 502 || problem.status === 503) {
    return trans.__(
      "MAST's cloud bucket could not be read: %1",
      problem.message
    );
  }
  return trans.__('Cannot peek at this product: %1', problem.message);
}

/**
 * Why products cannot be peeked at on this server (it lacks MAST, or reads no
 * cloud bucket), or null when they can.
 */
export function peekNotice(
  info: ILoadable<IServerInfo>,
  trans: TranslationBundle
): ICapabilityNotice | null {
  const notice = capabilityNotice(info, Features.mast, trans.__('MAST'), trans);
  if (notice !== null || info.value === null || info.value.cloud !== '') {
    return notice;
  }
  return {
    tone: 'pending',
    text: trans.__(
      "Peek reads a product's headers from MAST's cloud bucket, which this server does not use (its administrator can turn it on with c.JwstLabApp.cloud = 'aws'). Download the product to read it."
    )
  };
}

/** A product's headers (filterable cards) and quick look, read from the cloud bucket. */
export function MastPeek({
  model: peekModel,
  trans,
  copy
}: IMastPeekProps): JSX.Element {
  const model = useModel(peekModel);
  const { state } = model;
  const peek = state.value;
  const header = model.header;
  const cards = model.cards;
  const filterId = React.useId();
  return (
    <article
      className="jp-JwstLab-peek"
      aria-label={trans.__('Peek at %1', model.filename)}
      aria-busy={state.status === 'loading'}
      data-uri={model.uri}
    >
      <header className="jp-JwstLab-peekHeader">
        <h2 className="jp-JwstLab-peekTitle" title={model.uri}>
          {model.filename}
        </h2>
        {peek ? (
          <>
            <p className="jp-JwstLab-peekSource" title={peek.cloud_uri}>
              {peek.cloud_uri}
            </p>
            <p
              className="jp-JwstLab-peekRead"
              role="status"
              data-bytes-read={peek.bytes_read}
              data-size={peek.size}
            >
              {readSummary(peek, trans)}
            </p>
          </>
        ) : null}
        {state.status === 'loading' ? (
          <p className="jp-JwstLab-mastStatus" role="status">
            {trans.__(
              "Reading the headers from MAST's cloud bucket with range requests…"
            )}
          </p>
        ) : null}
      </header>
      {state.status === 'error' && state.error ? (
        <div className="jp-JwstLab-banner jp-JwstLab-peekError" role="alert">
          <span>{peekProblem(state.error, trans)}</span>
          <RetryButton onClick={() => void model.reload()} trans={trans} />
        </div>
      ) : null}
      {peek ? (
        <div className="jp-JwstLab-peekBody">
          <section
            className="jp-JwstLab-peekHeaders"
            aria-label={trans.__('Headers')}
          >
            <div className="jp-JwstLab-toolbarRow jp-JwstLab-peekToolbar">
              <div
                className="jp-JwstLab-buttonGroup"
                role="group"
                aria-label={trans.__('Header of')}
              >
                {peek.headers.map((hdu, position) => (
                  <button
                    key={hdu.index}
                    type="button"
                    className="jp-JwstLab-peekHdu jp-mod-styled"
                    aria-pressed={position === model.headerIndex}
                    title={trans.__('Extension %1', hdu.index)}
                    onClick={() => model.selectHeader(position)}
                  >
                    {`${hdu.index}: ${hdu.name || trans.__('(no name)')}`}
                  </button>
                ))}
              </div>
              {header ? (
                <CopyButton
                  className="jp-JwstLab-peekCopy"
                  label={trans.__('Copy header')}
                  title={trans.__(
                    'Copy the cards shown as FITS header lines (KEYWORD = value / comment)'
                  )}
                  text={() => headerText(cards)}
                  copy={copy}
                  trans={trans}
                  disabled={cards.length === 0}
                />
              ) : null}
            </div>
            <div className="jp-JwstLab-formRow">
              <label className="jp-JwstLab-field jp-JwstLab-grow">
                <span className="jp-JwstLab-fieldLabel" id={filterId}>
                  {trans.__('Filter cards')}
                </span>
                <input
                  type="search"
                  className="jp-JwstLab-peekFilter jp-mod-styled"
                  placeholder={trans.__('keyword, value or comment')}
                  autoComplete="off"
                  spellCheck={false}
                  aria-labelledby={filterId}
                  value={model.filter}
                  onChange={event => model.setFilter(event.target.value)}
                />
              </label>
            </div>
            <p className="jp-JwstLab-mastStatus jp-JwstLab-peekCount">
              {trans.__(
                '%1 of %2 cards',
                cards.length,
                header?.cards.length ?? 0
              )}
            </p>
            <div
              className="jp-JwstLab-peekCardsScroller"
              tabIndex={0}
              role="region"
              aria-label={trans.__('Cards of %1', header?.name ?? '')}
            >
              <table className="jp-JwstLab-peekCards">
                <thead>
                  <tr>
                    <th scope="col">{trans.__('Keyword')}</th>
                    <th scope="col">{trans.__('Value')}</th>
                    <th scope="col">{trans.__('Comment')}</th>
                  </tr>
                </thead>
                <tbody>
                  {cards.map((card, row) => (
                    <tr key={`${row}:${card[0]}`} data-keyword={card[0]}>
                      <th scope="row">{card[0]}</th>
                      <td>{card[1]}</td>
                      <td>{card[2]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <figure className="jp-JwstLab-peekLook">
            {peek.image_png ? (
              <img
                className="jp-JwstLab-peekImage"
                src={`data:image/png;base64,${peek.image_png}`}
                alt={trans.__(
                  'Quick look of the %1 extension of %2',
                  peek.science ?? '',
                  model.filename
                )}
              />
            ) : (
              <p className="jp-JwstLab-mastStatus">
                {trans.__('No image extension to show.')}
              </p>
            )}
            <figcaption>
              {peek.image_png && peek.shape
                ? trans.__(
                    '%1 · %2 pixels · a quick look from a sample of its rows (asinh stretch)',
                    peek.science ?? '',
                    peek.shape.slice(-2).reverse().join(' × ')
                  )
                : null}
            </figcaption>
          </figure>
        </div>
      ) : null}
    </article>
  );
}

/** A main-area tab peeking at one product; closing it forgets the peek. */
export class MastPeekWidget extends ModelTab<PeekModel> {
  /** Create the tab and ask for the peek. */
  constructor(options: MastPeekWidget.IOptions) {
    const model = new PeekModel({ client: options.client, uri: options.uri });
    super({
      model,
      element: (
        <MastPeek model={model} trans={options.trans} copy={options.copy} />
      ),
      contentClass: 'jp-JwstLab-peekContent',
      label: options.trans.__('Peek: %1', model.filename),
      icon: mastIcon
    });
    this.id = `jwst-lab-peek-${model.filename.replace(/[^\w-]/g, '-')}`;
    this.title.caption = options.trans.__(
      "%1, read from MAST's cloud bucket",
      options.uri
    );
  }
}

/** The namespace for `MastPeekWidget` statics. */
export namespace MastPeekWidget {
  /** Options to create the tab. */
  export interface IOptions {
    client: IJwstLabClient;
    /** The product's dataURI. */
    uri: string;
    trans: TranslationBundle;
    copy: (text: string) => void;
  }
}
