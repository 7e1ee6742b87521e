import { ReactWidget } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import { PromiseDelegate } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { fieldId } from './fields';

/**
 * A modal dialog over the page hosting a form whose state is `model`:
 * `open()` shows it and resolves with what the form produced, or with
 * `cancelledResult()` when the dialog is closed without it.
 */
export abstract class ModalDialog<
  TResult,
  TModel extends IDisposable
> extends ReactWidget {
  /** Create the dialog with the classes of JupyterLab's dialogs, and `className` when given. */
  protected constructor(className?: string) {
    super();
    this.addClass('jp-Dialog');
    this.addClass('jp-ThemedContainer');
    this.addClass('jp-JwstLab-runDialog');
    if (className) {
      this.addClass(className);
    }
    this.node.setAttribute('role', 'dialog');
    this.node.setAttribute('aria-modal', 'true');
    // Keys typed in the form are the form's, not JupyterLab shortcuts.
    this.node.setAttribute('data-lm-suppress-shortcuts', 'true');
  }

  /** The form's state, disposed with the dialog. */
  abstract readonly model: TModel;

  /** Show the dialog; resolves with the form's result when it closes. */
  open(): Promise<TResult> {
    this._previousFocus = document.activeElement as HTMLElement | null;
    Widget.attach(this, document.body);
    return this._done.promise;
  }

  /** Close the dialog with `result` (by default, the cancelled result). */
  close(result: TResult = this.cancelledResult()): void {
    if (this.isDisposed) {
      return;
    }
    this._done.resolve(result);
    this.dispose();
    this._previousFocus?.focus?.();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    this.model.dispose();
  }

  /** What `open()` resolves with when the dialog is cancelled. */
  protected abstract cancelledResult(): TResult;

  private readonly _done = new PromiseDelegate<TResult>();
  private _previousFocus: HTMLElement | null = null;
}

/** Focus the first element of `form` matching `selector` once `ready`. */
export function useFocusWhenReady(
  form: React.RefObject<HTMLElement>,
  ready: boolean,
  selector: string
): void {
  React.useEffect(() => {
    if (ready) {
      form.current?.querySelector<HTMLElement>(selector)?.focus();
    }
  }, [ready, form, selector]);
}

/**
 * Focus the field a form model asks for (`focusRequested` with the field's
 * key), on the next tick, once its step's parameters are shown.
 */
export function useFieldFocusRequests<TSender>(model: {
  focusRequested: ISignal<TSender, string>;
}): void {
  React.useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const focus = (_: TSender, key: string) => {
      timer = setTimeout(() => document.getElementById(fieldId(key))?.focus());
    };
    model.focusRequested.connect(focus);
    return () => {
      model.focusRequested.disconnect(focus);
      if (timer !== null) {
        clearTimeout(timer);
      }
    };
  }, [model]);
}

/**
 * The keys of a modal form: Tab and Shift+Tab keep the focus among the
 * elements of `form` matching `focusable`, Escape calls `onEscape`.
 */
export function handleModalKeys(
  event: React.KeyboardEvent,
  form: HTMLFormElement | null,
  focusable: string,
  onEscape: () => void
): void {
  if (event.key === 'Tab' && form) {
    const elements = Array.from(form.querySelectorAll<HTMLElement>(focusable));
    const first = elements[0];
    const last = elements[elements.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
    return;
  }
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    onEscape();
  }
}

/** Props of {@link ModalForm}. */
export interface IModalFormProps {
  formRef: React.RefObject<HTMLFormElement>;
  /** A further class of the form. */
  className?: string;
  /** A further class of the form's body. */
  bodyClassName?: string;
  /** The form's accessible name. */
  label: string;
  title: string;
  onSubmit: (event: React.FormEvent<HTMLFormElement>) => void;
  onKeyDown: (event: React.KeyboardEvent) => void;
  /** A problem of the whole form, shown under its fields, or null. */
  generalError: string | null;
  /** What the reject button says, and what it does. */
  rejectLabel: string;
  onReject: () => void;
  /** The submit button's classes, whether it is disabled and what it says. */
  submitClassName: string;
  submitDisabled: boolean;
  submitLabel: string;
  /** The form's fields. */
  children: React.ReactNode;
}

/**
 * A modal dialog's form: its title, its fields with the form's general
 * problem under them, and a footer with the reject and submit buttons.
 */
export function ModalForm({
  formRef,
  className,
  bodyClassName,
  label,
  title,
  onSubmit,
  onKeyDown,
  generalError,
  rejectLabel,
  onReject,
  submitClassName,
  submitDisabled,
  submitLabel,
  children
}: IModalFormProps): JSX.Element {
  return (
    <form
      ref={formRef}
      className={
        className ? `jp-JwstLab-runForm ${className}` : 'jp-JwstLab-runForm'
      }
      aria-label={label}
      onSubmit={onSubmit}
      onKeyDown={onKeyDown}
      noValidate
    >
      <div className="jp-Dialog-header jp-JwstLab-runHeader">
        <h2 className="jp-JwstLab-runTitle">{title}</h2>
      </div>
      <div
        className={
          bodyClassName
            ? `jp-Dialog-body jp-JwstLab-runBody ${bodyClassName}`
            : 'jp-Dialog-body jp-JwstLab-runBody'
        }
      >
        {children}
        {generalError !== null && (
          <p
            className="jp-JwstLab-runError jp-JwstLab-runGeneralError"
            role="alert"
          >
            {generalError}
          </p>
        )}
      </div>
      <div className="jp-Dialog-footer jp-JwstLab-runFooter">
        <button
          type="button"
          className="jp-Dialog-button jp-mod-reject jp-mod-styled"
          onClick={onReject}
        >
          <div className="jp-Dialog-buttonLabel">{rejectLabel}</div>
        </button>
        <button
          type="submit"
          className={submitClassName}
          disabled={submitDisabled}
        >
          <div className="jp-Dialog-buttonLabel">{submitLabel}</div>
        </button>
      </div>
    </form>
  );
}
