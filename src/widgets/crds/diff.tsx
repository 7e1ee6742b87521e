import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { VirtualTable } from '../../components/VirtualTable';
import type { CrdsDiffModel } from '../../crds/diffModel';
import { useModel } from '../../models/useModel';
import { LoadState } from './loadState';
import { SearchField } from './searchField';
import { rowIndexKey, textColumns } from './textTable';

/** What changed between two contexts. */
export function CrdsDiffView({
  model: diffModel,
  trans
}: {
  model: CrdsDiffModel;
  trans: TranslationBundle;
}): JSX.Element {
  const model = useModel(diffModel);
  const diff = model.state.value;
  if (model.state.status !== 'ready' || !diff) {
    return (
      <div className="jp-JwstLab-crdsDiff">
        <LoadState
          model={model}
          loading={trans.__(
            'Comparing %1 and %2…',
            model.oldContext,
            model.newContext
          )}
          trans={trans}
        />
      </div>
    );
  }
  const changeRows = model.rows;
  const list = (title: string, items: string[], className: string) => (
    <section className={className}>
      <h3>
        {title} ({items.length})
      </h3>
      {items.length === 0 ? (
        <p className="jp-JwstLab-crdsHint">{trans.__('None')}</p>
      ) : (
        <ul>
          {items.map(item => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <div
      className="jp-JwstLab-crdsDiff"
      data-old={diff.old}
      data-new={diff.new}
    >
      <header className="jp-JwstLab-crdsViewHeader">
        <h2>{trans.__('%1 → %2', diff.old, diff.new)}</h2>
      </header>
      <section className="jp-JwstLab-crdsDiffAffected">
        <h3>{trans.__('Affected instruments and types')}</h3>
        {diff.affected.length === 0 ? (
          <p className="jp-JwstLab-crdsHint">
            {trans.__('No instrument is affected.')}
          </p>
        ) : (
          <ul>
            {diff.affected.map(item => (
              <li key={item.instrument} data-instrument={item.instrument}>
                <strong>{item.instrument.toUpperCase()}</strong>:{' '}
                {item.types.join(', ')}
              </li>
            ))}
          </ul>
        )}
      </section>
      {list(
        trans.__('Replaced mappings'),
        diff.replaced_mappings.map(m => `${m.old} → ${m.new}`),
        'jp-JwstLab-crdsDiffMappings'
      )}
      {list(
        trans.__('Replaced references'),
        diff.replaced_references.map(r => `${r.old} → ${r.new}`),
        'jp-JwstLab-crdsDiffReplaced'
      )}
      {list(
        trans.__('Added references'),
        diff.added_references,
        'jp-JwstLab-crdsDiffAdded'
      )}
      {list(
        trans.__('Deleted references'),
        diff.deleted_references,
        'jp-JwstLab-crdsDiffDeleted'
      )}
      {(diff.added_mappings.length > 0 || diff.deleted_mappings.length > 0) &&
        list(
          trans.__('Added and deleted mappings'),
          [
            ...diff.added_mappings.map(m => `+ ${m}`),
            ...diff.deleted_mappings.map(m => `− ${m}`)
          ],
          'jp-JwstLab-crdsDiffMappingChanges'
        )}
      <section className="jp-JwstLab-crdsDiffChanges">
        <h3>{trans.__('Rule changes (%1)', diff.changes.length)}</h3>
        <SearchField
          label={trans.__('Search changes')}
          className="jp-JwstLab-crdsDiffSearch"
          value={model.search}
          onChange={value => model.setSearch(value)}
        />
        <VirtualTable
          className="jp-JwstLab-crdsDiffTable"
          label={trans.__('Rule changes')}
          columns={textColumns(
            [trans.__('Mapping'), trans.__('Rule'), trans.__('Change')],
            { key: 2 }
          )}
          rows={changeRows}
          rowKey={rowIndexKey}
          rowClassName={row =>
            row[2].startsWith('added')
              ? 'jp-mod-added'
              : row[2].startsWith('deleted')
                ? 'jp-mod-deleted'
                : undefined
          }
        />
      </section>
    </div>
  );
}
