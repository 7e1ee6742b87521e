import { Notification } from '@jupyterlab/apputils';

/** `Notification.success` and `Notification.error`, mocked. */
export interface INotificationSpies {
  success: jest.SpyInstance<
    ReturnType<typeof Notification.success>,
    Parameters<typeof Notification.success>
  >;
  error: jest.SpyInstance<
    ReturnType<typeof Notification.error>,
    Parameters<typeof Notification.error>
  >;
}

/**
 * Run `body` with `Notification.success` and `Notification.error` mocked
 * (they show nothing), restored afterwards.
 */
export function withNotificationSpies(
  body: (spies: INotificationSpies) => void
): void {
  const success = jest
    .spyOn(Notification, 'success')
    .mockImplementation(() => 'n1');
  const error = jest
    .spyOn(Notification, 'error')
    .mockImplementation(() => 'n2');
  try {
    body({ success, error });
  } finally {
    success.mockRestore();
    error.mockRestore();
  }
}
