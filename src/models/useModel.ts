import * as React from 'react';

import type { IObservableModel } from './model';

/**
 * Read a model in a React component: the component renders again whenever
 * the model emits `changed`. Returns the model, for reading right away:
 *
 * ```tsx
 * const search = useModel(props.search);
 * return <p>{search.state.status}</p>;
 * ```
 *
 * This is the only way components follow state: models hold it, views read it.
 */
export function useModel<M extends IObservableModel>(model: M): M {
  const subscribe = React.useCallback(
    (notify: () => void) => {
      const slot = () => notify();
      model.changed.connect(slot);
      return () => {
        model.changed.disconnect(slot);
      };
    },
    [model]
  );
  const version = React.useCallback(() => model.version, [model]);
  React.useSyncExternalStore(subscribe, version);
  return model;
}
