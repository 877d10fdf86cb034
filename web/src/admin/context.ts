import { createContext, useContext } from "react";
import type { AdminApi } from "../api/client";

export interface AdminTools {
  /** Runs a request with the session's token; a 401 signs the operator out, other errors are rethrown. */
  call<T>(fn: (api: AdminApi) => Promise<T>): Promise<T>;
  notify(message: string): void;
}

export const AdminContext = createContext<AdminTools | null>(null);

export function useAdmin(): AdminTools {
  const ctx = useContext(AdminContext);
  if (!ctx) throw new Error("useAdmin outside <AdminApp>");
  return ctx;
}
