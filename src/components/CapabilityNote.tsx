import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IServerInfo } from '../api/models';
import type { ILoadable } from '../models/loadable';
import type { Feature } from '../tokens';
import type { StatusTone } from './StatusBadge';

/** What a panel says about a server capability it needs. */
export interface ICapabilityNotice {
  text: string;
  tone: StatusTone;
}

/**
 * What to say about `feature` (called `description` for people): null when the
 * server provides it, else why the controls that need it are disabled.
 */
export function capabilityNotice(
  info: ILoadable<IServerInfo>,
  feature: Feature,
  description: string,
  trans: TranslationBundle
): ICapabilityNotice | null {
  if (info.status === 'error') {
    return {
      tone: 'error',
      text: trans.__(
        'Cannot reach the jwst-lab server: %1',
        info.error?.message ?? ''
      )
    };
  }
  if (info.status !== 'ready' || info.value === null) {
    return {
      tone: 'pending',
      text: trans.__('Checking what this jwst-lab server provides…')
    };
  }
  if (info.value.features.includes(feature)) {
    return null;
  }
  return {
    tone: 'pending',
    text: trans.__(
      'This jwst-lab server (v%1) does not provide %2.',
      info.value.version,
      description
    )
  };
}

/** Props of {@link CapabilityNote}. */
export interface ICapabilityNoteProps {
  /** Nothing is rendered when null: the capability is available. */
  notice: ICapabilityNotice | null;
}

/** A short note saying that the server lacks (or may lack) what a control needs. */
export function CapabilityNote({
  notice
}: ICapabilityNoteProps): JSX.Element | null {
  if (notice === null) {
    return null;
  }
  return (
    <p
      className="jp-JwstLab-capabilityNote"
      data-tone={notice.tone}
      role="note"
    >
      {notice.text}
    </p>
  );
}
