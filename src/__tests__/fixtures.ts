import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import type { IServerInfo, IVersionCheck } from '../api/types';
import { Feature, IJwstLabClient } from '../tokens';

/** A `GET /info` answer like the 0.1.0 server's, with `overrides` applied. */
export function makeInfo(overrides: Partial<IServerInfo> = {}): IServerInfo {
  return {
    version: '0.1.0',
    versions: {
      'jwst-lab': '0.1.0',
      jwst: '3.0.0',
      stpipe: '1.1.0',
      crds: '14.0.3',
      stdatamodels: null,
      astroquery: '0.4.11',
      jupyter_server: '2.21.1',
      python: '3.11.7'
    },
    archive_backend: 'auto',
    executor: 'local',
    max_concurrent_jobs: 2,
    crds: {
      mode: 'serverless',
      path: '/data/crds_cache',
      server_url: null,
      context: 'jwst_0541.pmap',
      context_source: 'configured'
    },
    features: ['info', 'events'],
    ...overrides
  };
}

/** Settings for a server at localhost:8888 whose requests go to `fetch`. */
export function makeSettings(
  options: Partial<ServerConnection.ISettings> = {}
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/',
    wsUrl: 'ws://localhost:8888/',
    token: '',
    ...options
  });
}

/**
 * A client whose `getInfo` answers with whatever `answer` returns, so widget
 * tests control the server without HTTP.
 */
export class FakeClient implements IJwstLabClient {
  constructor(public answer: () => Promise<IServerInfo>) {}

  readonly serverSettings = makeSettings();
  readonly frontendVersion = '0.1.0';
  info: IServerInfo | null = null;
  getInfoCalls = 0;

  get infoChanged(): ISignal<IJwstLabClient, IServerInfo> {
    return this._infoChanged;
  }

  async getInfo(): Promise<IServerInfo> {
    this.getInfoCalls += 1;
    const info = await this.answer();
    this.info = info;
    this._infoChanged.emit(info);
    return info;
  }

  async checkVersion(): Promise<IVersionCheck> {
    const info = await this.getInfo();
    return {
      compatible: info.version === this.frontendVersion,
      frontend: this.frontendVersion,
      server: info.version,
      info
    };
  }

  hasFeature(feature: Feature): boolean {
    return this.info?.features.includes(feature) ?? false;
  }

  private _infoChanged = new Signal<IJwstLabClient, IServerInfo>(this);
}

/** Resolve once `assertion` stops throwing; rethrow its last error after `timeout` ms. */
export async function waitFor(
  assertion: () => void,
  timeout = 2000
): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() - start > timeout) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }
}

/** Type into an input (or pick in a select) the way React notices it. */
export function changeValue(
  element: HTMLInputElement | HTMLSelectElement,
  value: string
): void {
  const prototype =
    element instanceof HTMLSelectElement
      ? HTMLSelectElement.prototype
      : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, 'value')!.set!.call(
    element,
    value
  );
  element.dispatchEvent(
    new Event(element instanceof HTMLSelectElement ? 'change' : 'input', {
      bubbles: true
    })
  );
}
