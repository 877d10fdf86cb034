import { useEffect, useState } from "react";
import { describeError } from "./logic";
import type { AdminFormValues, AdminItem, AdminResource, RowAction } from "./resource";
import { useAdminList, useConfirm } from "./useAdminList";

export interface ResourcePanelState<T> {
  items: T[] | null;
  error: string | null;
  rowError: string | null;
  loading: boolean;
  reload(quiet?: boolean): Promise<void>;
  replace(item: T): void;
  notify(message: string): void;
  isBusy(item: T): boolean;
  setEnabled(item: T, enabled: boolean): Promise<void>;
  runAction(action: RowAction<T>, item: T): Promise<void>;
  askDelete(item: T): void;
  confirm: ReturnType<typeof useConfirm>;
}

/**
 * A resource panel's state: the list, which rows are busy, the last row failure, and the row
 * operations (switch on/off, row actions, delete behind a confirmation) that keep the list current.
 */
export function useResourcePanel<T extends AdminItem, F extends AdminFormValues, U extends object>(
  resource: AdminResource<T, F, U>,
): ResourcePanelState<T> {
  const { items, setItems, error, loading, reload, admin } = useAdminList(resource.load);
  const confirm = useConfirm();
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [rowError, setRowError] = useState<string | null>(null);

  useEffect(() => resource.live?.({ patch: setItems, reload }), [resource, reload, setItems]);

  const replace = (item: T) =>
    setItems((list) => {
      const rows = list ?? [];
      return rows.some((r) => r.id === item.id)
        ? rows.map((r) => (r.id === item.id ? item : r))
        : [...rows, item];
    });

  const withBusy = async (item: T, fn: () => Promise<void>) => {
    const key = String(item.id);
    setBusy((b) => ({ ...b, [key]: true }));
    setRowError(null);
    try {
      await fn();
    } catch (err) {
      setRowError(describeError(err));
    } finally {
      setBusy((b) => ({ ...b, [key]: false }));
    }
  };

  const setEnabled = (item: T, enabled: boolean) =>
    withBusy(item, async () => {
      const updated = await admin.call((api) => resource.update(api, item.id, { enabled }));
      replace(updated ?? { ...item, enabled });
      admin.notify(resource.enabledNotice(item, enabled));
    });

  const runAction = (action: RowAction<T>, item: T) =>
    withBusy(item, () =>
      action.run(item, { call: admin.call, notify: admin.notify, replace, reload, confirm: confirm.ask }),
    );

  const askDelete = (item: T) =>
    confirm.ask({
      title: resource.remove.title,
      message: resource.remove.message(item),
      confirmLabel: resource.remove.confirmLabel,
      action: async () => {
        await admin.call((api) => resource.remove.run(api, item.id));
        setItems((list) => (list ?? []).filter((r) => r.id !== item.id));
        admin.notify(resource.remove.notice(item));
      },
    });

  const isBusy = (item: T) => busy[String(item.id)] === true;
  const notify = admin.notify;
  return {
    items,
    error,
    rowError,
    loading,
    reload,
    replace,
    notify,
    isBusy,
    setEnabled,
    runAction,
    askDelete,
    confirm,
  };
}
