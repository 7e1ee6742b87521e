import { Notification } from '@jupyterlab/apputils';

import { JwstLabApiError } from '../api/client';
import { announceVersionCheck } from '../plugins/serverInfo';
import { FakeClient, makeInfo, trans } from './fixtures';

let warning: jest.SpyInstance;
let error: jest.SpyInstance;

beforeEach(() => {
  warning = jest.spyOn(Notification, 'warning');
  error = jest.spyOn(Notification, 'error');
});

afterEach(() => {
  jest.restoreAllMocks();
  Notification.dismiss();
});

describe('announceVersionCheck', () => {
  it('stays quiet when the versions match', async () => {
    const check = await announceVersionCheck(
      new FakeClient(async () => makeInfo({ version: '0.1.0' })),
      trans
    );

    expect(check?.compatible).toBe(true);
    expect(warning).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('warns, persistently, with both versions and the fix when they differ', async () => {
    const check = await announceVersionCheck(
      new FakeClient(async () => makeInfo({ version: '0.2.0' })),
      trans
    );

    expect(check?.compatible).toBe(false);
    expect(warning).toHaveBeenCalledTimes(1);
    const [message, options] = warning.mock.calls[0];
    expect(message).toBe(
      'The jwst-lab front end is version 0.1.0 but the jwst-lab server is version 0.2.0. ' +
        'Reinstall jwst-lab so both match, then restart the server and reload the page.'
    );
    expect(options).toMatchObject({ autoClose: false });
  });

  it('reports a server error with its message', async () => {
    const failure = new JwstLabApiError(
      'internal server error; the server log has the details',
      {
        status: 500,
        reason: 'internal_error'
      }
    );
    const check = await announceVersionCheck(
      new FakeClient(() => Promise.reject(failure)),
      trans
    );

    expect(check).toBeNull();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toBe(
      'jwst-lab cannot read its server information: internal server error; the server log has the details'
    );
  });

  it('recognises a server without the jwst-lab extension', async () => {
    const failure = new JwstLabApiError('Not Found', {
      status: 404,
      reason: null
    });
    await announceVersionCheck(
      new FakeClient(() => Promise.reject(failure)),
      trans
    );

    expect(error.mock.calls[0][0]).toContain(
      'jwst-lab server extension is not running'
    );
  });
});
