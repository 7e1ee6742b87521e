import {
  Dialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { JwstLabApiError } from '../api/client';
import { errorMessage } from '../api/errors';
import type { IVersionCheck } from '../api/models';
import { VersionsTable } from '../components/VersionsTable';
import { CommandIds, IJwstLabClient } from '../tokens';

/**
 * Run the version handshake and tell the user when something is wrong: a
 * persistent warning when the server's version differs from the front end's,
 * a persistent error when the server cannot be asked.
 *
 * @returns the check, or null when the server could not be asked.
 */
export async function announceVersionCheck(
  client: IJwstLabClient,
  trans: TranslationBundle,
  commands?: CommandRegistry
): Promise<IVersionCheck | null> {
  let check: IVersionCheck;
  try {
    check = await client.checkVersion();
  } catch (error) {
    Notification.error(handshakeErrorMessage(error, trans), {
      autoClose: false
    });
    return null;
  }
  if (!check.compatible) {
    Notification.warning(
      trans.__(
        'The jwst-lab front end is version %1 but the jwst-lab server is version %2. Reinstall jwst-lab so both match, then restart the server and reload the page.',
        check.frontend,
        check.server
      ),
      {
        autoClose: false,
        actions: commands
          ? [
              {
                label: trans.__('Show versions'),
                callback: () => void commands.execute(CommandIds.showInfo)
              }
            ]
          : []
      }
    );
  }
  return check;
}

/** The notification text for a failed handshake, with the likely fix. */
function handshakeErrorMessage(
  error: unknown,
  trans: TranslationBundle
): string {
  if (
    error instanceof JwstLabApiError &&
    error.status === 404 &&
    error.reason === null
  ) {
    // A 404 without jwst-lab's JSON body comes from Jupyter itself: the extension is not loaded.
    return trans.__(
      'The jwst-lab server extension is not running (GET /jwst-lab/info answered 404). Check "jupyter server extension list", then restart the server.'
    );
  }
  return trans.__(
    'jwst-lab cannot read its server information: %1',
    errorMessage(error)
  );
}

/** Show the server's versions and configuration in a dialog. */
export async function showServerInfo(
  client: IJwstLabClient,
  trans: TranslationBundle
): Promise<void> {
  let body: React.ReactElement;
  try {
    const info = await client.getInfo();
    body = React.createElement(VersionsTable, {
      info,
      frontendVersion: client.frontendVersion,
      trans
    });
  } catch (error) {
    await showErrorMessage(
      trans.__('jwst-lab server information'),
      error instanceof Error ? error : String(error)
    );
    return;
  }
  await showDialog({
    title: trans.__('jwst-lab versions'),
    body,
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}
