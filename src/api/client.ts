import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { API_NAMESPACE, Feature, IJwstLabClient } from '../tokens';
import { FRONTEND_VERSION } from '../version';
import type {
  IErrorBody,
  IJobList,
  IListJobsOptions,
  IServerInfo,
  IVersionCheck
} from './types';

/**
 * An error answered by the jwst-lab server, or the failure to reach it.
 *
 * `status` is the HTTP status (0 when the server could not be reached) and
 * `reason` the server's machine-readable code (e.g. `not_found`), or null
 * when the answer did not carry one.
 */
export class JwstLabApiError extends Error {
  /** Create an error from what the server answered. */
  constructor(
    message: string,
    options: { status: number; reason: string | null }
  ) {
    super(message);
    this.name = 'JwstLabApiError';
    this.status = options.status;
    this.reason = options.reason;
  }

  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;

  /** Machine-readable reason code, or null. */
  readonly reason: string | null;
}

/**
 * The client of the jwst-lab REST API: the only module that talks HTTP to the server.
 */
export class JwstLabClient implements IJwstLabClient {
  /** Create a client; settings default to the page's Jupyter server. */
  constructor(options: JwstLabClient.IOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this.frontendVersion = options.frontendVersion ?? FRONTEND_VERSION;
  }

  readonly serverSettings: ServerConnection.ISettings;

  readonly frontendVersion: string;

  get info(): IServerInfo | null {
    return this._info;
  }

  get infoChanged(): ISignal<IJwstLabClient, IServerInfo> {
    return this._infoChanged;
  }

  getInfo(): Promise<IServerInfo> {
    if (this._pendingInfo === null) {
      this._pendingInfo = this.request<IServerInfo>('info')
        .then(info => {
          this._info = info;
          this._infoChanged.emit(info);
          return info;
        })
        .finally(() => {
          this._pendingInfo = null;
        });
    }
    return this._pendingInfo;
  }

  /**
   * Compare the server's version with the front end's.
   *
   * Both halves ship in one Python wheel with one version number, so any
   * difference (even a patch level) means two installations are mixed up,
   * typically a stale lab extension in another environment.
   */
  async checkVersion(): Promise<IVersionCheck> {
    const info = await this.getInfo();
    const frontend = this.frontendVersion;
    const server = info.version;
    return {
      compatible: frontend.trim() === server.trim(),
      frontend,
      server,
      info
    };
  }

  hasFeature(feature: Feature): boolean {
    return this._info?.features.includes(feature) ?? false;
  }

  /**
   * Fetch one page of jobs, newest first.
   *
   * @throws {JwstLabApiError} when the server answers an error or cannot be reached.
   */
  listJobs(options: IListJobsOptions = {}): Promise<IJobList> {
    const query = new URLSearchParams();
    const statuses =
      options.status === undefined
        ? []
        : Array.isArray(options.status)
          ? options.status
          : [options.status];
    if (statuses.length > 0) {
      query.set('status', statuses.join(','));
    }
    if (options.page !== undefined) {
      query.set('page', String(options.page));
    }
    if (options.pageSize !== undefined) {
      query.set('page_size', String(options.pageSize));
    }
    return this.request<IJobList>('jobs', {}, query);
  }

  /**
   * Send a request to `/jwst-lab/<path>` and parse the JSON answer.
   *
   * @throws {JwstLabApiError} on a non-2xx answer or when the server is unreachable.
   */
  private async request<T>(
    path: string,
    init: RequestInit = {},
    query?: URLSearchParams
  ): Promise<T> {
    const settings = this.serverSettings;
    let url = URLExt.join(settings.baseUrl, API_NAMESPACE, path);
    const search = query?.toString();
    if (search) {
      url += `?${search}`;
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, settings);
    } catch (error) {
      if (error instanceof ServerConnection.NetworkError) {
        throw new JwstLabApiError(
          `Cannot reach the Jupyter server: ${error.message}`,
          {
            status: 0,
            reason: 'network_error'
          }
        );
      }
      throw error;
    }
    const body = Private.parseJson(await response.text());
    if (!response.ok) {
      throw Private.errorFromResponse(response, body);
    }
    if (body === undefined) {
      throw new JwstLabApiError(
        `The server answered ${path} with something that is not JSON`,
        {
          status: response.status,
          reason: 'invalid_response'
        }
      );
    }
    return body as T;
  }

  private _info: IServerInfo | null = null;
  private _infoChanged = new Signal<IJwstLabClient, IServerInfo>(this);
  private _pendingInfo: Promise<IServerInfo> | null = null;
}

/** The namespace for `JwstLabClient` statics. */
export namespace JwstLabClient {
  /** Options to create a client. */
  export interface IOptions {
    /** Jupyter server connection settings; defaults to `ServerConnection.makeSettings()`. */
    serverSettings?: ServerConnection.ISettings;
    /** The front end version to compare with the server's; defaults to package.json's. */
    frontendVersion?: string;
  }
}

namespace Private {
  /** The parsed JSON of `text`, or undefined when it is not JSON. */
  export function parseJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  /** A typed error from a non-2xx response and its (possibly non-JSON) body. */
  export function errorFromResponse(
    response: Response,
    body: unknown
  ): JwstLabApiError {
    const fallback = response.statusText || `HTTP error ${response.status}`;
    if (isErrorBody(body)) {
      return new JwstLabApiError(body.message || fallback, {
        status: response.status,
        reason: typeof body.reason === 'string' ? body.reason : null
      });
    }
    return new JwstLabApiError(fallback, {
      status: response.status,
      reason: null
    });
  }

  function isErrorBody(body: unknown): body is IErrorBody {
    return (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as Partial<IErrorBody>).message === 'string'
    );
  }
}
