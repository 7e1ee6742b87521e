import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IServerInfo } from '../api/models';
import { KeyValueTable } from './KeyValueTable';

/** Props of {@link VersionsTable}. */
export interface IVersionsTableProps {
  info: IServerInfo;
  frontendVersion: string;
  trans: TranslationBundle;
}

/** The server's component versions and configuration, as a two-column table. */
export function VersionsTable({
  info,
  frontendVersion,
  trans
}: IVersionsTableProps): JSX.Element {
  const rows: [string, string][] = [
    [trans.__('jwst-lab front end'), frontendVersion],
    ...Object.entries(info.versions).map(
      ([name, version]): [string, string] => [
        name,
        version ?? trans.__('not installed')
      ]
    ),
    [trans.__('Archive backend'), info.archive_backend],
    [trans.__('Job executor'), info.executor],
    [trans.__('Concurrent jobs'), String(info.max_concurrent_jobs)],
    [trans.__('CRDS mode'), info.crds.mode],
    [trans.__('Server features'), info.features.join(', ')]
  ];
  return <KeyValueTable className="jp-JwstLab-versionsTable" rows={rows} />;
}
