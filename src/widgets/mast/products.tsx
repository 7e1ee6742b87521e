import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { MastRow } from '../../api/models';
import type { ICapabilityNotice } from '../../components/CapabilityNote';
import { CapabilityNote } from '../../components/CapabilityNote';
import { CopyPython } from '../../components/CopyButton';
import { formatBytes } from '../../components/format';
import { IVirtualColumn, VirtualTable } from '../../components/VirtualTable';
import type { MastBasketModel } from '../../mast/basketModel';
import { CALIB_LEVELS } from '../../mast/form';
import {
  IProductFilters,
  isRecommended,
  MastProductsModel,
  productKey,
  productSize
} from '../../mast/productsModel';
import { isPeekable } from '../../models/peekModel';
import { useModel } from '../../models/useModel';
import { fitHeight, formatCell } from './cells';

/** Props of {@link MastProducts}. */
export interface IMastProductsProps {
  model: MastProductsModel;
  trans: TranslationBundle;
  copy: (text: string) => void;
  /** The basket the ticked products can be added to. */
  basket?: MastBasketModel;
  /** Height of the table in pixels (default: up to 200, fitting the rows). */
  height?: number;
  /** Peeking at a product in MAST's cloud bucket (no "Peek" without it). */
  peek?: IProductPeek;
}

/** How the products table offers peeks. */
export interface IProductPeek {
  /** Why peeks are unavailable on this server, or null when they are. */
  notice: ICapabilityNotice | null;
  /** Open the peek of a product row. */
  open: (row: MastRow) => void;
}

/** Product types MAST uses. */
const PRODUCT_TYPES = [
  'SCIENCE',
  'CALIBRATION',
  'AUXILIARY',
  'PREVIEW',
  'THUMBNAIL',
  'INFO'
];

