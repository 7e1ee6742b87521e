import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { VirtualTable } from '../../components/VirtualTable';
import { readMappingHeader } from '../../crds/mappingHeader';
import type { CrdsRulesModel, CrdsTreeModel } from '../../crds/treeModel';
import { useModel } from '../../models/useModel';
import { plural } from '../../translation';
import { LoadState } from './loadState';
import { SearchField } from './searchField';
import { rowIndexKey, textColumns } from './textTable';

/** Props of {@link CrdsTreeView}. */
export interface ICrdsTreeViewProps {
  model: CrdsTreeModel;
  trans: TranslationBundle;
}

/** A context's instruments → reference types → the selected type's rules. */
export function CrdsTreeView({
  model: treeModel,
  trans
}: ICrdsTreeViewProps): JSX.Element {
  const model = useModel(treeModel);
  const state = model.state;
  const tree = state.value;
  if (state.status !== 'ready' || !tree) {
    return (
      <div className="jp-JwstLab-crdsTree">
        <LoadState
          model={model}
          loading={trans.__('Loading %1…', model.context)}
          trans={trans}
        />
      </div>
    );
  }
  const chosen = model.instrument;
  const types = model.types;
  const reftype = model.reftype;
  const rules = model.rules;
  const header = readMappingHeader(tree.header);

  return (
    <div className="jp-JwstLab-crdsTree" data-context={tree.context}>
      <header className="jp-JwstLab-crdsViewHeader">
        <h2>{tree.context}</h2>
        <p>
          {[
            plural(trans, tree.counts.imaps, '%1 instrument', '%1 instruments'),
            plural(
              trans,
              tree.counts.rmaps,
              '%1 reference mapping',
              '%1 reference mappings'
            ),
            plural(
              trans,
              tree.counts.references,
              '%2 reference file',
              '%2 reference files',
              tree.counts.references.toLocaleString('en-US')
            )
          ].join(', ')}
          {header.derived_from &&
            ' · ' + trans.__('derived from %1', header.derived_from)}
        </p>
        {header.description && (
          <p className="jp-JwstLab-crdsDescription">{header.description}</p>
        )}
      </header>
      <div
        className="jp-JwstLab-crdsInstruments"
        role="tablist"
        aria-label={trans.__('Instruments')}
      >
        {tree.instruments.map(item => (
          <button
            key={item.instrument}
            type="button"
            role="tab"
            aria-selected={item === chosen}
            className="jp-JwstLab-crdsInstrument jp-mod-styled"
            data-instrument={item.instrument}
            title={item.imap}
            onClick={() => model.setInstrument(item.instrument)}
          >
            {item.instrument.toUpperCase()}
          </button>
        ))}
      </div>
      <div className="jp-JwstLab-crdsTreeBody">
        <div className="jp-JwstLab-crdsTypes">
          <SearchField
            label={trans.__('Filter types')}
            className="jp-JwstLab-crdsTypeSearch"
            value={model.typeFilter}
            onChange={value => model.setTypeFilter(value)}
            placeholder={trans.__('dark, flat…')}
          />
          <ul
            aria-label={trans.__('Reference types of %1', chosen?.imap ?? '')}
          >
            {types.map(item => (
              <li key={item.reftype}>
                <button
                  type="button"
                  className="jp-JwstLab-crdsType"
                  data-reftype={item.reftype}
                  data-status={item.status}
                  aria-pressed={item.reftype === reftype}
                  disabled={item.rmap === null}
                  onClick={() => model.setReftype(item.reftype)}
                  title={item.rmap ?? trans.__('not used by this instrument')}
                >
                  <span className="jp-JwstLab-crdsTypeName">
                    {item.reftype}
                  </span>
                  <span className="jp-JwstLab-crdsTypeDescription">
                    {item.description}
                  </span>
                  <span className="jp-JwstLab-crdsTypeRules">
                    {item.rmap === null
                      ? item.status
                      : plural(trans, item.rules, '%1 rule', '%1 rules')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="jp-JwstLab-crdsRulesPane">
          {rules ? (
            <CrdsRules model={rules} trans={trans} key={rules.mapping} />
          ) : (
            <p className="jp-JwstLab-crdsHint">
              {trans.__('Choose a reference type to read its selection rules.')}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}

/** One rmap: its header and its rules as a searchable, virtualised table. */
export function CrdsRules({
  model: rulesModel,
  trans
}: {
  model: CrdsRulesModel;
  trans: TranslationBundle;
}): JSX.Element {
  const model = useModel(rulesModel);
  const table = model.state.value;
  if (model.state.status !== 'ready' || !table) {
    return (
      <LoadState
        model={model}
        loading={trans.__('Loading %1…', model.mapping)}
        trans={trans}
      />
    );
  }
  const rows = model.rows;
  const header = readMappingHeader(table.header);
  return (
    <section className="jp-JwstLab-crdsRules" data-mapping={table.name}>
      <h3>
        {table.name}
        {table.text_descr ? ` — ${table.text_descr}` : ''}
      </h3>
      <dl className="jp-JwstLab-crdsHeader">
        <dt>{trans.__('Match on')}</dt>
        <dd>{header.parkeys.map(group => group.join(', ')).join(' · ')}</dd>
        {header.classes.length > 0 && (
          <>
            <dt>{trans.__('Selectors')}</dt>
            <dd>{header.classes.join(' → ')}</dd>
          </>
        )}
        {header.derived_from && (
          <>
            <dt>{trans.__('Derived from')}</dt>
            <dd>{header.derived_from}</dd>
          </>
        )}
        {(header.comment || header.description) && (
          <>
            <dt>{trans.__('Comment')}</dt>
            <dd>{header.comment ?? header.description}</dd>
          </>
        )}
      </dl>
      <SearchField
        label={trans.__('Search rules')}
        className="jp-JwstLab-crdsRulesSearch"
        value={model.search}
        onChange={value => model.setSearch(value)}
        placeholder={trans.__('NRS1 FULL 2019…')}
      />
      <p className="jp-JwstLab-crdsCount" role="status">
        {plural(
          trans,
          table.rows.length,
          '%2 of %1 rule',
          '%2 of %1 rules',
          rows.length
        )}
      </p>
      <VirtualTable
        className="jp-JwstLab-crdsRulesTable"
        label={trans.__('Rules of %1', table.name)}
        columns={textColumns(
          table.columns.map(column => column.replace(/^META\./, '')),
          { key: table.columns.indexOf('REFERENCE') }
        )}
        rows={rows}
        rowKey={rowIndexKey}
      />
    </section>
  );
}
