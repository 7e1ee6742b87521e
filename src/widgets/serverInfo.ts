import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IServerInfo } from '../api/types';
import type { ICapabilityNotice } from '../components/CapabilityNote';
import { Feature, IJwstLabClient } from '../tokens';

/** What a panel knows about the server: still asking, the answer, or why there is none. */
export type ServerInfoState =
  | { status: 'loading' }
  | { status: 'ready'; info: IServerInfo }
  | { status: 'error'; message: string };

/**
 * The server information for a React tree: the client's cached answer when
 * there is one, else a fresh `GET /info`; follows later answers, and `retry`
 * asks again after a failure.
 */
export function useServerInfo(client: IJwstLabClient): {
  state: ServerInfoState;
  retry: () => void;
} {
  const [state, setState] = React.useState<ServerInfoState>(() =>
    client.info ? { status: 'ready', info: client.info } : { status: 'loading' }
  );
  const [attempt, setAttempt] = React.useState(0);

  React.useEffect(() => {
    const onInfo = (_: IJwstLabClient, info: IServerInfo) =>
      setState({ status: 'ready', info });
    client.infoChanged.connect(onInfo);
    return () => {
      client.infoChanged.disconnect(onInfo);
    };
  }, [client]);

  React.useEffect(() => {
    if (client.info && attempt === 0) {
      return;
    }
    let current = true;
    client.getInfo().then(
      info => current && setState({ status: 'ready', info }),
      (error: unknown) =>
        current &&
        setState({
          status: 'error',
          message: error instanceof Error ? error.message : String(error)
        })
    );
    return () => {
      current = false;
    };
  }, [client, attempt]);

  const retry = React.useCallback(() => {
    setState({ status: 'loading' });
    setAttempt(count => count + 1);
  }, []);

  return { state, retry };
}

/**
 * What to say about `feature` (called `description` for people): null when the
 * server provides it, else why the controls that need it are disabled.
 */
export function capabilityNotice(
  state: ServerInfoState,
  feature: Feature,
  description: string,
  trans: TranslationBundle
): ICapabilityNotice | null {
  switch (state.status) {
    case 'loading':
      return {
        tone: 'pending',
        text: trans.__('Checking what this jwst-lab server provides…')
      };
    case 'error':
      return {
        tone: 'error',
        text: trans.__('Cannot reach the jwst-lab server: %1', state.message)
      };
    case 'ready':
      if (state.info.features.includes(feature)) {
        return null;
      }
      return {
        tone: 'pending',
        text: trans.__(
          'This jwst-lab server (v%1) does not provide %2.',
          state.info.version,
          description
        )
      };
  }
}