/** The selected observation's products: filters, quick selection and the table. */
export function MastProducts({
  model: productsModel,
  trans,
  copy,
  basket,
  height,
  peek
}: IMastProductsProps): JSX.Element | null {
  const model = useModel(productsModel);
  const observation = model.observation;
  if (!observation) {
    return null;
  }
  const products = model.state;
  const rows = model.rows;
  const selection = model.selection;
  const shownSelected = rows.filter(row =>
    selection.has(productKey(row))
  ).length;
  const recommended = rows.filter(isRecommended).length;
  const fileName = (row: MastRow) => String(row.productFilename ?? '');
  const peekTitle =
    peek?.notice?.text ??
    trans.__(
      "Read this file's FITS headers and a quick look from MAST's cloud bucket, without downloading it"
    );
  // The one ticked file a keyboard user peeks at from the toolbar.
  const ticked = rows.filter(row => selection.has(productKey(row)));
  const peekTarget =
    ticked.length === 1 && isPeekable(fileName(ticked[0])) ? ticked[0] : null;
  const columns: IVirtualColumn<MastRow>[] = [
    {
      id: '__select',
      label: '',
      width: 28,
      sortable: false,
      render: row => {
        const key = productKey(row);
        return (
          <input
            type="checkbox"
            className="jp-JwstLab-productCheck"
            tabIndex={-1}
            aria-label={trans.__(
              'Select %1',
              String(row.productFilename ?? key)
            )}
            checked={selection.has(key)}
            onClick={event => event.stopPropagation()}
            onChange={event => model.toggle(key, event.target.checked)}
          />
        );
      }
    },
    {
      id: 'productFilename',
      label: trans.__('File'),
      width: 260,
      sortable: false,
      cellTitle: row => String(row.productFilename ?? ''),
      render: row => (
        <>
          {isRecommended(row) ? (
            <span
              className="jp-JwstLab-recommendedMark"
              title={trans.__('Recommended by MAST')}
            >
              ★{' '}
            </span>
          ) : null}
          {String(row.productFilename ?? '')}
        </>
      )
    },
    {
      id: 'productType',
      label: trans.__('Type'),
      width: 90,
      sortable: false,
      render: row => formatCell('productType', row.productType)
    },
    {
      id: 'productSubGroupDescription',
      label: trans.__('Subgroup'),
      width: 70,
      sortable: false,
      render: row => formatCell('', row.productSubGroupDescription)
    },
    {
      id: 'calib_level',
      label: trans.__('Level'),
      width: 50,
      sortable: false,
      align: 'end',
      render: row => formatCell('calib_level', row.calib_level)
    },
    {
      id: 'size',
      label: trans.__('Size'),
      width: 80,
      sortable: false,
      align: 'end',
      render: row => (productSize(row) ? formatBytes(productSize(row)) : '')
    }
  ];
  if (peek && peek.notice === null) {
    columns.push({
      id: '__peek',
      label: '',
      width: 56,
      sortable: false,
      render: row =>
        isPeekable(fileName(row)) ? (
          <button
            type="button"
            className="jp-JwstLab-peekButton jp-mod-styled jp-mod-minimal"
            // The toolbar's "Peek" reaches it by keyboard (rows move with arrows).
            tabIndex={-1}
            title={peekTitle}
            aria-label={trans.__('Peek at %1', fileName(row))}
            onClick={event => {
              event.stopPropagation();
              peek.open(row);
            }}
          >
            {trans.__('Peek')}
          </button>
        ) : null
    });
  }

  // A select filtering the products ('' for all); changing it lists them again.
  const filter = (
    key: keyof IProductFilters,
    label: string,
    values: readonly string[],
    className: string
  ) => (
    <label className="jp-JwstLab-field jp-JwstLab-grow">
      <span className="jp-JwstLab-fieldLabel">{label}</span>
      <select
        className={`${className} jp-mod-styled`}
        value={model.filters[key]}
        onChange={event => void model.setFilters({ [key]: event.target.value })}
      >
        <option value="">{trans.__('All')}</option>
        {values.map(value => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section
      className="jp-JwstLab-mastProducts"
      aria-label={trans.__('Products')}
      aria-busy={products.status === 'loading'}
    >
      <div className="jp-JwstLab-toolbarRow">
        <h3 className="jp-JwstLab-sectionTitle">
          {trans.__(
            'Products of %1',
            String(observation.obs_id ?? observation.obsid)
          )}
        </h3>
        <button
          type="button"
          className="jp-JwstLab-mastCloseProducts jp-mod-styled"
          onClick={() => model.close()}
        >
          {trans.__('Close')}
        </button>
      </div>
      <div className="jp-JwstLab-formRow">
        {filter(
          'productType',
          trans.__('Product type'),
          PRODUCT_TYPES,
          'jp-JwstLab-productType'
        )}
        {filter(
          'calibLevel',
          trans.__('Level'),
          CALIB_LEVELS,
          'jp-JwstLab-productLevel'
        )}
      </div>
      {products.value?.notice ? (
        <p className="jp-JwstLab-mastNotice" role="note">
          {products.value.notice}
        </p>
      ) : null}
      {products.status === 'error' ? (
        <div className="jp-JwstLab-banner" role="alert">
          {trans.__(
            'Cannot list the products: %1',
            products.error?.message ?? ''
          )}
        </div>
      ) : null}
      {products.status === 'loading' && rows.length === 0 ? (
        <p className="jp-JwstLab-mastStatus" role="status">
          {trans.__('Listing products…')}
        </p>
      ) : null}
      {products.status === 'ready' && rows.length === 0 ? (
        <p className="jp-JwstLab-mastStatus">
          {trans.__('No products match these filters.')}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <>
          <div className="jp-JwstLab-toolbarRow">
            <div className="jp-JwstLab-buttonGroup">
              <button
                type="button"
                className="jp-JwstLab-selectRecommended jp-mod-styled"
                disabled={recommended === 0}
                title={trans.__('Tick MAST\'s "Minimum Recommended Products"')}
                onClick={() => model.selectRecommended()}
              >
                {trans.__('Recommended (%1)', recommended)}
              </button>
              <button
                type="button"
                className="jp-JwstLab-selectAll jp-mod-styled"
                onClick={() => model.select(rows.map(productKey))}
              >
                {trans.__('All')}
              </button>
              <button
                type="button"
                className="jp-JwstLab-selectNone jp-mod-styled"
                disabled={selection.size === 0}
                onClick={() => model.select([])}
              >
                {trans.__('None')}
              </button>
            </div>
            {basket ? (
              <button
                type="button"
                className="jp-JwstLab-addToBasket jp-mod-styled jp-mod-accept"
                disabled={shownSelected === 0}
                title={trans.__(
                  'Add the ticked products to the basket, to download with those of other observations'
                )}
                onClick={() => {
                  const value = products.value;
                  basket.add(
                    rows.filter(row => selection.has(productKey(row))),
                    {
                      obsid: String(observation.obsid ?? observation.obs_id),
                      source: value?.source ?? 'mast',
                      downloadUrl: value?.download_url
                    }
                  );
                }}
              >
                {trans.__('Add %1 to basket', shownSelected)}
              </button>
            ) : null}
            {peek ? (
              <button
                type="button"
                className="jp-JwstLab-peekTicked jp-mod-styled"
                disabled={peek.notice !== null || peekTarget === null}
                title={
                  peek.notice?.text ??
                  (peekTarget
                    ? peekTitle
                    : trans.__('Tick one FITS file to peek at it'))
                }
                onClick={() => peekTarget && peek.open(peekTarget)}
              >
                {trans.__('Peek')}
              </button>
            ) : null}
            <CopyPython
              code={products.value?.python}
              copy={copy}
              trans={trans}
              what={trans.__('product list')}
            />
          </div>
          {peek ? <CapabilityNote notice={peek.notice} /> : null}
          <VirtualTable
            className="jp-JwstLab-productTable"
            label={trans.__('Products')}
            rows={rows}
            columns={columns}
            rowKey={row => productKey(row)}
            onActivate={row => model.toggle(productKey(row))}
            rowClassName={row =>
              [
                selection.has(productKey(row)) ? 'jp-mod-selected' : '',
                basket?.has(productKey(row)) ? 'jp-mod-inBasket' : ''
              ]
                .filter(Boolean)
                .join(' ') || undefined
            }
            height={height ?? fitHeight(rows.length, 200)}
          />
          <p className="jp-JwstLab-selectionSummary" role="status">
            {trans.__(
              '%1 selected (%2 of them listed here) · %3',
              selection.size,
              shownSelected,
              formatBytes(model.selectionSize)
            )}
          </p>
        </>
      ) : null}
    </section>
  );
}
