// One admin resource (merchants, milestones, soon scenes) described as data: what its table shows,
// what its form asks and which API calls save it. ResourcePanel and ResourceDialog turn it into the
// list table, the create/edit dialog, the delete confirmation and their busy and error states.
import type { ReactNode } from "react";
import type { AdminApi } from "../api/client";
import type { AdminTools } from "./context";
import type { ConfirmRequest } from "./Dialog";
import type { FormErrors } from "./logic";

/** Every admin resource has an id and can be switched on and off from its row. */
export interface AdminItem {
  id: string | number;
  enabled: boolean;
}

/** Every admin form has the "enabled" checkbox at its end. */
export interface AdminFormValues {
  enabled: boolean;
}

/** What a row's cells get besides the item. */
export interface RowTools {
  now: number;
  busy: boolean;
  setEnabled(enabled: boolean): void;
}

export interface Column<T> {
  header: string;
  headerClassName?: string;
  /** The whole cell (a <td>, or the <th scope="row"> naming the item), so each resource keeps its markup. */
  cell(item: T, row: RowTools): ReactNode;
}

/** What a row action may do while its row is marked busy. */
export interface ActionTools<T> {
  call: AdminTools["call"];
  notify(message: string): void;
  replace(item: T): void;
  reload(quiet?: boolean): Promise<void>;
  /** Asks in the confirmation dialog first; its `action` runs only on "yes". */
  confirm(request: ConfirmRequest): void;
}

/** A row button between Edit and Delete (Refetch, Re-arm); a failure shows above the table. */
export interface RowAction<T> {
  label: string;
  testId: string;
  ariaLabel(item: T): string;
  title(item: T): string;
  disabled(item: T, busy: boolean): boolean;
  run(item: T, tools: ActionTools<T>): Promise<void>;
}

/** What a resource's live updates may do to its open list. */
export interface LiveListTools<T> {
  patch(update: (list: T[] | null) => T[] | null): void;
  reload(quiet?: boolean): Promise<void>;
}

/** What the dialog's resource-specific fields get. */
export interface FieldsProps<F> {
  form: F;
  errors: FormErrors<F>;
  update(patch: Partial<F>): void;
  isEdit: boolean;
}

/** How the dialog's submit ended: a new item, an edit, or a create that replaced an existing one. */
export type SaveKind = "created" | "saved" | "replaced";

export interface ResourceForm<T, F, U> {
  empty(): F;
  fromItem(item: T): F;
  validate(form: F): FormErrors<F>;
  /** Creates the item; when the server answers without it, what the list shows instead. */
  create(api: AdminApi, form: F): Promise<T>;
  /** Only what changed, for the PUT; nothing changed closes the dialog without a request. */
  changes(item: T, form: F): U;
  title(editing: T | null): string;
  createLabel: string;
  enabledLabel: string;
  savedNotice(item: T, created: boolean): string;
  /**
   * Where creating is an upsert (merchants): the item this form would silently replace, read fresh
   * from the server. The dialog then warns with `replace.warning` and only a second submit replaces it.
   */
  replace?: {
    existing(api: AdminApi, form: F): Promise<T | undefined>;
    warning(item: T): ReactNode;
    confirmLabel(item: T): string;
    notice(item: T): string;
  };
  Fields(props: FieldsProps<F>): ReactNode;
}

export interface AdminResource<T extends AdminItem, F extends AdminFormValues, U extends object> {
  /** Singular, prefixes the data-testids: `merchant` → `merchant-row`, `add-merchant`, `merchant-form`… */
  noun: string;
  /** Plural, names the heading: `merchants` → `merchants-title`. */
  plural: string;
  title: string;
  subtitle: string;
  addLabel: string;
  loadingText: string;
  emptyText: string;
  load(api: AdminApi): Promise<T[]>;
  order(a: T, b: T): number;
  /** How buttons and notices name the item: `Edit ${name}`. */
  name(item: T): string;
  columns: Column<T>[];
  /** The row's data-* attributes besides data-testid and data-enabled, e.g. data-merchant-id. */
  rowData(item: T): Record<`data-${string}`, string | number | boolean | undefined>;
  actions: RowAction<T>[];
  /** The PUT, used by the dialog and by the row's on/off switch. */
  update(api: AdminApi, id: T["id"], changes: U | { enabled: boolean }): Promise<T | undefined>;
  enabledNotice(item: T, enabled: boolean): string;
  remove: {
    title: string;
    confirmLabel: string;
    message(item: T): ReactNode;
    run(api: AdminApi, id: T["id"]): Promise<unknown>;
    notice(item: T): string;
  };
  form: ResourceForm<T, F, U>;
  /** Keeps the open list current from the live stream; returns the function that stops it. */
  live?(tools: LiveListTools<T>): () => void;
}
