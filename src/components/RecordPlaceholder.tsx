import * as React from 'react';

/** Props of {@link RecordPlaceholder}. */
export interface IRecordPlaceholderProps {
  /** The class of the record's view. */
  className: string;
  /** `data-*` attributes of the record's view. */
  dataset?: Record<`data-${string}`, string>;
  /** What to say when the record was deleted, else null. */
  deleted: string | null;
  /** Why loading the record failed, else null. */
  error: string | null;
  /** What to say while the record loads. */
  loading: string;
}

/**
 * What a record's view shows while it has no record to show: that it was
 * deleted, else why loading it failed, else that it is loading.
 */
export function RecordPlaceholder(props: IRecordPlaceholderProps): JSX.Element {
  const { className, dataset, deleted, error, loading } = props;
  if (deleted !== null) {
    return (
      <div className={className} {...dataset}>
        <p className="jp-JwstLab-emptyState" role="status">
          {deleted}
        </p>
      </div>
    );
  }
  return (
    <div className={className} {...dataset}>
      {error !== null ? (
        <p className="jp-JwstLab-jobsError" role="alert">
          {error}
        </p>
      ) : (
        <p role="status" aria-busy="true">
          {loading}
        </p>
      )}
    </div>
  );
}
