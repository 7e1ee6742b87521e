import { Notification } from '@jupyterlab/apputils';

import type { IEventsConnection } from '../api/events';
import type { EventsStreamMessage } from '../api/models';

/** How long a notification of an end stays when it is not an error, ms. */
const END_NOTICE_CLOSE = 8000;

/**
 * Notify that something ended with `status`: a success that closes by
 * itself, an error that stays, or a warning (cancelled, interrupted) that
 * closes by itself; `action` opens what ended.
 */
export function notifyEnd(
  status: string,
  message: string,
  action: Notification.IAction
): void {
  const options = {
    autoClose: status === 'succeeded' ? END_NOTICE_CLOSE : (false as const),
    actions: [action]
  };
  switch (status) {
    case 'succeeded':
      Notification.success(message, options);
      break;
    case 'failed':
      Notification.error(message, options);
      break;
    default:
      Notification.warning(message, {
        ...options,
        autoClose: END_NOTICE_CLOSE
      });
  }
}

/**
 * Call `notify` once for each end found in the events stream: `endOf`
 * reads an ended record from a message (null for any other message), and
 * `keyOf` says which ends are the same one.
 */
export function watchEnds<T>(
  events: IEventsConnection,
  endOf: (message: EventsStreamMessage) => T | null,
  keyOf: (record: T) => string,
  notify: (record: T) => void
): void {
  const notified = new Set<string>();
  events.events.connect(
    (_: IEventsConnection, message: EventsStreamMessage) => {
      const record = endOf(message);
      if (record === null) {
        return;
      }
      const key = keyOf(record);
      if (notified.has(key)) {
        return;
      }
      notified.add(key);
      notify(record);
    }
  );
}
