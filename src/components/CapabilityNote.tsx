import * as React from 'react';

import type { StatusTone } from './StatusBadge';

/** What a panel says about a server capability it needs. */
export interface ICapabilityNotice {
  text: string;
  tone: StatusTone;
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
