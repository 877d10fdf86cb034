import { useCallback, useEffect, useRef, useState } from "react";
import type { AdminApi } from "../api/client";
import { useAdmin } from "./context";
import type { ConfirmRequest } from "./Dialog";
import { describeError } from "./logic";

/** Loads a list for an admin table, refreshes it quietly, and keeps the last good copy on errors. */
export function useAdminList<T>(load: (api: AdminApi) => Promise<T[]>, refreshMs = 15_000) {
  const admin = useAdmin();
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(
    async (quiet = false) => {
      if (!quiet) setLoading(true);
      try {
        const list = await admin.call(loadRef.current);
        setItems(list);
        setError(null);
      } catch (err) {
        setError(describeError(err));
      } finally {
        if (!quiet) setLoading(false);
      }
    },
    [admin],
  );

  useEffect(() => {
    void reload();
    const id = setInterval(() => void reload(true), refreshMs);
    return () => clearInterval(id);
  }, [reload, refreshMs]);

  return { items, setItems, error, setError, loading, reload, admin };
}

/** State for the in-page confirmation dialog. */
export function useConfirm() {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ask = (r: ConfirmRequest) => {
    setError(null);
    setBusy(false);
    setRequest(r);
  };
  const cancel = () => setRequest(null);
  const confirm = async () => {
    if (!request) return;
    setBusy(true);
    setError(null);
    try {
      await request.action();
      setRequest(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return { request, busy, error, ask, cancel, confirm };
}
