import * as React from 'react';

/** Props of {@link EmptyState}. */
export interface IEmptyStateProps {
  /** The main sentence: what would be here. */
  message: string;
  /** Further lines: how to get there. */
  details?: string[];
}

/** The placeholder shown where a list has nothing to show yet. */
export function EmptyState({
  message,
  details = []
}: IEmptyStateProps): JSX.Element {
  return (
    <div className="jp-JwstLab-emptyState">
      <p className="jp-JwstLab-emptyStateMessage">{message}</p>
      {details.map(line => (
        <p key={line} className="jp-JwstLab-emptyStateDetail">
          {line}
        </p>
      ))}
    </div>
  );
}
