import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * What `useModel` reads: a signal emitted after every change, and a version
 * number that grows with each change (React's snapshot of the model).
 */
export interface IObservableModel {
  /** Emitted after anything the model holds changed. */
  readonly changed: ISignal<unknown, void>;
  /** Grows by one with every `changed` emission. */
  readonly version: number;
}

/**
 * The base of every front-end model: state in plain fields, read by views
 * through `useModel`, changed only by the model's methods, which call
 * `emitChanged()` afterwards. Disposing disconnects every listener.
 */
export abstract class Model implements IObservableModel, IDisposable {
  /** Emitted after anything the model holds changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get version(): number {
    return this._version;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Announce a change (nothing once disposed). */
  protected emitChanged(): void {
    if (this._isDisposed) {
      return;
    }
    this._version += 1;
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _version = 0;
  private _isDisposed = false;
}
