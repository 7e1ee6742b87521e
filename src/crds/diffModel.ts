import type { ICrdsDiff } from '../api/models';
import type { IJwstLabClient } from '../tokens';
import { SearchTableModel } from './searchTableModel';

/**
 * What changed between two contexts (`GET /crds/diff`) and the search over its
 * rule changes, whose rows are: mapping, rule, change.
 */
export class CrdsDiffModel extends SearchTableModel<ICrdsDiff> {
  /** Create the model and ask for the diff. */
  constructor(options: {
    client: IJwstLabClient;
    oldContext: string;
    newContext: string;
  }) {
    super(
      () => options.client.getCrdsDiff(options.oldContext, options.newContext),
      diff =>
        diff.changes.map(change => [
          change.rmap ?? change.mappings[change.mappings.length - 1] ?? '',
          change.selector.join(' · '),
          change.change
        ])
    );
    this.oldContext = options.oldContext;
    this.newContext = options.newContext;
  }

  /** The older context. */
  readonly oldContext: string;

  /** The newer context. */
  readonly newContext: string;
}
